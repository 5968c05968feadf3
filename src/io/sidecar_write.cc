// Sidecar writing: make_sidecar_json() builds the BIDS-PET view and the complete "oncotrace"
// object of a SeriesHeader (mapping: docs/nifti-sidecar.md).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

#include "io/sidecar_vocabulary.h"
#include "oncotrace/datetime.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"

namespace oncotrace {
namespace {

using io_internal::bids_radionuclide_for;
using io_internal::bids_units_for;
using io_internal::dicom_units_for;
using io_internal::iso_from_dicom_date_time;
using io_internal::iso_from_dicom_dt;
using io_internal::iso_time_of_day;
using io_internal::kOncotraceKey;
using io_internal::kSidecarVersion;
using nlohmann::json;

void put_string(json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

void put_sourced(json& object, const char* key, const Sourced<std::string>& value) {
  if (value.has_value() && !value.value->empty()) object[key] = *value;
}

template <typename T>
void put_sourced_number(json& object, const char* key, const Sourced<T>& value) {
  if (value.has_value()) object[key] = *value;
}

void put_strings(json& object, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) object[key] = values;
}

void put_dt(json& object, const char* key, const Sourced<std::string>& dt) {
  if (!dt.has_value()) return;
  if (const auto iso = iso_from_dicom_dt(*dt)) object[key] = *iso;
}

// "<prefix>DateTime" for DA + TM, else "<prefix>Time" for a TM alone, else "<prefix>Date".
void put_date_time_pair(json& object, const std::string& prefix, const std::string& da,
                        const std::string& tm) {
  if (const auto combined = combine_date_time(da, tm)) {
    object[prefix + "DateTime"] = combined->iso8601();
  } else if (const auto seconds = parse_dicom_time(tm)) {
    object[prefix + "Time"] = iso_time_of_day(*seconds);
  } else if (const auto days = parse_dicom_date(da)) {
    object[prefix + "Date"] =
        make_datetime(1970, 1, 1).plus_seconds(*days * 86400.0).iso8601().substr(0, 10);
  }
}

// One per-slice attribute of a frame: a scalar when every slice has the same value, an array
// (null where a slice lacks it) otherwise, nothing when no slice has it.
template <typename Getter>
void put_per_slice(json& object, const char* key, const std::vector<SliceRecord>& slices,
                   Getter value_of) {
  std::vector<json> values;
  values.reserve(slices.size());
  bool any = false;
  for (const auto& slice : slices) {
    json value = value_of(slice);
    any = any || !value.is_null();
    values.push_back(std::move(value));
  }
  if (!any) return;
  const bool uniform = std::all_of(values.begin(), values.end(),
                                   [&](const json& value) { return value == values.front(); });
  object[key] = uniform ? values.front() : json(values);
}

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

std::optional<DateTime> slice_acquisition(const SliceRecord& slice) {
  if (!slice.acquisition_datetime.empty()) {
    if (const auto parsed = parse_dicom_datetime(slice.acquisition_datetime)) return parsed;
  }
  return combine_date_time(slice.acquisition_date, slice.acquisition_time);
}

json frame_record(const Frame& frame) {
  json record = json::object();
  if (frame.start_s) record["StartSeconds"] = *frame.start_s;
  if (frame.duration_s) record["DurationSeconds"] = *frame.duration_s;
  const auto& slices = frame.slices;
  put_per_slice(record, "AcquisitionDateTime", slices, [](const SliceRecord& slice) {
    std::optional<std::string> iso;
    if (!slice.acquisition_datetime.empty()) iso = iso_from_dicom_dt(slice.acquisition_datetime);
    if (!iso) iso = iso_from_dicom_date_time(slice.acquisition_date, slice.acquisition_time);
    return optional_json(iso);
  });
  put_per_slice(record, "FrameReferenceDateTime", slices, [](const SliceRecord& slice) {
    return optional_json(iso_from_dicom_dt(slice.frame_reference_datetime));
  });
  put_per_slice(record, "FrameReferenceTime", slices, [](const SliceRecord& slice) {
    return optional_json(slice.frame_reference_time_ms);
  });
  put_per_slice(record, "ActualFrameDuration", slices, [](const SliceRecord& slice) {
    return optional_json(slice.actual_frame_duration_ms);
  });
  put_per_slice(record, "DecayFactor", slices,
                [](const SliceRecord& slice) { return optional_json(slice.decay_factor); });
  put_per_slice(record, "DoseCalibrationFactor", slices, [](const SliceRecord& slice) {
    return optional_json(slice.dose_calibration_factor);
  });
  put_per_slice(record, "PhilipsSUVScaleFactor", slices, [](const SliceRecord& slice) {
    return optional_json(slice.philips_suv_scale_factor);
  });
  put_per_slice(record, "PhilipsActivityConcentrationScaleFactor", slices,
                [](const SliceRecord& slice) {
                  return optional_json(slice.philips_activity_concentration_scale_factor);
                });
  put_per_slice(record, "ImageIndex", slices,
                [](const SliceRecord& slice) { return optional_json(slice.image_index); });
  return record;
}

// The complete SeriesHeader under DICOM keywords (see the file comment).
json oncotrace_object(const SeriesHeader& header, const std::vector<Frame>& frames) {
  json object = json::object();
  object["SidecarVersion"] = kSidecarVersion;
  put_string(object, "StudyInstanceUID", header.study_instance_uid);
  put_string(object, "SeriesInstanceUID", header.series_instance_uid);
  put_string(object, "SOPClassUID", header.sop_class_uid);
  put_string(object, "Modality", header.modality);
  put_string(object, "SeriesDescription", header.series_description);
  put_string(object, "SeriesNumber", header.series_number);
  put_string(object, "FrameOfReferenceUID", header.frame_of_reference_uid);
  put_string(object, "Manufacturer", header.manufacturer);
  put_string(object, "ManufacturerModelName", header.manufacturer_model);
  put_string(object, "SoftwareVersions", header.software_versions);
  put_strings(object, "ImageType", header.image_type);
  put_strings(object, "SeriesType", header.series_type);
  put_date_time_pair(object, "Study", header.study_date, header.study_time);
  put_date_time_pair(object, "Series", header.series_date, header.series_time);

  put_sourced_number(object, "PatientWeight", header.patient_weight_kg);
  put_sourced_number(object, "PatientSize", header.patient_size_m);
  put_sourced(object, "PatientSex", header.patient_sex);
  put_sourced(object, "PatientAge", header.patient_age);

  const RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  put_sourced(object, "Radiopharmaceutical", drug.radiopharmaceutical);
  put_sourced(object, "RadiopharmaceuticalCodeValue", drug.radiopharmaceutical_code);
  put_sourced(object, "RadiopharmaceuticalCodeMeaning", drug.radiopharmaceutical_meaning);
  put_sourced(object, "RadionuclideCodeValue", drug.radionuclide_code);
  put_sourced(object, "RadionuclideCodeMeaning", drug.radionuclide_meaning);
  put_sourced(object, "RadionuclideCodingSchemeDesignator", drug.radionuclide_scheme);
  if (drug.start_time.has_value()) {
    if (const auto seconds = parse_dicom_time(*drug.start_time)) {
      object["RadiopharmaceuticalStartTime"] = iso_time_of_day(*seconds);
    }
  }
  put_dt(object, "RadiopharmaceuticalStartDateTime", drug.start_datetime);
  put_sourced_number(object, "RadionuclideTotalDose", drug.total_dose);
  put_sourced_number(object, "RadionuclideHalfLife", drug.half_life_s);
  put_sourced_number(object, "RadionuclidePositronFraction", drug.positron_fraction);

  put_sourced(object, "Units", header.units);
  put_sourced(object, "DecayCorrection", header.decay_correction);
  put_sourced(object, "SUVType", header.suv_type);
  put_strings(object, "CorrectedImage", header.corrected_image);
  put_sourced(object, "DecayCorrected", header.decay_corrected_flag);
  put_sourced(object, "AttenuationCorrected", header.attenuation_corrected_flag);
  put_dt(object, "DecayCorrectionDateTime", header.decay_correction_datetime);
  put_sourced(object, "RealWorldValueUnits", header.real_world_value_units);
  put_sourced_number(object, "NumberOfTimeSlices", header.number_of_time_slices);
  put_sourced_number(object, "NumberOfSlices", header.number_of_slices);
  put_dt(object, "GEScanDateTime", header.ge_scan_datetime);
  put_dt(object, "GEAdministrationDateTime", header.ge_administration_datetime);
  put_dt(object, "SiemensDecayCorrectionDateTime", header.siemens_decay_correction_datetime);
  put_strings(object, "ReaderNotes", header.reader_notes);

  json frame_records = json::array();
  for (const auto& frame : frames) frame_records.push_back(frame_record(frame));
  object["Frames"] = std::move(frame_records);
  return object;
}

bool contains_value(const std::vector<std::string>& values, const std::string& wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

std::optional<DateTime> injection_datetime(const SeriesHeader& header,
                                           const std::optional<DateTime>& series_start) {
  const RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  if (drug.start_datetime.has_value()) {
    if (const auto parsed = parse_dicom_datetime(*drug.start_datetime)) return parsed;
  }
  // A time without a date takes the series date, one day earlier when that would put the
  // injection after the scan (midnight rollover, pet-quantification.md §4.7). This only places
  // the BIDS relative times; the SUV module resolves and audits the injection time itself from
  // the "oncotrace" object.
  if (drug.start_time.has_value() && series_start) {
    if (auto combined = combine_date_time(header.series_date, *drug.start_time)) {
      if (*combined > *series_start) *combined = combined->plus_seconds(-86400.0);
      return combined;
    }
  }
  return std::nullopt;
}

std::optional<bool> image_decay_corrected(const SeriesHeader& header) {
  if (header.decay_correction.has_value()) {
    if (*header.decay_correction == "NONE") return false;
    if (*header.decay_correction == "START" || *header.decay_correction == "ADMIN") return true;
  }
  if (header.decay_corrected_flag.has_value()) return *header.decay_corrected_flag == "YES";
  if (contains_value(header.corrected_image, "DECY") ||
      contains_value(header.corrected_image, "DECAY")) {
    return true;
  }
  return std::nullopt;
}

bool attenuation_corrected(const SeriesHeader& header) {
  if (header.attenuation_corrected_flag.has_value()) {
    return *header.attenuation_corrected_flag == "YES";
  }
  return contains_value(header.corrected_image, "ATTN");
}

// BIDS times are seconds relative to TimeZero: the injection when known (BIDS' usual choice),
// else the series start.
void put_bids_timing(json& sidecar, const SeriesHeader& header, const std::vector<Frame>& frames) {
  const auto series_start = combine_date_time(header.series_date, header.series_time);
  const auto injection = injection_datetime(header, series_start);
  const std::optional<DateTime> time_zero = injection ? injection : series_start;
  if (!time_zero) return;
  sidecar["TimeZero"] = time_zero->iso8601().substr(11);
  std::optional<double> scan_start;
  if (series_start) scan_start = series_start->seconds_since(*time_zero);
  if (scan_start) sidecar["ScanStart"] = *scan_start;
  if (injection) sidecar["InjectionStart"] = injection->seconds_since(*time_zero);

  std::vector<double> starts;
  std::vector<double> durations;
  for (const auto& frame : frames) {
    std::optional<double> start;
    if (frame.start_s && scan_start) start = *scan_start + *frame.start_s;
    if (!start) {
      std::optional<DateTime> earliest;
      for (const auto& slice : frame.slices) {
        const auto acquired = slice_acquisition(slice);
        if (acquired && (!earliest || *acquired < *earliest)) earliest = acquired;
      }
      if (earliest) start = earliest->seconds_since(*time_zero);
    }
    if (!start && frames.size() == 1 && scan_start) start = scan_start;
    if (start) starts.push_back(*start);

    std::optional<double> duration = frame.duration_s;
    if (!duration && !frame.slices.empty() && frame.slices.front().actual_frame_duration_ms) {
      const double first = *frame.slices.front().actual_frame_duration_ms;
      const bool uniform =
          std::all_of(frame.slices.begin(), frame.slices.end(), [first](const SliceRecord& slice) {
            return slice.actual_frame_duration_ms && *slice.actual_frame_duration_ms == first;
          });
      if (uniform) duration = first / 1000.0;
    }
    if (duration) durations.push_back(*duration);
  }
  if (!frames.empty() && starts.size() == frames.size()) sidecar["FrameTimesStart"] = starts;
  if (!frames.empty() && durations.size() == frames.size()) sidecar["FrameDuration"] = durations;

  const auto corrected = image_decay_corrected(header);
  if (!corrected) return;
  sidecar["ImageDecayCorrected"] = *corrected;
  if (!*corrected) return;
  std::optional<double> decay_reference;
  if (header.decay_correction_datetime.has_value()) {
    if (const auto reference = parse_dicom_datetime(*header.decay_correction_datetime)) {
      decay_reference = reference->seconds_since(*time_zero);
    }
  }
  if (!decay_reference && header.decay_correction.has_value()) {
    if (*header.decay_correction == "ADMIN" && injection) decay_reference = 0.0;
    if (*header.decay_correction == "START") decay_reference = scan_start;
  }
  if (decay_reference) sidecar["ImageDecayCorrectionTime"] = *decay_reference;
}

// The BIDS-PET view of the header (interoperability.md §2.2).
json bids_fields(const SeriesHeader& header, const std::vector<Frame>& frames) {
  json sidecar = json::object();
  put_string(sidecar, "Manufacturer", header.manufacturer);
  put_string(sidecar, "ManufacturersModelName", header.manufacturer_model);
  put_string(sidecar, "SoftwareVersions", header.software_versions);
  if (header.units.has_value()) {
    sidecar["Units"] =
        bids_units_for(*header.units, header.suv_type.has_value() ? *header.suv_type : "");
  }
  const RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  if (drug.radiopharmaceutical.has_value() && !drug.radiopharmaceutical.value->empty()) {
    sidecar["TracerName"] = *drug.radiopharmaceutical;
  } else if (drug.radiopharmaceutical_meaning.has_value()) {
    sidecar["TracerName"] = *drug.radiopharmaceutical_meaning;
  }
  if (drug.radionuclide_meaning.has_value()) {
    if (const auto nuclide = bids_radionuclide_for(*drug.radionuclide_meaning)) {
      sidecar["TracerRadionuclide"] = *nuclide;
    }
  }
  if (drug.total_dose.has_value()) {
    sidecar["InjectedRadioactivity"] = *drug.total_dose / 1e6;
    sidecar["InjectedRadioactivityUnits"] = "MBq";
  }
  if (header.patient_weight_kg.has_value()) {
    sidecar["BodyWeight"] = *header.patient_weight_kg;
    sidecar["BodyWeightUnits"] = "kg";
  }
  if (!header.corrected_image.empty() || header.attenuation_corrected_flag.has_value()) {
    sidecar["AttenuationCorrection"] =
        attenuation_corrected(header)
            ? "attenuation corrected (DICOM CorrectedImage ATTN); method not recorded"
            : "none";
  }
  put_bids_timing(sidecar, header, frames);
  return sidecar;
}

// After extra_json replaced the top-level "Units" (e.g. an SUV image described by its SUV audit),
// the "oncotrace" object follows, so that the file says one thing.
void align_units_with_top_level(json& sidecar) {
  if (!sidecar.contains("Units") || !sidecar["Units"].is_string()) return;
  json& ours = sidecar[kOncotraceKey];
  const auto dicom = dicom_units_for(sidecar["Units"].get<std::string>());
  if (!dicom) {
    ours.erase("Units");
    ours.erase("SUVType");
    return;
  }
  ours["Units"] = dicom->units;
  if (!dicom->suv_type.empty()) {
    ours["SUVType"] = dicom->suv_type;
  } else {
    ours.erase("SUVType");
  }
}

}  // namespace

bool is_nifti_path(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".nii") || ends_with(".nii.gz");
}

std::filesystem::path sidecar_path_for(const std::filesystem::path& image_path) {
  std::string name = image_path.filename().string();
  for (const std::string suffix : {".nii.gz", ".nii"}) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
      return image_path.parent_path() / (name + ".json");
    }
  }
  return image_path.parent_path() / (image_path.stem().string() + ".json");
}

std::string make_sidecar_json(const SeriesHeader& header, const std::vector<Frame>& frames,
                              const std::string& extra_json) {
  json sidecar = bids_fields(header, frames);
  sidecar[kOncotraceKey] = oncotrace_object(header, frames);
  if (!extra_json.empty()) {
    json extra;
    try {
      extra = json::parse(extra_json);
    } catch (const json::parse_error& error) {
      throw InvalidInputError(std::string("extra sidecar JSON is not valid JSON: ") + error.what());
    }
    if (!extra.is_object()) {
      throw InvalidInputError("extra sidecar JSON must be an object, not " +
                              std::string(extra.type_name()));
    }
    // JSON Merge Patch (RFC 7396): objects merge recursively, null removes a field.
    sidecar.merge_patch(extra);
    if (extra.contains("Units")) align_units_with_top_level(sidecar);
  }
  // nlohmann::json keeps object keys in a std::map: the output is sorted and deterministic.
  return sidecar.dump(2) + "\n";
}

}  // namespace oncotrace
