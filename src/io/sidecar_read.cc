// Sidecar reading: read_nifti_series() turns a NIfTI image and its JSON sidecar into an
// ImageSeries. A sidecar written by oncotrace is read from its "oncotrace" object (the complete
// header); a BIDS-PET sidecar from elsewhere from its BIDS fields (mapping: docs/nifti-sidecar.md).
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include "io/nifti_itk.h"
#include "io/sidecar_vocabulary.h"
#include "oncotrace/datetime.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"

namespace oncotrace {
namespace {

using io_internal::dicom_units_for;
using io_internal::kOncotraceKey;
using io_internal::lowercase;
using io_internal::parse_sidecar_time;
using io_internal::SidecarTime;
using nlohmann::json;

// BIDS asks FrameTimesStart[i] + FrameDuration[i] == FrameTimesStart[i + 1]; interoperability.md
// §2.2 allows 1 s.
constexpr double kFrameContinuityToleranceS = 1.0;
// A decay-correction time within this of injection or scan start is taken to be that time.
constexpr double kDecayReferenceMatchS = 1.0;

// Looks fields up in the "oncotrace" object first and the BIDS top level second, and writes the
// source of every value it hands out.
class SidecarFields {
 public:
  SidecarFields(const json& root, std::string file_name)
      : root_(root), file_name_(std::move(file_name)) {
    if (root_.contains(kOncotraceKey) && root_[kOncotraceKey].is_object()) {
      ours_ = &root_[kOncotraceKey];
    }
  }

  const json* ours() const { return ours_; }
  const json& root() const { return root_; }

  std::string source(const std::string& field) const {
    return "sidecar " + file_name_ + ": " + field;
  }
  std::string our_source(const std::string& key) const {
    return source(std::string(kOncotraceKey) + "." + key);
  }
  std::string absent(const std::string& what) const {
    return "sidecar " + file_name_ + ": " + what + " (absent)";
  }

  const json* our(const std::string& key) const {
    if (ours_ == nullptr || !ours_->contains(key) || (*ours_)[key].is_null()) return nullptr;
    return &(*ours_)[key];
  }
  const json* top(const std::string& key) const {
    if (!root_.contains(key) || root_[key].is_null()) return nullptr;
    return &root_[key];
  }

  std::optional<std::string> our_string(const std::string& key) const {
    const json* value = our(key);
    if (value == nullptr) return std::nullopt;
    return as_string(*value, our_source(key));
  }
  std::optional<std::string> top_string(const std::string& key) const {
    const json* value = top(key);
    if (value == nullptr) return std::nullopt;
    return as_string(*value, source(key));
  }
  std::optional<double> our_number(const std::string& key) const {
    const json* value = our(key);
    if (value == nullptr) return std::nullopt;
    return as_number(*value, our_source(key));
  }
  std::optional<double> top_number(const std::string& key) const {
    const json* value = top(key);
    if (value == nullptr) return std::nullopt;
    return as_number(*value, source(key));
  }
  std::vector<std::string> our_strings(const std::string& key) const {
    const json* value = our(key);
    if (value == nullptr) return {};
    if (!value->is_array()) fail(our_source(key), "an array of strings");
    std::vector<std::string> values;
    for (const auto& element : *value) values.push_back(as_string(element, our_source(key)));
    return values;
  }
  std::optional<SidecarTime> our_time(const std::string& key) const {
    const auto text = our_string(key);
    if (!text) return std::nullopt;
    const auto parsed = parse_sidecar_time(*text);
    if (!parsed) fail(our_source(key), "an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)");
    return parsed;
  }

  [[noreturn]] void fail(const std::string& where, const std::string& expected) const {
    throw InvalidInputError(where + " must be " + expected + "; correct or remove the field");
  }
  std::string as_string(const json& value, const std::string& where) const {
    if (!value.is_string()) fail(where, "a string");
    return value.get<std::string>();
  }
  double as_number(const json& value, const std::string& where) const {
    if (!value.is_number()) fail(where, "a number");
    return value.get<double>();
  }

