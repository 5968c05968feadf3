#include "phantom/dicom_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/version.h"
#include "phantom/uid.h"

namespace oncotrace::phantom {
namespace {

constexpr const char* kInstitution = "oncotrace simulated hospital";

std::string dicom_datetime(const DateTime& t) { return t.dicom_date() + t.dicom_time(); }

void put(DcmItem* item, const DcmTagKey& tag, const std::string& value) {
  const OFCondition status = item->putAndInsertString(tag, value.c_str());
  if (status.bad()) {
    throw InternalError("DICOM writer: cannot set " + std::string(DcmTag(tag).getTagName()) +
                        " to \"" + value + "\": " + status.text());
  }
}

void put_private(DcmItem* item, uint16_t group, uint16_t element, DcmEVR vr,
                 const std::string& value) {
  const OFCondition status = item->putAndInsertString(DcmTag(group, element, vr), value.c_str());
  if (status.bad()) throw InternalError("DICOM writer: cannot set a private element");
}

DcmItem* new_item(DcmItem* parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  // -2: append a new item at the end of the sequence (created when absent).
  const OFCondition status = parent->findOrCreateSequenceItem(sequence, item, -2);
  if (status.bad() || item == nullptr) throw InternalError("DICOM writer: cannot add an item");
  return item;
}

void put_code(DcmItem* parent, const DcmTagKey& sequence, const std::string& value,
              const std::string& scheme, const std::string& meaning) {
  DcmItem* item = new_item(parent, sequence);
  put(item, DCM_CodeValue, value);
  put(item, DCM_CodingSchemeDesignator, scheme);
  put(item, DCM_CodeMeaning, meaning);
}

std::string integer_string(int64_t value) { return std::to_string(value); }

std::string age_string(const DateTime& birth, const DateTime& at) {
  const int64_t years = (at.days_since_epoch() - birth.days_since_epoch()) * 400 / 146097;
  char text[8];
  std::snprintf(text, sizeof(text), "%03lldY",
                static_cast<long long>(std::clamp<int64_t>(years, 0, 999)));
  return text;
}

struct VendorIdentity {
  const char* manufacturer;
  const char* model;
};

VendorIdentity vendor_identity(PhantomVendorStyle vendor) {
  switch (vendor) {
    case PhantomVendorStyle::kGe:
      return {"GE MEDICAL SYSTEMS", "oncotrace phantom (GE style)"};
    case PhantomVendorStyle::kSiemens:
      return {"SIEMENS", "oncotrace phantom (Siemens style)"};
    case PhantomVendorStyle::kPhilips:
      return {"Philips Medical Systems", "oncotrace phantom (Philips style)"};
    case PhantomVendorStyle::kGml:
      return {"oncotrace", "oncotrace phantom (GML)"};
  }
  throw InternalError("unknown vendor style");
}

void put_patient_and_study(DcmItem* ds, const DicomPatientInfo& patient,
                           const DicomStudyInfo& study) {
  put(ds, DCM_SpecificCharacterSet, "ISO_IR 100");
  put(ds, DCM_PatientName, patient.name);
  put(ds, DCM_PatientID, patient.id);
  put(ds, DCM_PatientBirthDate, patient.birth_date.dicom_date());
  put(ds, DCM_PatientSex, patient.sex);
  put(ds, DCM_PatientAge, age_string(patient.birth_date, study.study_datetime));
  put(ds, DCM_PatientSize, format_decimal_string(patient.height_m));
  put(ds, DCM_PatientWeight, format_decimal_string(patient.weight_kg));
  put(ds, DCM_PatientIdentityRemoved, "NO");
  put(ds, DCM_StudyInstanceUID, study.study_uid);
  put(ds, DCM_StudyDate, study.study_datetime.dicom_date());
  put(ds, DCM_StudyTime, study.study_datetime.dicom_time());
  put(ds, DCM_ReferringPhysicianName, "");
  put(ds, DCM_StudyID, study.study_id);
  put(ds, DCM_AccessionNumber, study.accession_number);
  put(ds, DCM_StudyDescription, study.description);
}

void put_series_and_equipment(DcmItem* ds, const DicomSeriesInfo& series,
                              const std::string& modality) {
  put(ds, DCM_Modality, modality);
  put(ds, DCM_SeriesInstanceUID, series.series_uid);
  put(ds, DCM_SeriesNumber, integer_string(series.series_number));
  put(ds, DCM_SeriesDescription, series.description);
  put(ds, DCM_SeriesDate, series.series_datetime.dicom_date());
  put(ds, DCM_SeriesTime, series.series_datetime.dicom_time());
  put(ds, DCM_BodyPartExamined, "WHOLEBODY");
  // PET and NM give the position in the Patient Orientation module instead (DICOM PS3.3
  // C.7.3.1: PatientPosition shall not be present with PatientOrientationCodeSequence).
  if (modality == "CT") put(ds, DCM_PatientPosition, "HFS");
  put(ds, DCM_FrameOfReferenceUID, series.frame_of_reference_uid);
  put(ds, DCM_PositionReferenceIndicator, "");
  const VendorIdentity identity = vendor_identity(series.vendor);
  put(ds, DCM_Manufacturer, identity.manufacturer);
  put(ds, DCM_ManufacturerModelName, identity.model);
  put(ds, DCM_InstitutionName, kInstitution);
  put(ds, DCM_StationName, "ONCOTRACE-SIM");
  put(ds, DCM_DeviceSerialNumber, "0001");
  put(ds, DCM_SoftwareVersions, "oncotrace " + version_string());
}

void put_sop(DcmItem* ds, const char* sop_class, const std::string& sop_instance,
             const DateTime& created) {
  put(ds, DCM_SOPClassUID, sop_class);
  put(ds, DCM_SOPInstanceUID, sop_instance);
  put(ds, DCM_InstanceCreationDate, created.dicom_date());
  put(ds, DCM_InstanceCreationTime, created.dicom_time());
}

void put_plane(DcmItem* ds, const Geometry& grid, int64_t k) {
  const Vec3 position = grid.index_to_world(0, 0, k);
  put(ds, DCM_ImagePositionPatient,
      format_decimal_string(position[0]) + "\\" + format_decimal_string(position[1]) + "\\" +
          format_decimal_string(position[2]));
  put(ds, DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
  // PixelSpacing is row spacing (between rows, along j) \ column spacing (along i).
  put(ds, DCM_PixelSpacing,
      format_decimal_string(grid.spacing_mm[1]) + "\\" + format_decimal_string(grid.spacing_mm[0]));
  put(ds, DCM_SliceThickness, format_decimal_string(grid.spacing_mm[2]));
  put(ds, DCM_SliceLocation, format_decimal_string(position[2]));
}

void put_pixels(DcmItem* ds, const Geometry& grid, const std::vector<int16_t>& stored,
                bool is_signed) {
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(grid.size[1]));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(grid.size[0]));
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0);
  // OW pixel data: the two's-complement bit pattern of int16 is what DICOM stores.
  const OFCondition status =
      ds->putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(stored.data()),
                                  static_cast<unsigned long>(stored.size()));
  if (status.bad()) throw InternalError("DICOM writer: cannot set PixelData");
}

