// NIfTI-1 voxel I/O through ITK's NiftiImageIO. The only file of the module that includes ITK.
//
// Coordinates. NIfTI world coordinates are RAS; ITK's physical space is LPS, and ITK 5.2's
// NiftiImageIO converts on read and on write (it negates the first two rows of the NIfTI affine).
// This was checked, not assumed: the DRO mask (sform diag(-4, -4, 4), offset 0) reads as origin
// (0, 0, 0), spacing 4 and identity direction, and the IBSI CT phantom and the STS_001 crop read
// with the ImagePositionPatient of their DICOM versions (nifti_test.cc pins all three). So ITK's
// origin and direction ARE oncotrace's LPS Geometry, and no sign flip happens here.
//
// Which transform. ITK 5.2 uses the sform when sform_code > 0 and the sform is a rotation with
// scaling, else the qform (checked in nifti_test.cc with a header whose qform and sform differ,
// and with a sheared sform). Readers of other packages differ (interoperability.md §2.1), so the
// header is also read here with zlib and the reader notes when qform and sform disagree by more
// than 1e-3 mm, or when ITK's geometry is not the sform's (a sheared sform, silently ignored by
// ITK).
//
// Writing. ITK writes qform_code = sform_code = 1 (scanner anatomical) with identical matrices,
// float32 / uint16 / uint8 data with scl_slope 1 and scl_inter 0. ITK 5.2 cannot set intent_code
// or the time unit, so the header of a label map (intent_code 1002, NIFTI_INTENT_LABEL) and of a
// 4D image (xyzt_units mm + s) is patched after ITK wrote it, by one streaming copy through zlib.
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIO.h>
#include <nifti1.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <sstream>

#include "core/atomic_file.h"
#include "io/nifti_itk.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"