 private:
  const json& root_;
  std::string file_name_;
  const json* ours_ = nullptr;
};

void read_string_field(const SidecarFields& fields, const char* key, std::string& target) {
  if (auto value = fields.our_string(key)) target = *value;
}

void read_sourced_string(const SidecarFields& fields, const char* key,
                         Sourced<std::string>& target) {
  target.source = fields.our_source(key);
  if (auto value = fields.our_string(key)) {
    target.value = *value;
  } else {
    target.source = fields.absent(std::string(kOncotraceKey) + "." + key);
  }
}

template <typename T>
void read_sourced_number(const SidecarFields& fields, const char* key, Sourced<T>& target) {
  target.source = fields.our_source(key);
  if (auto value = fields.our_number(key)) {
    target.value = static_cast<T>(*value);
  } else {
    target.source = fields.absent(std::string(kOncotraceKey) + "." + key);
  }
}

void read_sourced_dt(const SidecarFields& fields, const char* key, Sourced<std::string>& target) {
  target.source = fields.our_source(key);
  const auto time = fields.our_time(key);
  if (time && time->full) {
    target.value = time->dicom_datetime();
  } else {
    target.source = fields.absent(std::string(kOncotraceKey) + "." + key);
  }
}

// "<prefix>DateTime" / "<prefix>Date" / "<prefix>Time" back to DA and TM.
void read_date_time_pair(const SidecarFields& fields, const std::string& prefix, std::string& da,
                         std::string& tm) {
  if (const auto both = fields.our_time(prefix + "DateTime")) {
    da = both->dicom_date();
    tm = both->dicom_time();
    return;
  }
  if (const auto time = fields.our_time(prefix + "Time")) tm = time->dicom_time();
  if (const auto date = fields.our_string(prefix + "Date")) {
    if (const auto parsed = parse_iso8601(*date + "T00:00:00")) da = parsed->dicom_date();
  }
}

void read_identity(const SidecarFields& fields, SeriesHeader& header) {
  read_string_field(fields, "PatientID", header.patient_id);
  read_string_field(fields, "PatientName", header.patient_name);
  read_string_field(fields, "StudyInstanceUID", header.study_instance_uid);
  read_string_field(fields, "SeriesInstanceUID", header.series_instance_uid);
  read_string_field(fields, "SOPClassUID", header.sop_class_uid);
  read_string_field(fields, "Modality", header.modality);
  read_string_field(fields, "SeriesDescription", header.series_description);
  read_string_field(fields, "SeriesNumber", header.series_number);
  read_string_field(fields, "FrameOfReferenceUID", header.frame_of_reference_uid);
  read_string_field(fields, "Manufacturer", header.manufacturer);
  read_string_field(fields, "ManufacturerModelName", header.manufacturer_model);
  read_string_field(fields, "SoftwareVersions", header.software_versions);
  header.image_type = fields.our_strings("ImageType");
  header.series_type = fields.our_strings("SeriesType");
  read_date_time_pair(fields, "Study", header.study_date, header.study_time);
  read_date_time_pair(fields, "Series", header.series_date, header.series_time);
}

void read_patient_and_drug(const SidecarFields& fields, SeriesHeader& header) {
  read_sourced_number(fields, "PatientWeight", header.patient_weight_kg);
  read_sourced_number(fields, "PatientSize", header.patient_size_m);
  read_sourced_string(fields, "PatientSex", header.patient_sex);
  read_sourced_string(fields, "PatientAge", header.patient_age);

  RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  read_sourced_string(fields, "Radiopharmaceutical", drug.radiopharmaceutical);
  read_sourced_string(fields, "RadiopharmaceuticalCodeValue", drug.radiopharmaceutical_code);
  read_sourced_string(fields, "RadiopharmaceuticalCodeMeaning", drug.radiopharmaceutical_meaning);
  read_sourced_string(fields, "RadionuclideCodeValue", drug.radionuclide_code);
  read_sourced_string(fields, "RadionuclideCodeMeaning", drug.radionuclide_meaning);
  read_sourced_string(fields, "RadionuclideCodingSchemeDesignator", drug.radionuclide_scheme);
  drug.start_time.source = fields.our_source("RadiopharmaceuticalStartTime");
  if (const auto time = fields.our_time("RadiopharmaceuticalStartTime")) {
    drug.start_time.value = time->dicom_time();
  } else {
    drug.start_time.source = fields.absent("oncotrace.RadiopharmaceuticalStartTime");
  }
  read_sourced_dt(fields, "RadiopharmaceuticalStartDateTime", drug.start_datetime);
  read_sourced_number(fields, "RadionuclideTotalDose", drug.total_dose);
  read_sourced_number(fields, "RadionuclideHalfLife", drug.half_life_s);
  read_sourced_number(fields, "RadionuclidePositronFraction", drug.positron_fraction);
}

void read_pet_attributes(const SidecarFields& fields, SeriesHeader& header) {
  read_sourced_string(fields, "Units", header.units);
  read_sourced_string(fields, "DecayCorrection", header.decay_correction);
  read_sourced_string(fields, "SUVType", header.suv_type);
  header.corrected_image = fields.our_strings("CorrectedImage");
  read_sourced_string(fields, "DecayCorrected", header.decay_corrected_flag);
  read_sourced_string(fields, "AttenuationCorrected", header.attenuation_corrected_flag);
  read_sourced_dt(fields, "DecayCorrectionDateTime", header.decay_correction_datetime);
  read_sourced_string(fields, "RealWorldValueUnits", header.real_world_value_units);
  read_sourced_number(fields, "NumberOfTimeSlices", header.number_of_time_slices);
  read_sourced_number(fields, "NumberOfSlices", header.number_of_slices);
  read_sourced_dt(fields, "GEScanDateTime", header.ge_scan_datetime);
  read_sourced_dt(fields, "GEAdministrationDateTime", header.ge_administration_datetime);
  read_sourced_dt(fields, "SiemensDecayCorrectionDateTime",
                  header.siemens_decay_correction_datetime);
  for (auto& note : fields.our_strings("ReaderNotes")) {
    header.reader_notes.push_back("(from the sidecar) " + note);
  }
}

// The top-level "Units" decides when it disagrees with the "oncotrace" object: it is what BIDS
// tools read, and extra_json may have replaced it after the object was written.
void reconcile_units(const SidecarFields& fields, SeriesHeader& header) {
  const auto top_units = fields.top_string("Units");
  if (!top_units || (header.units.has_value() && *header.units == *top_units)) return;
  const auto dicom = dicom_units_for(*top_units);
  if (dicom && header.units.has_value() && *header.units == dicom->units) return;
  if (dicom) {
    if (header.units.has_value()) {
      header.reader_notes.push_back(fields.source("Units") + " '" + *top_units +
                                    "' replaces oncotrace.Units '" + *header.units + "'");
    }
    header.units.value = dicom->units;
    header.units.source = fields.source("Units");
    if (!dicom->suv_type.empty()) {
      header.suv_type.value = dicom->suv_type;
      header.suv_type.source = fields.source("Units");
    }
    return;
  }
  header.reader_notes.push_back(fields.source("Units") + " '" + *top_units +
                                "' has no DICOM Units term; give --units to assert the units");
  header.units.value.reset();
  header.units.source = fields.source("Units") + " ('" + *top_units + "', no DICOM term)";
}

// ---- BIDS-PET sidecars from elsewhere (no "oncotrace" object) ---------------------------------

double injected_activity_factor_to_bq(const std::string& unit) {
  static const std::map<std::string, double> kFactors = {
      {"bq", 1.0},    {"kbq", 1e3},   {"mbq", 1e6},  {"gbq", 1e9},
      {"mci", 3.7e7}, {"uci", 3.7e4}, {"µci", 3.7e4}};
  const auto found = kFactors.find(lowercase(unit));
  return found == kFactors.end() ? 0.0 : found->second;
}

// BIDS clock times: TimeZero "hh:mm:ss", everything else seconds after it. The day is only known
// from the deprecated "ScanDate" (BIDS keeps it in scans.tsv, which is not read here).
struct BidsClock {
  std::optional<double> time_zero_s;  // seconds of day
  std::optional<int64_t> scan_date_days;
  std::optional<double> scan_start_s;  // relative to TimeZero
  std::optional<double> injection_start_s;