void save(DcmFileFormat* file, const std::filesystem::path& path) {
  AtomicOutput output(path);
  const OFCondition status =
      file->saveFile(output.temporary_path().c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) {
    throw InvalidInputError("cannot write " + path.string() + ": " + status.text() +
                            "; check that the output folder is writable");
  }
  output.commit();
}

// Runs write_slice(k) for k = 0..slices-1 on the TBB pool. Each call builds and saves its own
// DcmFileFormat (DCMTK's data dictionary is shared read-only under its own lock), so the files
// are the same bytes whatever the number of threads.
template <typename WriteSlice>
void for_each_slice_in_parallel(int64_t slices, WriteSlice write_slice) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, slices), [&](const auto& range) {
    for (int64_t k = range.begin(); k != range.end(); ++k) write_slice(k);
  });
}

std::filesystem::path instance_path(const std::filesystem::path& folder, int64_t instance) {
  char name[32];
  std::snprintf(name, sizeof(name), "IM%06lld.dcm", static_cast<long long>(instance));
  return folder / name;
}

// Stored integers of one slice and the slope that maps them back: slope = max|U| / 32767, so
// that the slice maximum uses the full int16 range.
struct EncodedSlice {
  std::vector<int16_t> stored;
  double slope = 1.0;
};

EncodedSlice encode_slice(const float* values, size_t count) {
  double max_abs = 0.0;
  for (size_t v = 0; v < count; ++v) max_abs = std::max(max_abs, std::abs(double{values[v]}));
  EncodedSlice slice;
  // The slope is rounded to its DS text first, so that stored * slope(text) is what we meant.
  slice.slope = max_abs > 0.0 ? std::stod(format_decimal_string(max_abs / 32767.0)) : 1.0;
  slice.stored.resize(count);
  for (size_t v = 0; v < count; ++v) {
    const double q = std::nearbyint(values[v] / slice.slope);
    slice.stored[v] = static_cast<int16_t>(std::clamp(q, -32768.0, 32767.0));
  }
  return slice;
}

