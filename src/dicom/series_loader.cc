#include "dicom/series_loader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <memory>
#include <sstream>

#include "core/large_buffer.h"
#include "dicom/codecs.h"
#include "dicom/dicom_file.h"
#include "dicom/pixel_data.h"
#include "dicom/series_assembly.h"
#include "oncotrace/dicom.h"
#include "oncotrace/error.h"

namespace oncotrace {
namespace dicom {
namespace {

std::string describe(const std::optional<double>& value) {
  if (!value) return "absent";
  std::ostringstream text;
  text.precision(10);
  text << *value;
  return text.str();
}

std::string describe(const std::optional<std::string>& value) {
  return value ? "\"" + *value + "\"" : "absent";
}

bool same_value(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return std::abs(*a - *b) <= 1e-9 * std::max(std::abs(*a), std::abs(*b));
}

bool same_value(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return a == b;
}

template <typename T>
void check_agreement(const std::vector<InstanceHeader>& instances,
                     const std::function<const Sourced<T>&(const SeriesHeader&)>& field) {
  const Sourced<T>& reference = field(instances.front().series);
  for (size_t i = 1; i < instances.size(); ++i) {
    const Sourced<T>& value = field(instances[i].series);
    if (same_value(reference.value, value.value)) continue;
    throw InvalidInputError(
        "series " + instances.front().series.series_instance_uid + ": " + reference.source +
        " differs between instances: " + describe(reference.value) + " in " +
        instances.front().file + " but " + describe(value.value) + " in " + instances[i].file +
        "; the files do not describe one acquisition: correct or remove the odd file");
  }
}

// Runs `work(i)` for i in [0, count) in parallel and rethrows the exception of the lowest index,
// so that the error reported does not depend on scheduling.
void parallel_for_each_index(size_t count, const std::function<void(size_t)>& work) {
  std::vector<std::exception_ptr> errors(count);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, count), [&](const auto& range) {
    for (size_t i = range.begin(); i != range.end(); ++i) {
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  });
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

void check_instance_usable(const InstanceHeader& instance, const std::string& series_uid) {
  if (instance.series.series_instance_uid != series_uid) {
    throw InvalidInputError(instance.file + ": SeriesInstanceUID (0020,000E) " +
                            instance.series.series_instance_uid + " is not the series " +
                            series_uid + " being loaded");
  }
  if (instance.layout == InstanceLayout::kUnsupportedMultiFrame) {
    const std::string image_type = instance.series.image_type.size() >= 3
                                       ? " with ImageType value 3 " + instance.series.image_type[2]
                                       : "";
    throw UnsupportedDataError(
        instance.file + ": " +
        (instance.series.modality.empty() ? "image" : instance.series.modality) + image_type +
        " without per-frame 3-D geometry (" + std::to_string(instance.pixels.number_of_frames) +
        " frames); oncotrace reads tomographic (RECON TOMO) NM, classic and Enhanced images");
  }
  check_pixel_format_supported(instance.pixels, instance.file);
}

void merge_notes(std::vector<std::string>& into, const std::vector<std::string>& notes) {
  for (const std::string& note : notes) {
    if (std::find(into.begin(), into.end(), note) == into.end()) into.push_back(note);
  }
}

// Where each plane of each instance goes: frame and slice index.
struct Destination {
  size_t frame = 0;
  size_t slice = 0;
};

}  // namespace

void check_series_agreement(const std::vector<InstanceHeader>& instances) {
  if (instances.size() < 2) return;
  check_agreement<double>(instances, [](const SeriesHeader& h) -> const Sourced<double>& {
    return h.patient_weight_kg;
  });
  check_agreement<double>(instances, [](const SeriesHeader& h) -> const Sourced<double>& {
    return h.radiopharmaceutical.total_dose;
  });
  check_agreement<std::string>(instances, [](const SeriesHeader& h) -> const Sourced<std::string>& {
    return h.radiopharmaceutical.start_time;
  });
  check_agreement<std::string>(instances, [](const SeriesHeader& h) -> const Sourced<std::string>& {
    return h.radiopharmaceutical.start_datetime;
  });
  check_agreement<std::string>(
      instances, [](const SeriesHeader& h) -> const Sourced<std::string>& { return h.units; });
  check_agreement<std::string>(instances, [](const SeriesHeader& h) -> const Sourced<std::string>& {
    return h.decay_correction;
  });
  check_agreement<double>(instances, [](const SeriesHeader& h) -> const Sourced<double>& {
    return h.radiopharmaceutical.half_life_s;
  });
}

}  // namespace dicom

ImageSeries load_series(const DiscoveredSeries& series, const SeriesLoadOptions& options) {
  using namespace dicom;
  initialise_dcmtk();
  const std::string& series_uid = series.header.series_instance_uid;
  if (series.files.empty()) {
    throw InvalidInputError("series " + series_uid + ": no files to load");
  }
  std::vector<std::filesystem::path> files = series.files;
  std::sort(files.begin(), files.end());
  const size_t file_count = files.size();

  // Pass 1: headers.
  const HeaderReadOptions header_options{options.lenient_private_tags};
  std::vector<std::unique_ptr<DcmFileFormat>> datasets(file_count);
  std::vector<InstanceHeader> instances(file_count);
  parallel_for_each_index(file_count, [&](size_t i) {
    if (series.parsed_files) datasets[i] = series.parsed_files->take(files[i]);
    if (!datasets[i]) datasets[i] = open_dicom_file(files[i]);
    instances[i] =
        read_instance_header(*datasets[i]->getDataset(), files[i].string(), header_options);
    check_instance_usable(instances[i], series_uid);
  });

  // Pass 2: agreement and geometry.
  check_series_agreement(instances);
  SeriesPlan plan = plan_series(instances, instances.front().series, options);

  std::vector<std::vector<Destination>> destinations(file_count);
  for (size_t i = 0; i < file_count; ++i) destinations[i].resize(instances[i].planes.size());
  for (size_t f = 0; f < plan.frames.size(); ++f) {
    for (size_t k = 0; k < plan.frames[f].planes.size(); ++k) {
      const PlaneRef& ref = plan.frames[f].planes[k];
      destinations[ref.instance][ref.plane] = {f, k};
    }
  }
  ImageSeries result;
  result.frames.resize(plan.frames.size());
  for (size_t f = 0; f < plan.frames.size(); ++f) {
    Frame& frame = result.frames[f];
    frame.image.geometry = plan.geometry;
    assign_large_buffer(frame.image.values, plan.geometry.voxel_count());
    frame.start_s = plan.frames[f].start_s;
    frame.duration_s = plan.frames[f].duration_s;
    for (const PlaneRef& ref : plan.frames[f].planes) {
      frame.slices.push_back(instances[ref.instance].planes[ref.plane].record);
    }
  }

  // Pass 3: pixels, straight into the frame volumes.
  const size_t plane_voxels =
      static_cast<size_t>(plan.geometry.size[0]) * static_cast<size_t>(plan.geometry.size[1]);
  parallel_for_each_index(file_count, [&](size_t i) {
    const InstanceHeader& instance = instances[i];
    DcmDataset& dataset = *datasets[i]->getDataset();
    const NativePixels pixels = native_pixel_data(dataset, instance.pixels, instance.file);
    tbb::parallel_for(size_t{0}, instance.planes.size(), [&](size_t p) {
      const PlaneHeader& plane = instance.planes[p];
      const Destination& destination = destinations[i][p];
      float* output =
          result.frames[destination.frame].image.values.data() + destination.slice * plane_voxels;
      const uint8_t* stored =
          pixels.bytes + static_cast<size_t>(plane.record.frame_in_file) * pixels.frame_size_bytes;
      rescale_stored_values(stored, plane_voxels, instance.pixels, plane.record.rescale_slope,
                            plane.record.rescale_intercept, output);
    });
    datasets[i].reset();
  });

  result.header = instances.front().series;
  for (const InstanceHeader& instance : instances)
    merge_notes(result.header.reader_notes, instance.notes);
  merge_notes(result.header.reader_notes, plan.notes);
  const std::string& mapping = instances.front().planes.front().value_mapping_source;
  if (mapping != tag_label(DCM_RescaleSlope) + ", " + tag_label(DCM_RescaleIntercept)) {
    merge_notes(result.header.reader_notes, {"pixel values mapped through " + mapping});
  }
  if (instances.front().pixels.photometric_interpretation == "MONOCHROME1") {
    merge_notes(result.header.reader_notes,
                {"PhotometricInterpretation (0028,0004) MONOCHROME1 inverts the display only; "
                 "values are not inverted"});
  }
  for (const auto& file : files) result.files.push_back(file.string());
  return result;
}

}  // namespace oncotrace