  // The instant TimeZero + offset: a full date-time when the day is known, else a time of day.
  std::optional<SidecarTime> at(std::optional<double> offset_s) const {
    if (!time_zero_s || !offset_s) return std::nullopt;
    const double seconds = *time_zero_s + *offset_s;
    if (scan_date_days) {
      const DateTime day_start = make_datetime(1970, 1, 1).plus_seconds(*scan_date_days * 86400.0);
      const DateTime instant = day_start.plus_seconds(seconds);
      return SidecarTime{instant, instant.seconds_of_day()};
    }
    const double within_day = seconds - 86400.0 * std::floor(seconds / 86400.0);
    return SidecarTime{std::nullopt, within_day};
  }
};

BidsClock read_bids_clock(const SidecarFields& fields) {
  BidsClock clock;
  if (const auto time_zero = fields.top_string("TimeZero")) {
    const auto parsed = parse_sidecar_time(*time_zero);
    if (!parsed || !parsed->seconds_of_day) fields.fail(fields.source("TimeZero"), "\"hh:mm:ss\"");
    clock.time_zero_s = parsed->seconds_of_day;
  }
  if (const auto scan_date = fields.top_string("ScanDate")) {
    if (const auto parsed = parse_iso8601(*scan_date + "T00:00:00")) {
      clock.scan_date_days = parsed->days_since_epoch();
    }
  }
  clock.scan_start_s = fields.top_number("ScanStart");
  clock.injection_start_s = fields.top_number("InjectionStart");
  return clock;
}

void fill_from_bids(const SidecarFields& fields, const BidsClock& clock, SeriesHeader& header) {
  if (header.manufacturer.empty()) {
    if (auto value = fields.top_string("Manufacturer")) header.manufacturer = *value;
  }
  if (header.manufacturer_model.empty()) {
    if (auto value = fields.top_string("ManufacturersModelName")) {
      header.manufacturer_model = *value;
    }
  }
  if (header.modality.empty()) {
    if (auto value = fields.top_string("Modality")) {
      header.modality = (*value == "PET") ? "PT" : *value;
    } else if (fields.top("TracerName") != nullptr || fields.top("TracerRadionuclide") != nullptr) {
      header.modality = "PT";
      header.reader_notes.push_back(fields.source("TracerName") +
                                    " present: modality taken as PT (BIDS-PET)");
    }
  }
  RadiopharmaceuticalInfo& drug = header.radiopharmaceutical;
  if (!drug.radiopharmaceutical.has_value()) {
    if (auto value = fields.top_string("TracerName")) {
      drug.radiopharmaceutical = {*value, fields.source("TracerName")};
    }
  }
  if (!drug.radionuclide_code.has_value() && !drug.radionuclide_meaning.has_value()) {
    if (auto value = fields.top_string("TracerRadionuclide")) {
      drug.radionuclide_meaning = {*value, fields.source("TracerRadionuclide")};
    }
  }
  if (!drug.total_dose.has_value()) {
    if (auto activity = fields.top_number("InjectedRadioactivity")) {
      const char* unit_key = fields.top("InjectedRadioactivityUnits") != nullptr
                                 ? "InjectedRadioactivityUnits"
                                 : "InjectedRadioActivityUnits";  // the specification example
      const std::string unit = fields.top_string(unit_key).value_or("");
      const double factor = injected_activity_factor_to_bq(unit);
      if (factor > 0.0) {
        drug.total_dose = {*activity * factor, fields.source("InjectedRadioactivity")};
      } else {
        header.reader_notes.push_back(fields.source(unit_key) + " '" + unit +
                                      "' is not an activity unit; give --dose BQ");
      }
    }
  }
  if (!header.patient_weight_kg.has_value()) {
    if (auto weight = fields.top_number("BodyWeight")) {
      const std::string unit = fields.top_string("BodyWeightUnits").value_or("kg");
      if (lowercase(unit) == "kg") {
        header.patient_weight_kg = {*weight, fields.source("BodyWeight")};
      } else if (lowercase(unit) == "g") {
        header.patient_weight_kg = {*weight / 1000.0, fields.source("BodyWeight")};
      } else {
        header.reader_notes.push_back(fields.source("BodyWeightUnits") + " '" + unit +
                                      "' is not kg or g; give --weight KG");
      }
    }
  }
  if (header.series_time.empty()) {
    if (const auto scan = clock.at(clock.scan_start_s)) {
      header.series_date = scan->dicom_date();
      header.series_time = scan->dicom_time();
      if (!scan->full) {
        header.reader_notes.push_back(
            fields.source("TimeZero") +
            ": the sidecar gives clock times without a date (BIDS keeps the date in "
            "scans.tsv); series and injection times have no date");
      }
    }
  }
  if (!drug.start_time.has_value() && !drug.start_datetime.has_value()) {
    if (const auto injection = clock.at(clock.injection_start_s)) {
      drug.start_time = {injection->dicom_time(), fields.source("TimeZero + InjectionStart")};
      if (injection->full) {
        drug.start_datetime = {injection->dicom_datetime(),
                               fields.source("ScanDate + TimeZero + InjectionStart")};
      }
    }
  }
  if (!header.attenuation_corrected_flag.has_value() && header.corrected_image.empty()) {
    if (auto method = fields.top_string("AttenuationCorrection")) {
      const std::string lowered = lowercase(*method);
      const bool none = lowered.empty() || lowered == "none" || lowered == "n/a";
      header.attenuation_corrected_flag = {none ? "NO" : "YES",
                                           fields.source("AttenuationCorrection")};
    }
  }
}

// BIDS ImageDecayCorrected / ImageDecayCorrectionTime -> DecayCorrection (0054,1102): the
// injection time means ADMIN, the scan start START, any other time START with the reference
// given as DecayCorrectionDateTime (which the SUV module uses first).
void fill_decay_correction_from_bids(const SidecarFields& fields, const BidsClock& clock,
                                     SeriesHeader& header) {
  if (header.decay_correction.has_value()) return;
  const json* corrected = fields.top("ImageDecayCorrected");
  if (corrected == nullptr) return;
  if (!corrected->is_boolean()) fields.fail(fields.source("ImageDecayCorrected"), "true or false");
  const std::string source = fields.source("ImageDecayCorrected");
  if (!header.decay_corrected_flag.has_value()) {
    header.decay_corrected_flag = {corrected->get<bool>() ? "YES" : "NO", source};
  }
  if (!corrected->get<bool>()) {
    header.decay_correction = {"NONE", source};
    return;
  }
  const auto reference = fields.top_number("ImageDecayCorrectionTime");
  const std::string reference_source = fields.source("ImageDecayCorrectionTime");
  if (!reference) {
    header.reader_notes.push_back(reference_source +
                                  " is missing: the decay-correction time is unknown; give "
                                  "--decay-correction START|ADMIN");
    return;
  }
  auto near = [&](const std::optional<double>& time) {
    return time && std::abs(*reference - *time) <= kDecayReferenceMatchS;
  };
  if (near(clock.injection_start_s)) {
    header.decay_correction = {"ADMIN", reference_source + " = InjectionStart"};
  } else if (near(clock.scan_start_s)) {
    header.decay_correction = {"START", reference_source + " = ScanStart"};
  } else if (const auto instant = clock.at(reference); instant && instant->full) {
    header.decay_correction = {"START", reference_source};
    header.decay_correction_datetime = {instant->dicom_datetime(), reference_source};
  } else {
    header.reader_notes.push_back(reference_source +
                                  " is neither InjectionStart nor ScanStart and no date is "
                                  "known; give --decay-correction START|ADMIN");
  }
}

// ---- Frames -----------------------------------------------------------------------------------

// A per-slice attribute from a "Frames" entry: a scalar for all slices, or one value per slice.
class PerSliceValues {
 public:
  PerSliceValues(const json* record, const std::string& key, size_t slices,
                 const SidecarFields& fields, const std::string& where)
      : slices_(slices) {
    if (record == nullptr || !record->contains(key) || (*record)[key].is_null()) return;
    value_ = &(*record)[key];
    if (value_->is_array() && value_->size() != slices) {
      throw InvalidInputError(fields.source(where + "." + key) + " has " +
                              std::to_string(value_->size()) + " values for " +
                              std::to_string(slices) + " slices; correct or remove the field");
    }
  }
  const json* at(size_t slice) const {
    if (value_ == nullptr) return nullptr;
    const json* value = value_->is_array() ? &(*value_)[slice] : value_;
    return value->is_null() ? nullptr : value;
  }
  size_t size() const { return slices_; }