struct PetUnits {
  std::string units;
  double unit_per_bq_per_ml = 1.0;  // U = C * unit_per_bq_per_ml
  std::optional<double> philips_activity_scale_factor;
  std::optional<double> philips_suv_scale_factor;
};

PetUnits pet_units(const ImageVolume& image, const DicomPatientInfo& patient,
                   const DicomSeriesInfo& series, const IsotopeInfo& isotope) {
  const double elapsed_s = series.series_datetime.seconds_since(isotope.injection);
  const double reference_activity_bq =
      decayed_activity(isotope.injected_activity_bq, elapsed_s, isotope.nuclide->half_life_s);
  const double suv_per_bq_per_ml = patient.weight_kg * 1000.0 / reference_activity_bq;
  PetUnits units;
  switch (series.vendor) {
    case PhantomVendorStyle::kGe:
    case PhantomVendorStyle::kSiemens:
      units.units = "BQML";
      return units;
    case PhantomVendorStyle::kPhilips: {
      // A synthetic count scale: 1e-3 counts per decay in the voxel during the frame.
      const double counts_per_bq_per_ml =
          image.geometry.voxel_volume_ml() * isotope.frame_duration_s * 1e-3;
      units.units = "CNTS";
      units.unit_per_bq_per_ml = counts_per_bq_per_ml;
      units.philips_activity_scale_factor =
          std::stod(format_decimal_string(1.0 / counts_per_bq_per_ml));
      units.philips_suv_scale_factor = std::stod(
          format_decimal_string(*units.philips_activity_scale_factor * suv_per_bq_per_ml));
      return units;
    }
    case PhantomVendorStyle::kGml:
      units.units = "GML";
      units.unit_per_bq_per_ml = suv_per_bq_per_ml;
      return units;
  }
  throw InternalError("unknown vendor style");
}

void put_radiopharmaceutical(DcmItem* ds, const IsotopeInfo& isotope) {
  DcmItem* item = new_item(ds, DCM_RadiopharmaceuticalInformationSequence);
  put(item, DCM_Radiopharmaceutical, isotope.radiopharmaceutical);
  put(item, DCM_RadiopharmaceuticalStartTime, isotope.injection.dicom_time());
  put(item, DCM_RadiopharmaceuticalStartDateTime, dicom_datetime(isotope.injection));
  put(item, DCM_RadionuclideTotalDose, format_decimal_string(isotope.injected_activity_bq));
  put(item, DCM_RadionuclideHalfLife, format_decimal_string(isotope.nuclide->half_life_s));
  put(item, DCM_RadionuclidePositronFraction,
      format_decimal_string(isotope.nuclide->positron_fraction));
  if (!isotope.nuclide->codes.empty()) {
    const NuclideCode& code = isotope.nuclide->codes.front();
    put_code(item, DCM_RadionuclideCodeSequence, code.value, code.scheme, code.meaning);
  }
  if (isotope.radiopharmaceutical_code) {
    const CodedConcept& code = *isotope.radiopharmaceutical_code;
    put_code(item, DCM_RadiopharmaceuticalCodeSequence, code.value, code.scheme, code.meaning);
  }
}

// NM/PET Patient Orientation module: recumbent, supine, head first (SNOMED-RT codes of DICOM
// PS3.16 CID 19, 20 and 21).
void put_patient_orientation(DcmItem* ds) {
  DcmItem* orientation = new_item(ds, DCM_PatientOrientationCodeSequence);
  put(orientation, DCM_CodeValue, "F-10450");
  put(orientation, DCM_CodingSchemeDesignator, "SRT");
  put(orientation, DCM_CodeMeaning, "recumbent");
  put_code(orientation, DCM_PatientOrientationModifierCodeSequence, "F-10340", "SRT", "supine");
  put_code(ds, DCM_PatientGantryRelationshipCodeSequence, "F-10470", "SRT", "headfirst");
}

}  // namespace