namespace oncotrace {
namespace {

// Every image is read into and written from 4D ITK images: ITK fills the missing axes of a 3D
// (or 2D) file with size 1, spacing 1, origin 0 and identity direction.
constexpr unsigned kItkDimension = 4;
template <typename TPixel>
using ItkImage = itk::Image<TPixel, kItkDimension>;

// Positions of the qform and sform may differ by float32 rounding only (interoperability.md
// §2.1); ITK's geometry and the sform by more when ITK orthonormalises a slightly skewed sform.
constexpr double kTransformAgreementMm = 1e-3;
constexpr double kItkSformAgreementMm = 1e-2;

bool has_nifti_extension(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".nii") || ends_with(".nii.gz");
}

bool is_compressed_name(const std::filesystem::path& path) { return path.extension() == ".gz"; }

// ---------------------------------------------------------------------------------------------
// Raw header checks (qform vs sform vs what ITK used).

// Index-to-world affine (3 rows of 4) in NIfTI RAS.
using Affine = std::array<std::array<double, 4>, 3>;

std::optional<nifti_1_header> read_raw_header(const std::filesystem::path& path) {
  // gzread also reads uncompressed files (zlib's transparent mode).
  gzFile file = gzopen(path.string().c_str(), "rb");
  if (file == nullptr) return std::nullopt;
  nifti_1_header header{};
  const int read = gzread(file, &header, sizeof(header));
  gzclose(file);
  // A byte-swapped or NIfTI-2 header is left to ITK; these checks are skipped for it.
  if (read != static_cast<int>(sizeof(header)) || header.sizeof_hdr != 348) return std::nullopt;
  return header;
}

// The qform affine (NIfTI-1 "method 2"): rotation from the quaternion (b, c, d), voxel sizes
// pixdim[1..3], qfac = pixdim[0] (±1) on the third axis, translation qoffset [nifti1.h].
Affine qform_affine(const nifti_1_header& header) {
  const double b = header.quatern_b;
  const double c = header.quatern_c;
  const double d = header.quatern_d;
  const double a = std::sqrt(std::max(0.0, 1.0 - (b * b + c * c + d * d)));
  const double rotation[3][3] = {
      {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
      {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
      {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}};
  const double qfac = header.pixdim[0] < 0 ? -1.0 : 1.0;
  const double scale[3] = {header.pixdim[1], header.pixdim[2], qfac * header.pixdim[3]};
  const double offset[3] = {header.qoffset_x, header.qoffset_y, header.qoffset_z};
  Affine affine{};
  for (int row = 0; row < 3; ++row) {
    for (int axis = 0; axis < 3; ++axis) affine[row][axis] = rotation[row][axis] * scale[axis];
    affine[row][3] = offset[row];
  }
  return affine;
}

Affine sform_affine(const nifti_1_header& header) {
  Affine affine{};
  for (int column = 0; column < 4; ++column) {
    affine[0][column] = header.srow_x[column];
    affine[1][column] = header.srow_y[column];
    affine[2][column] = header.srow_z[column];
  }
  return affine;
}

// oncotrace's LPS geometry as a NIfTI RAS affine: world_RAS = diag(-1, -1, 1) * world_LPS.
Affine geometry_affine_ras(const Geometry& geometry) {
  Affine affine{};
  for (int row = 0; row < 3; ++row) {
    const double sign = row < 2 ? -1.0 : 1.0;
    for (int axis = 0; axis < 3; ++axis) {
      affine[row][axis] = sign * geometry.direction[row * 3 + axis] * geometry.spacing_mm[axis];
    }
    affine[row][3] = sign * geometry.origin_mm[row];
  }
  return affine;
}

// Largest distance between the positions two affines give to the eight corner voxels.
double max_corner_distance_mm(const Affine& first, const Affine& second, const Index3& size) {
  double largest = 0.0;
  for (int corner = 0; corner < 8; ++corner) {
    const double index[3] = {(corner & 1) != 0 ? static_cast<double>(size[0] - 1) : 0.0,
                             (corner & 2) != 0 ? static_cast<double>(size[1] - 1) : 0.0,
                             (corner & 4) != 0 ? static_cast<double>(size[2] - 1) : 0.0};
    double squared = 0.0;
    for (int row = 0; row < 3; ++row) {
      double difference = first[row][3] - second[row][3];
      for (int axis = 0; axis < 3; ++axis) {
        difference += (first[row][axis] - second[row][axis]) * index[axis];
      }
      squared += difference * difference;
    }
    largest = std::max(largest, std::sqrt(squared));
  }
  return largest;
}

std::string format_mm(double value) {
  std::ostringstream text;
  text.precision(4);
  text << value;
  return text.str();
}

// What a reader should know about the transforms of this header (interoperability.md §2.1).
std::vector<std::string> transform_notes(const std::filesystem::path& path,
                                         const Geometry& itk_geometry) {
  std::vector<std::string> notes;
  const auto header = read_raw_header(path);
  if (!header) return notes;
  const std::string file = path.string();
  if (header->qform_code <= 0 && header->sform_code <= 0) {
    notes.push_back("NIfTI " + file +
                    ": qform_code and sform_code are 0, so the file holds no patient "
                    "coordinates; the geometry is pixdim spacing at origin 0 with identity "
                    "orientation");
    return notes;
  }
  const Affine used = geometry_affine_ras(itk_geometry);
  if (header->qform_code > 0 && header->sform_code > 0) {
    const double disagreement =
        max_corner_distance_mm(qform_affine(*header), sform_affine(*header), itk_geometry.size);
    if (disagreement > kTransformAgreementMm) {
      notes.push_back("NIfTI " + file + ": qform and sform disagree by up to " +
                      format_mm(disagreement) + " mm at the corners of the grid");
    }
  }
  if (header->sform_code > 0) {
    const double sform_distance =
        max_corner_distance_mm(used, sform_affine(*header), itk_geometry.size);
    if (sform_distance > kItkSformAgreementMm) {
      notes.push_back("NIfTI " + file +
                      ": the sform is not a rotation with scaling (shear or skew) and was "
                      "ignored; the geometry comes from the qform (sform positions differ by up "
                      "to " +
                      format_mm(sform_distance) + " mm)");
    }
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Reading.

struct NiftiLayout {
  unsigned dimensions = 0;
  std::array<size_t, 4> size{1, 1, 1, 1};
  itk::IOComponentEnum component = itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
};

NiftiLayout read_layout(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InvalidInputError("NIfTI file " + path.string() + " does not exist");
  }
  auto io = itk::NiftiImageIO::New();
  if (!io->CanReadFile(path.string().c_str())) {
    throw InvalidInputError("cannot read " + path.string() +
                            " as NIfTI-1 (.nii or .nii.gz); check the file is complete");
  }
  io->SetFileName(path.string());
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& exception) {
    throw InvalidInputError("cannot read the NIfTI header of " + path.string() + ": " +
                            exception.GetDescription());
  }
  NiftiLayout layout;
  layout.dimensions = io->GetNumberOfDimensions();
  layout.component = io->GetComponentType();
  if (io->GetNumberOfComponents() != 1) {
    throw UnsupportedDataError("NIfTI " + path.string() + " has " +
                               std::to_string(io->GetNumberOfComponents()) +
                               " components per voxel; oncotrace reads scalar images only");
  }
  if (layout.dimensions > kItkDimension) {
    for (unsigned axis = kItkDimension; axis < layout.dimensions; ++axis) {
      if (io->GetDimensions(axis) > 1) {
        throw UnsupportedDataError("NIfTI " + path.string() + " has " +
                                   std::to_string(layout.dimensions) +
                                   " dimensions; oncotrace reads 3D images and 4D time series");
      }
    }
  }
  for (unsigned axis = 0; axis < std::min(layout.dimensions, kItkDimension); ++axis) {
    layout.size[axis] = io->GetDimensions(axis);
  }
  return layout;
}

template <typename TPixel>
typename ItkImage<TPixel>::Pointer read_itk_image(const std::filesystem::path& path) {
  auto reader = itk::ImageFileReader<ItkImage<TPixel>>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(path.string());
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& exception) {
    throw InvalidInputError("cannot read NIfTI " + path.string() + ": " +
                            exception.GetDescription());
  }
  return reader->GetOutput();
}

template <typename TPixel>
Geometry geometry_of(const ItkImage<TPixel>& image) {
  Geometry geometry;
  const auto size = image.GetLargestPossibleRegion().GetSize();
  const auto& spacing = image.GetSpacing();
  const auto& origin = image.GetOrigin();
  const auto& direction = image.GetDirection();
  for (unsigned axis = 0; axis < 3; ++axis) {
    geometry.size[axis] = static_cast<int64_t>(size[axis]);
    geometry.spacing_mm[axis] = spacing[axis];
    geometry.origin_mm[axis] = origin[axis];
    for (unsigned row = 0; row < 3; ++row) {
      geometry.direction[row * 3 + axis] = direction(row, axis);
    }
  }
  return geometry;
}

// The volumes of a 4D ITK image, one per time point, converted to TOut.
template <typename TOut, typename TPixel>
std::vector<Volume<TOut>> split_time_points(const ItkImage<TPixel>& image) {
  const Geometry geometry = geometry_of(image);
  const size_t time_points = image.GetLargestPossibleRegion().GetSize()[3];
  const size_t voxels = geometry.voxel_count();
  const TPixel* buffer = image.GetBufferPointer();
  std::vector<Volume<TOut>> volumes;
  volumes.reserve(time_points);
  for (size_t time_point = 0; time_point < time_points; ++time_point) {
    Volume<TOut> volume;
    volume.geometry = geometry;
    volume.values.assign(buffer + time_point * voxels, buffer + (time_point + 1) * voxels);
    volumes.push_back(std::move(volume));
  }
  return volumes;
}

void refuse_time_series(const std::filesystem::path& path, const NiftiLayout& layout,
                        const std::string& what) {
  if (layout.size[3] > 1) {
    throw InvalidInputError("NIfTI " + path.string() + " is 4D with " +
                            std::to_string(layout.size[3]) + " time points; " + what +
                            " must be 3D (split the series, or read it as frames)");
  }
}

void log_notes(const std::vector<std::string>& notes) {
  for (const auto& note : notes) spdlog::warn("{}", note);
}

bool is_unsigned_8_or_16(itk::IOComponentEnum component) {
  return component == itk::IOComponentEnum::UCHAR || component == itk::IOComponentEnum::USHORT;
}

// Label values read as float must be whole numbers in the uint16 range.
LabelMap labels_from_float(const ImageVolume& volume, const std::filesystem::path& path) {
  LabelMap labels;
  labels.geometry = volume.geometry;
  labels.values.resize(volume.values.size());
  for (size_t offset = 0; offset < volume.values.size(); ++offset) {
    const float value = volume.values[offset];
    if (!(value >= 0.0F && value <= 65535.0F) || std::floor(value) != value) {
      throw InvalidInputError("NIfTI " + path.string() + " is not a label map: voxel " +
                              std::to_string(offset) + " holds " + std::to_string(value) +
                              " (labels are whole numbers 0..65535)");
    }
    labels.values[offset] = static_cast<uint16_t>(value);
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Writing.

struct HeaderPatch {
  std::optional<int16_t> intent_code;
  std::optional<char> xyzt_units;
  bool empty() const { return !intent_code && !xyzt_units; }
};

// Copies a NIfTI file written by ITK to `to`, changing header fields ITK 5.2 cannot set. The
// data are streamed, so memory stays bounded by the chunk size.
void copy_with_patched_header(const std::filesystem::path& from, const std::filesystem::path& to,
                              const HeaderPatch& patch) {
  gzFile input = gzopen(from.string().c_str(), "rb");
  if (input == nullptr) throw InternalError("cannot reopen " + from.string());
  // "T" writes without compression (zlib transparent mode) for ".nii".
  gzFile output = gzopen(to.string().c_str(), is_compressed_name(to) ? "wb" : "wbT");
  if (output == nullptr) {
    gzclose(input);
    throw InvalidInputError("cannot write " + to.string() + ": the folder is not writable");
  }
  bool ok = true;
  nifti_1_header header{};
  ok = gzread(input, &header, sizeof(header)) == static_cast<int>(sizeof(header)) &&
       header.sizeof_hdr == 348;
  if (ok) {
    if (patch.intent_code) header.intent_code = *patch.intent_code;
    if (patch.xyzt_units) header.xyzt_units = *patch.xyzt_units;
    ok = gzwrite(output, &header, sizeof(header)) == static_cast<int>(sizeof(header));
  }
  std::vector<char> chunk(1 << 20);
  while (ok) {
    const int read = gzread(input, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (read < 0) ok = false;
    if (read <= 0) break;
    ok = gzwrite(output, chunk.data(), static_cast<unsigned>(read)) == read;
  }
  gzclose(input);
  if (gzclose(output) != Z_OK) ok = false;
  if (!ok) throw InvalidInputError("writing " + to.string() + " failed (disk full?)");
}

template <typename TImage>
void write_itk_image(const TImage& image, const std::filesystem::path& path) {
  auto writer = itk::ImageFileWriter<TImage>::New();
  writer->SetImageIO(itk::NiftiImageIO::New());
  writer->SetFileName(path.string());
  writer->SetInput(&image);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& exception) {
    throw InvalidInputError("cannot write NIfTI " + path.string() + ": " +
                            exception.GetDescription());
  }
}

// Builds an ITK image from volumes that share `geometry`: 3D for one volume, 4D (time axis of
// size frames.size(), spacing 1) for several. ITK 5.2 writes every axis of the image type, so a
// single volume must be a 3D image to give a 3D file (dim[0] = 3).
template <typename TPixel, unsigned Dimension>
typename itk::Image<TPixel, Dimension>::Pointer make_itk_image(
    const Geometry& geometry, const std::vector<const Volume<TPixel>*>& frames) {
  using ImageType = itk::Image<TPixel, Dimension>;
  auto image = ImageType::New();
  typename ImageType::SizeType size;
  typename ImageType::SpacingType spacing;
  typename ImageType::PointType origin;
  typename ImageType::DirectionType direction;
  direction.SetIdentity();
  for (unsigned axis = 0; axis < 3; ++axis) {
    size[axis] = static_cast<itk::SizeValueType>(geometry.size[axis]);
    spacing[axis] = geometry.spacing_mm[axis];
    origin[axis] = geometry.origin_mm[axis];
    for (unsigned row = 0; row < 3; ++row) {
      direction(row, axis) = geometry.direction[row * 3 + axis];
    }
  }
  if constexpr (Dimension == 4) {
    size[3] = frames.size();
    spacing[3] = 1.0;
    origin[3] = 0.0;
  }
  image->SetRegions(typename ImageType::RegionType(size));
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  TPixel* buffer = image->GetBufferPointer();
  const size_t voxels = geometry.voxel_count();
  for (size_t frame = 0; frame < frames.size(); ++frame) {
    std::copy(frames[frame]->values.begin(), frames[frame]->values.end(), buffer + frame * voxels);
  }
  return image;
}

template <typename TPixel>
void write_itk_volumes(const Geometry& geometry, const std::vector<const Volume<TPixel>*>& frames,
                       const std::filesystem::path& path) {
  if (frames.size() == 1) {
    write_itk_image(*make_itk_image<TPixel, 3>(geometry, frames), path);
  } else {
    write_itk_image(*make_itk_image<TPixel, 4>(geometry, frames), path);
  }
}

void check_writable_volume(const std::filesystem::path& path, const Geometry& geometry,
                           size_t value_count) {
  if (!has_nifti_extension(path)) {
    throw InvalidInputError("cannot write " + path.string() +
                            ": a NIfTI output name must end in .nii.gz or .nii");
  }
  if (geometry.voxel_count() == 0 || value_count != geometry.voxel_count()) {
    throw InvalidInputError("cannot write " + path.string() + ": the volume holds " +
                            std::to_string(value_count) + " values for a grid of " +
                            geometry.describe());
  }
  for (double spacing : geometry.spacing_mm) {
    if (!(spacing > 0.0)) {
      throw InvalidInputError("cannot write " + path.string() +
                              ": voxel spacing must be positive (" + geometry.describe() + ")");
    }
  }
}

template <typename TPixel>
void write_volumes(const std::filesystem::path& path,
                   const std::vector<const Volume<TPixel>*>& frames, HeaderPatch patch) {
  if (frames.empty()) {
    throw InvalidInputError("cannot write " + path.string() + ": no volume to write");
  }
  const Geometry& geometry = frames.front()->geometry;
  for (const auto* frame : frames) {
    check_writable_volume(path, frame->geometry, frame->values.size());
    if (!frame->geometry.same_grid_as(geometry, 1e-6)) {
      throw InvalidInputError("cannot write " + path.string() +
                              ": the frames do not share one grid (" + geometry.describe() +
                              " vs " + frame->geometry.describe() + ")");
    }
  }
  if (frames.size() > 1) patch.xyzt_units = NIFTI_UNITS_MM | NIFTI_UNITS_SEC;
  AtomicOutput output(path);
  if (patch.empty()) {
    write_itk_volumes(geometry, frames, output.temporary_path());
  } else {
    // A second temporary beside the first, never committed: its destructor removes it. It is
    // written uncompressed (".nii"), so that a ".nii.gz" output is compressed once, by the copy
    // that patches the header, rather than by ITK and again by the copy.
    AtomicOutput itk_output(is_compressed_name(path) ? path.parent_path() / path.stem() : path);
    write_itk_volumes(geometry, frames, itk_output.temporary_path());
    copy_with_patched_header(itk_output.temporary_path(), output.temporary_path(), patch);
  }
  output.commit();
}

}  // namespace

namespace io_internal {

NiftiFrames read_nifti_frames_with_notes(const std::filesystem::path& path) {
  read_layout(path);
  const auto image = read_itk_image<float>(path);
  NiftiFrames result;
  result.frames = split_time_points<float>(*image);
  result.notes = transform_notes(path, result.frames.front().geometry);
  return result;
}

}  // namespace io_internal

ImageVolume read_nifti(const std::filesystem::path& path) {
  refuse_time_series(path, read_layout(path), "an image read as one volume");
  auto result = io_internal::read_nifti_frames_with_notes(path);
  log_notes(result.notes);
  return std::move(result.frames.front());
}

std::vector<ImageVolume> read_nifti_frames(const std::filesystem::path& path) {
  auto result = io_internal::read_nifti_frames_with_notes(path);
  log_notes(result.notes);
  return std::move(result.frames);
}

LabelMap read_nifti_labels(const std::filesystem::path& path) {
  const NiftiLayout layout = read_layout(path);
  refuse_time_series(path, layout, "a label map");
  if (!is_unsigned_8_or_16(layout.component)) {
    // Signed, wider or floating data, and files with a scl_slope (ITK reports them as float):
    // check every value. read_nifti() logs the notes.
    return labels_from_float(read_nifti(path), path);
  }
  // Every stored value is a valid label: read directly, at half the memory of float.
  LabelMap labels = std::move(split_time_points<uint16_t>(*read_itk_image<uint16_t>(path)).front());
  log_notes(transform_notes(path, labels.geometry));
  return labels;
}

void write_nifti(const std::filesystem::path& path, const ImageVolume& image) {
  write_volumes<float>(path, {&image}, HeaderPatch{});
}

void write_nifti(const std::filesystem::path& path, const std::vector<ImageVolume>& frames) {
  std::vector<const ImageVolume*> pointers;
  pointers.reserve(frames.size());
  for (const auto& frame : frames) pointers.push_back(&frame);
  write_volumes<float>(path, pointers, HeaderPatch{});
}

void write_nifti(const std::filesystem::path& path, const LabelMap& labels) {
  HeaderPatch patch;
  patch.intent_code = NIFTI_INTENT_LABEL;
  write_volumes<uint16_t>(path, {&labels}, patch);
}

void write_nifti(const std::filesystem::path& path, const Mask& mask) {
  write_volumes<uint8_t>(path, {&mask}, HeaderPatch{});
}

}  // namespace oncotrace