 private:
  const json* value_ = nullptr;
  size_t slices_;
};

std::optional<double> number_at(const PerSliceValues& values, size_t slice,
                                const SidecarFields& fields, const std::string& where) {
  const json* value = values.at(slice);
  if (value == nullptr) return std::nullopt;
  return fields.as_number(*value, fields.source(where));
}

void fill_slices_from_record(const json* record, const SidecarFields& fields, size_t frame_index,
                             Frame& frame) {
  const size_t slices = frame.slices.size();
  const std::string where =
      std::string(kOncotraceKey) + ".Frames[" + std::to_string(frame_index) + "]";
  auto values = [&](const char* key) { return PerSliceValues(record, key, slices, fields, where); };
  const PerSliceValues acquisition = values("AcquisitionDateTime");
  const PerSliceValues reference_datetime = values("FrameReferenceDateTime");
  const PerSliceValues reference_time = values("FrameReferenceTime");
  const PerSliceValues duration = values("ActualFrameDuration");
  const PerSliceValues decay = values("DecayFactor");
  const PerSliceValues dose_calibration = values("DoseCalibrationFactor");
  const PerSliceValues philips_suv = values("PhilipsSUVScaleFactor");
  const PerSliceValues philips_activity = values("PhilipsActivityConcentrationScaleFactor");
  const PerSliceValues image_index = values("ImageIndex");
  for (size_t k = 0; k < slices; ++k) {
    SliceRecord& slice = frame.slices[k];
    if (const json* value = acquisition.at(k)) {
      const auto time = parse_sidecar_time(fields.as_string(*value, fields.source(where)));
      if (!time) fields.fail(fields.source(where + ".AcquisitionDateTime"), "ISO 8601");
      slice.acquisition_date = time->dicom_date();
      slice.acquisition_time = time->dicom_time();
      slice.acquisition_datetime = time->dicom_datetime();
    }
    if (const json* value = reference_datetime.at(k)) {
      const auto time = parse_sidecar_time(fields.as_string(*value, fields.source(where)));
      if (time) slice.frame_reference_datetime = time->dicom_datetime();
    }
    slice.frame_reference_time_ms = number_at(reference_time, k, fields, where);
    slice.actual_frame_duration_ms = number_at(duration, k, fields, where);
    slice.decay_factor = number_at(decay, k, fields, where);
    slice.dose_calibration_factor = number_at(dose_calibration, k, fields, where);
    slice.philips_suv_scale_factor = number_at(philips_suv, k, fields, where);
    slice.philips_activity_concentration_scale_factor =
        number_at(philips_activity, k, fields, where);
    if (const auto index = number_at(image_index, k, fields, where)) {
      slice.image_index = static_cast<int64_t>(std::llround(*index));
    }
  }
  if (record != nullptr) {
    if (record->contains("StartSeconds")) {
      frame.start_s = fields.as_number((*record)["StartSeconds"], fields.source(where));
    }
    if (record->contains("DurationSeconds")) {
      frame.duration_s = fields.as_number((*record)["DurationSeconds"], fields.source(where));
    }
  }
}

std::vector<double> top_numbers(const SidecarFields& fields, const char* key) {
  const json* value = fields.top(key);
  if (value == nullptr) return {};
  if (!value->is_array()) fields.fail(fields.source(key), "an array of numbers (seconds)");
  std::vector<double> numbers;
  for (const auto& element : *value)
    numbers.push_back(fields.as_number(element, fields.source(key)));
  return numbers;
}

// BIDS FrameTimesStart / FrameDuration for frames the "oncotrace" object does not time.
void fill_frame_timing_from_bids(const SidecarFields& fields, const BidsClock& clock,
                                 SeriesHeader& header, std::vector<Frame>& frames) {
  const std::vector<double> starts = top_numbers(fields, "FrameTimesStart");
  const std::vector<double> durations = top_numbers(fields, "FrameDuration");
  for (const auto& [values, key] :
       {std::pair{&starts, "FrameTimesStart"}, std::pair{&durations, "FrameDuration"}}) {
    if (!values->empty() && values->size() != frames.size()) {
      throw InvalidInputError(fields.source(key) + " has " + std::to_string(values->size()) +
                              " entries for an image of " + std::to_string(frames.size()) +
                              " time points; correct the sidecar");
    }
  }
  for (size_t i = 0; i + 1 < starts.size() && i < durations.size(); ++i) {
    if (std::abs(starts[i] + durations[i] - starts[i + 1]) > kFrameContinuityToleranceS) {
      header.reader_notes.push_back(
          fields.source("FrameDuration") + ": frame " + std::to_string(i) + " starts at " +
          std::to_string(starts[i]) + " s and lasts " + std::to_string(durations[i]) +
          " s, but the next frame starts at " + std::to_string(starts[i + 1]) +
          " s (FrameDuration may hold end times)");
      break;
    }
  }
  const double series_offset = clock.scan_start_s.value_or(0.0);
  for (size_t f = 0; f < frames.size(); ++f) {
    Frame& frame = frames[f];
    if (!frame.start_s && !starts.empty()) frame.start_s = starts[f] - series_offset;
    if (!frame.duration_s && !durations.empty()) frame.duration_s = durations[f];
    for (auto& slice : frame.slices) {
      if (!slice.actual_frame_duration_ms && !durations.empty()) {
        slice.actual_frame_duration_ms = durations[f] * 1000.0;
      }
      if (slice.acquisition_time.empty() && !starts.empty()) {
        if (const auto start = clock.at(starts[f])) {
          slice.acquisition_date = start->dicom_date();
          slice.acquisition_time = start->dicom_time();
          slice.acquisition_datetime = start->dicom_datetime();
        }
      }
    }
  }
}

std::vector<Frame> frames_from_volumes(std::vector<ImageVolume> volumes,
                                       const std::filesystem::path& image_path) {
  std::vector<Frame> frames;
  frames.reserve(volumes.size());
  for (size_t f = 0; f < volumes.size(); ++f) {
    Frame frame;
    frame.image = std::move(volumes[f]);
    const Geometry& geometry = frame.image.geometry;
    frame.slices.resize(static_cast<size_t>(geometry.size[2]));
    for (int64_t k = 0; k < geometry.size[2]; ++k) {
      SliceRecord& slice = frame.slices[static_cast<size_t>(k)];
      slice.file = image_path.string();
      slice.frame_in_file = static_cast<int64_t>(f);
      slice.position_mm = geometry.index_to_world(0, 0, k);
    }
    frames.push_back(std::move(frame));
  }
  return frames;
}

json parse_sidecar(const std::filesystem::path& path) {
  std::ifstream stream(path);
  if (!stream) throw InvalidInputError("cannot open sidecar " + path.string());
  json root;
  try {
    root = json::parse(stream);
  } catch (const json::parse_error& error) {
    throw InvalidInputError("sidecar " + path.string() + " is not valid JSON (" + error.what() +
                            "); correct or remove it");
  }
  if (!root.is_object()) {
    throw InvalidInputError("sidecar " + path.string() + " must hold a JSON object");
  }
  return root;
}

void set_absent_sources(SeriesHeader& header, const std::string& source) {
  for (Sourced<std::string>* field : {&header.patient_sex,
                                      &header.patient_age,
                                      &header.units,
                                      &header.decay_correction,
                                      &header.suv_type,
                                      &header.decay_corrected_flag,
                                      &header.attenuation_corrected_flag,
                                      &header.decay_correction_datetime,
                                      &header.real_world_value_units,
                                      &header.ge_scan_datetime,
                                      &header.ge_administration_datetime,
                                      &header.siemens_decay_correction_datetime,
                                      &header.radiopharmaceutical.radiopharmaceutical,
                                      &header.radiopharmaceutical.radiopharmaceutical_code,
                                      &header.radiopharmaceutical.radiopharmaceutical_meaning,
                                      &header.radiopharmaceutical.radionuclide_code,
                                      &header.radiopharmaceutical.radionuclide_meaning,
                                      &header.radiopharmaceutical.radionuclide_scheme,
                                      &header.radiopharmaceutical.start_time,
                                      &header.radiopharmaceutical.start_datetime}) {
    field->source = source;
  }
  for (Sourced<double>* field :
       {&header.patient_weight_kg, &header.patient_size_m, &header.radiopharmaceutical.total_dose,
        &header.radiopharmaceutical.half_life_s, &header.radiopharmaceutical.positron_fraction}) {
    field->source = source;
  }
  header.number_of_time_slices.source = source;
  header.number_of_slices.source = source;
}

// A sidecar written by oncotrace: the "oncotrace" object is the complete header, so the BIDS
// fields are not consulted, except the top-level "Units" (see reconcile_units()).
void read_oncotrace_sidecar(const SidecarFields& fields, ImageSeries& series) {
  SeriesHeader& header = series.header;
  read_identity(fields, header);
  read_patient_and_drug(fields, header);
  read_pet_attributes(fields, header);
  reconcile_units(fields, header);
  const json* frame_records = fields.our("Frames");
  if (frame_records != nullptr &&
      (!frame_records->is_array() || frame_records->size() != series.frames.size())) {
    throw InvalidInputError(fields.our_source("Frames") + " must list one entry per time point (" +
                            std::to_string(series.frames.size()) + "); correct the sidecar");
  }
  for (size_t f = 0; f < series.frames.size(); ++f) {
    const json* record = frame_records != nullptr ? &(*frame_records)[f] : nullptr;
    fill_slices_from_record(record, fields, f, series.frames[f]);
  }
}

// A BIDS-PET sidecar from elsewhere (interoperability.md §2.2).
void read_bids_sidecar(const SidecarFields& fields, ImageSeries& series) {
  SeriesHeader& header = series.header;
  set_absent_sources(header, fields.absent("field (BIDS-PET sidecar without an oncotrace object)"));
  reconcile_units(fields, header);
  const BidsClock clock = read_bids_clock(fields);
  fill_from_bids(fields, clock, header);
  fill_decay_correction_from_bids(fields, clock, header);
  fill_frame_timing_from_bids(fields, clock, header, series.frames);
}

}  // namespace

ImageSeries read_nifti_series(const std::filesystem::path& image_path) {
  io_internal::NiftiFrames volumes = io_internal::read_nifti_frames_with_notes(image_path);
  ImageSeries series;
  series.files.push_back(image_path.string());
  SeriesHeader& header = series.header;
  header.reader_notes = volumes.notes;
  series.frames = frames_from_volumes(std::move(volumes.frames), image_path);

  const std::filesystem::path sidecar_path = sidecar_path_for(image_path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(sidecar_path, error)) {
    set_absent_sources(header, "no sidecar " + sidecar_path.string());
    header.series_description = image_path.filename().string();
    header.reader_notes.push_back("no sidecar " + sidecar_path.string() +
                                  ": units, tracer, timing and patient are unknown; SUV needs "
                                  "overrides (--units, --dose, --weight, ...)");
    return series;
  }
  series.files.push_back(sidecar_path.string());
  const json root = parse_sidecar(sidecar_path);
  const SidecarFields fields(root, sidecar_path.filename().string());
  if (fields.ours() != nullptr) {
    read_oncotrace_sidecar(fields, series);
  } else {
    read_bids_sidecar(fields, series);
  }
  if (header.series_description.empty()) {
    header.series_description = image_path.filename().string();
  }
  return series;
}

}  // namespace oncotrace