std::string format_decimal_string(double value) {
  if (value == 0.0) return "0";
  char text[32];
  for (int precision = 16; precision >= 1; --precision) {
    std::snprintf(text, sizeof(text), "%.*g", precision, value);
    if (std::string(text).size() <= 16) return text;
  }
  throw InternalError("cannot format " + std::to_string(value) + " as a DICOM DS");
}

WrittenSeries write_pet_series(const ImageVolume& bq_per_ml, const DicomPatientInfo& patient,
                               const DicomStudyInfo& study, const DicomSeriesInfo& series,
                               const IsotopeInfo& isotope, const std::filesystem::path& folder) {
  if (isotope.nuclide == nullptr) throw InternalError("write_pet_series: no nuclide");
  std::filesystem::create_directories(folder);
  const Geometry& grid = bq_per_ml.geometry;
  const PetUnits units = pet_units(bq_per_ml, patient, series, isotope);
  const double half_life_s = isotope.nuclide->half_life_s;
  const double duration_s = isotope.frame_duration_s;
  // One frame starting at the series start, decay-corrected to that start (START). DecayFactor is
  // the factor applied: the frame average back to the frame start, λT / (1 - e^(-λT)).
  const double decay_factor = decay_during_frame_factor(duration_s, half_life_s);
  const double frame_reference_ms =
      series.vendor == PhantomVendorStyle::kGe
          ? 0.0  // GE: start of the frame (bed) relative to SeriesTime (pet-quantification §4.2)
          : 1000.0 * time_of_average_activity_s(duration_s, half_life_s);
  const size_t slice_voxels = static_cast<size_t>(grid.size[0] * grid.size[1]);

  WrittenSeries written;
  written.units = units.units;
  written.philips_activity_scale_factor = units.philips_activity_scale_factor;
  written.philips_suv_scale_factor = units.philips_suv_scale_factor;
  const size_t slices = static_cast<size_t>(grid.size[2]);
  written.files.resize(slices);
  written.rescale_slopes.resize(slices);
  // One file per slice, written in parallel: each file depends on its slice only.
  for_each_slice_in_parallel(grid.size[2], [&](int64_t k) {
    std::vector<float> slice_units(slice_voxels);
    const float* source = bq_per_ml.values.data() + static_cast<size_t>(k) * slice_voxels;
    for (size_t v = 0; v < slice_voxels; ++v) {
      slice_units[v] = static_cast<float>(source[v] * units.unit_per_bq_per_ml);
    }
    const EncodedSlice encoded = encode_slice(slice_units.data(), slice_voxels);
    const int64_t instance = k + 1;

    DcmFileFormat file;
    DcmDataset* ds = file.getDataset();
    put_sop(
        ds, UID_PositronEmissionTomographyImageStorage,
        make_phantom_uid(series.seed, series.uid_purpose + " instance " + std::to_string(instance)),
        series.series_datetime);
    put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY");
    put_patient_and_study(ds, patient, study);
    put_series_and_equipment(ds, series, "PT");
    // PET Series module.
    put(ds, DCM_Units, units.units);
    if (series.vendor == PhantomVendorStyle::kGml) put(ds, DCM_SUVType, "BW");
    put(ds, DCM_CountsSource, "EMISSION");
    put(ds, DCM_SeriesType, "WHOLE BODY\\IMAGE");
    put(ds, DCM_NumberOfSlices, integer_string(grid.size[2]));
    put(ds, DCM_CorrectedImage, "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM");
    put(ds, DCM_RandomsCorrectionMethod, "DLYD");
    put(ds, DCM_AttenuationCorrectionMethod, "CT-based");
    put(ds, DCM_ScatterCorrectionMethod, "model-based");
    put(ds, DCM_DecayCorrection, "START");
    put(ds, DCM_ReconstructionMethod, "OSEM (simulated: Gaussian PSF)");
    put(ds, DCM_CollimatorType, "NONE");
    // PET Isotope and NM/PET Patient Orientation modules.
    put_radiopharmaceutical(ds, isotope);
    put_patient_orientation(ds);
    // General Image and PET Image modules.
    put(ds, DCM_InstanceNumber, integer_string(instance));
    put(ds, DCM_ImageIndex, integer_string(instance));
    put(ds, DCM_AcquisitionDate, series.series_datetime.dicom_date());
    put(ds, DCM_AcquisitionTime, series.series_datetime.dicom_time());
    put(ds, DCM_ContentDate, series.series_datetime.dicom_date());
    put(ds, DCM_ContentTime, series.series_datetime.dicom_time());
    put(ds, DCM_FrameReferenceTime, format_decimal_string(frame_reference_ms));
    put(ds, DCM_ActualFrameDuration, integer_string(std::llround(duration_s * 1000.0)));
    put(ds, DCM_DecayFactor, format_decimal_string(decay_factor));
    put(ds, DCM_RescaleIntercept, "0");
    put(ds, DCM_RescaleSlope, format_decimal_string(encoded.slope));
    put(ds, DCM_LossyImageCompression, "00");
    put_plane(ds, grid, k);
    put_pixels(ds, grid, encoded.stored, true);
    // Vendor particulars (pet-quantification.md §2, §3.3, §4.4, §4.5).
    if (series.vendor == PhantomVendorStyle::kGe) {
      put_private(ds, 0x0009, 0x0010, EVR_LO, "GEMS_PETD_01");
      put_private(ds, 0x0009, 0x100D, EVR_DT, dicom_datetime(series.series_datetime));
      put_private(ds, 0x0009, 0x103B, EVR_DT, dicom_datetime(isotope.injection));
    } else if (series.vendor == PhantomVendorStyle::kSiemens) {
      put_private(ds, 0x0071, 0x0010, EVR_LO, "SIEMENS MED PT");
      put_private(ds, 0x0071, 0x1022, EVR_DT, dicom_datetime(series.series_datetime));
    } else if (series.vendor == PhantomVendorStyle::kPhilips) {
      put_private(ds, 0x7053, 0x0010, EVR_LO, "Philips PET Private Group");
      put_private(ds, 0x7053, 0x1000, EVR_DS,
                  format_decimal_string(*units.philips_suv_scale_factor));
      put_private(ds, 0x7053, 0x1009, EVR_DS,
                  format_decimal_string(*units.philips_activity_scale_factor));
    }
    const std::filesystem::path path = instance_path(folder, instance);
    save(&file, path);
    written.files[static_cast<size_t>(k)] = path;
    written.rescale_slopes[static_cast<size_t>(k)] = encoded.slope;
  });
  return written;
}

WrittenSeries write_ct_series(const ImageVolume& hu, const DicomPatientInfo& patient,
                              const DicomStudyInfo& study, const DicomSeriesInfo& series,
                              const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  const Geometry& grid = hu.geometry;
  const size_t slice_voxels = static_cast<size_t>(grid.size[0] * grid.size[1]);
  WrittenSeries written;
  written.units = "HU";
  const size_t slices = static_cast<size_t>(grid.size[2]);
  written.files.resize(slices);
  written.rescale_slopes.assign(slices, 1.0);
  for_each_slice_in_parallel(grid.size[2], [&](int64_t k) {
    std::vector<int16_t> stored(slice_voxels);
    const float* source = hu.values.data() + static_cast<size_t>(k) * slice_voxels;
    for (size_t v = 0; v < slice_voxels; ++v) {
      const double value = std::nearbyint(double{source[v]} + 1024.0);
      stored[v] = static_cast<int16_t>(std::clamp(value, -32768.0, 32767.0));
    }
    const int64_t instance = k + 1;
    DcmFileFormat file;
    DcmDataset* ds = file.getDataset();
    put_sop(
        ds, UID_CTImageStorage,
        make_phantom_uid(series.seed, series.uid_purpose + " instance " + std::to_string(instance)),
        series.series_datetime);
    put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    put_patient_and_study(ds, patient, study);
    put_series_and_equipment(ds, series, "CT");
    put(ds, DCM_InstanceNumber, integer_string(instance));
    put(ds, DCM_AcquisitionNumber, "1");
    put(ds, DCM_AcquisitionDate, series.series_datetime.dicom_date());
    put(ds, DCM_AcquisitionTime, series.series_datetime.dicom_time());
    put(ds, DCM_ContentDate, series.series_datetime.dicom_date());
    put(ds, DCM_ContentTime, series.series_datetime.dicom_time());
    put(ds, DCM_KVP, "120");
    put(ds, DCM_XRayTubeCurrent, "80");
    put(ds, DCM_ConvolutionKernel, "STANDARD");
    put(ds, DCM_RescaleIntercept, "-1024");
    put(ds, DCM_RescaleSlope, "1");
    put(ds, DCM_RescaleType, "HU");
    put(ds, DCM_WindowCenter, "40");
    put(ds, DCM_WindowWidth, "400");
    put(ds, DCM_LossyImageCompression, "00");
    put_plane(ds, grid, k);
    put_pixels(ds, grid, stored, true);
    const std::filesystem::path path = instance_path(folder, instance);
    save(&file, path);
    written.files[static_cast<size_t>(k)] = path;
  });
  return written;
}

WrittenNm write_nm_tomo(const ImageVolume& bq_per_ml, const DicomPatientInfo& patient,
                        const DicomStudyInfo& study, const DicomSeriesInfo& series,
                        const IsotopeInfo& isotope, const std::filesystem::path& file_path) {
  if (isotope.nuclide == nullptr) throw InternalError("write_nm_tomo: no nuclide");
  std::filesystem::create_directories(file_path.parent_path());
  const Geometry& grid = bq_per_ml.geometry;
  if (grid.size[2] > 65535) throw InvalidInputError("NM: at most 65535 slices");
  double max_value = 0.0;
  for (float v : bq_per_ml.values) max_value = std::max(max_value, double{v});
  // One factor for the whole volume (NM has no per-frame rescale): the maximum maps to 60000.
  WrittenNm written;
  written.file = file_path;
  written.real_world_value_slope_bq_per_ml = max_value > 0.0 ? max_value / 60000.0 : 1.0;
  std::vector<int16_t> stored(bq_per_ml.values.size());
  uint64_t total_counts = 0;
  for (size_t v = 0; v < stored.size(); ++v) {
    const double counts = std::nearbyint(std::max(0.0, double{bq_per_ml.values[v]}) /
                                         written.real_world_value_slope_bq_per_ml);
    const uint16_t value = static_cast<uint16_t>(std::clamp(counts, 0.0, 65535.0));
    total_counts += value;
    std::memcpy(&stored[v], &value, sizeof(value));
  }

  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  put_sop(ds, UID_NuclearMedicineImageStorage,
          make_phantom_uid(series.seed, series.uid_purpose + " instance 1"),
          series.series_datetime);
  put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\RECON TOMO\\EMISSION");
  put_patient_and_study(ds, patient, study);
  put_series_and_equipment(ds, series, "NM");
  put_patient_orientation(ds);
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_AcquisitionDate, series.series_datetime.dicom_date());
  put(ds, DCM_AcquisitionTime, series.series_datetime.dicom_time());
  put(ds, DCM_ContentDate, series.series_datetime.dicom_date());
  put(ds, DCM_ContentTime, series.series_datetime.dicom_time());
  put(ds, DCM_LossyImageCompression, "00");
  put(ds, DCM_CorrectedImage, "UNIF\\ATTN\\SCAT\\DECY");
  // CountsAccumulated is an IS (at most 2^31 - 1) of Type 2 in the NM Image module [PS3.3
  // C.8.4.9]: a sum that does not fit (large grids) is left empty rather than clipped.
  put(ds, DCM_CountsAccumulated,
      total_counts <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())
          ? std::to_string(total_counts)
          : std::string());
  // Multi-frame and NM Multi-frame modules: one frame per slice, indexed by SliceVector.
  put(ds, DCM_NumberOfFrames, integer_string(grid.size[2]));
  ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_SliceVector);
  std::vector<Uint16> slice_vector(static_cast<size_t>(grid.size[2]));
  for (size_t k = 0; k < slice_vector.size(); ++k) slice_vector[k] = static_cast<Uint16>(k + 1);
  ds->putAndInsertUint16Array(DCM_SliceVector, slice_vector.data(),
                              static_cast<unsigned long>(slice_vector.size()));
  ds->putAndInsertUint16(DCM_NumberOfSlices, static_cast<Uint16>(grid.size[2]));
  ds->putAndInsertUint16(DCM_NumberOfEnergyWindows, 1);
  ds->putAndInsertUint16(DCM_NumberOfDetectors, 1);
  ds->putAndInsertUint16(DCM_NumberOfRotations, 1);
  // NM Isotope module: energy window and radiopharmaceutical.
  const double window_kev = isotope.nuclide->main_photons.empty()
                                ? 140.0
                                : isotope.nuclide->main_photons.front().energy_kev;
  DcmItem* window = new_item(ds, DCM_EnergyWindowInformationSequence);
  DcmItem* range = new_item(window, DCM_EnergyWindowRangeSequence);
  put(range, DCM_EnergyWindowLowerLimit, format_decimal_string(0.9 * window_kev));
  put(range, DCM_EnergyWindowUpperLimit, format_decimal_string(1.1 * window_kev));
  put(window, DCM_EnergyWindowName, "PEAK");
  DcmItem* drug = new_item(ds, DCM_RadiopharmaceuticalInformationSequence);
  put(drug, DCM_Radiopharmaceutical, isotope.radiopharmaceutical);
  put(drug, DCM_RadiopharmaceuticalStartTime, isotope.injection.dicom_time());
  put(drug, DCM_RadiopharmaceuticalStartDateTime, dicom_datetime(isotope.injection));
  put(drug, DCM_RadionuclideTotalDose, format_decimal_string(isotope.injected_activity_bq));
  put(drug, DCM_RadionuclideHalfLife, format_decimal_string(isotope.nuclide->half_life_s));
  if (!isotope.nuclide->codes.empty()) {
    const NuclideCode& code = isotope.nuclide->codes.front();
    put_code(drug, DCM_RadionuclideCodeSequence, code.value, code.scheme, code.meaning);
  } else {
    put(drug, DCM_RadionuclideCodeSequence, "");
  }
  // NM Detector module: the volume's position and orientation (RECON TOMO).
  DcmItem* detector = new_item(ds, DCM_DetectorInformationSequence);
  put(detector, DCM_CollimatorType, "PARA");
  put(detector, DCM_FocalDistance, "");
  put(detector, DCM_XFocusCenter, "");
  put(detector, DCM_YFocusCenter, "");
  const Vec3 origin = grid.index_to_world(0, 0, 0);
  put(detector, DCM_ImagePositionPatient,
      format_decimal_string(origin[0]) + "\\" + format_decimal_string(origin[1]) + "\\" +
          format_decimal_string(origin[2]));
  put(detector, DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
  // NM TOMO Acquisition module: one 360 degree rotation of 120 views.
  DcmItem* rotation = new_item(ds, DCM_RotationInformationSequence);
  put(rotation, DCM_StartAngle, "0");
  put(rotation, DCM_AngularStep, "3");
  put(rotation, DCM_RotationDirection, "CW");
  put(rotation, DCM_ScanArc, "360");
  put(rotation, DCM_ActualFrameDuration,
      integer_string(std::llround(isotope.frame_duration_s * 1000 / 120)));
  rotation->putAndInsertUint16(DCM_NumberOfFramesInRotation, 120);
  put(ds, DCM_TypeOfDetectorMotion, "STEP AND SHOOT");
  // NM Reconstruction module.
  put(ds, DCM_SpacingBetweenSlices, format_decimal_string(grid.spacing_mm[2]));
  put(ds, DCM_SliceThickness, format_decimal_string(grid.spacing_mm[2]));
  put(ds, DCM_PixelSpacing,
      format_decimal_string(grid.spacing_mm[1]) + "\\" + format_decimal_string(grid.spacing_mm[0]));
  // Real World Value Mapping: counts -> Bq/mL (UCUM), decay-corrected to the acquisition start.
  DcmItem* mapping = new_item(ds, DCM_RealWorldValueMappingSequence);
  put(mapping, DCM_LUTExplanation, "activity concentration at acquisition start");
  put(mapping, DCM_LUTLabel, "BQML");
  mapping->putAndInsertUint16(DCM_RealWorldValueFirstValueMapped, 0);
  mapping->putAndInsertUint16(DCM_RealWorldValueLastValueMapped, 65535);
  mapping->putAndInsertFloat64(DCM_RealWorldValueIntercept, 0.0);
  mapping->putAndInsertFloat64(DCM_RealWorldValueSlope, written.real_world_value_slope_bq_per_ml);
  put_code(mapping, DCM_MeasurementUnitsCodeSequence, "Bq/ml", "UCUM", "Becquerels/milliliter");
  put_pixels(ds, grid, stored, false);
  save(&file, file_path);
  return written;
}

}  // namespace oncotrace::phantom
