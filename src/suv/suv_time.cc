#include "suv/suv_time.h"

#include <algorithm>
#include <cmath>

#include "oncotrace/nuclide.h"

namespace oncotrace::suv_detail {
namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr int64_t kMicrosecondsPerDay = 86400LL * 1000000LL;
// A TM-only administration time more than this after the scan is taken to be the evening
// before (midnight rollover); less than this is a clock problem and stays negative (refused).
constexpr double kRolloverThresholdS = 3600.0;

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n';
  });
}

// A raw DT from the header, or std::nullopt with a warning when it does not parse.
std::optional<DateTime> parse_optional_datetime(const Sourced<std::string>& raw,
                                                const std::string& tag, PlanLog& log) {
  if (!raw.has_value() || blank(*raw)) return std::nullopt;
  const auto value = parse_dicom_datetime(*raw);
  if (!value) log.warn(tag + " = '" + *raw + "' is not a valid DICOM DT; ignored");
  return value;
}

Json iso_or_null(const std::optional<DateTime>& time) {
  return time ? Json(time->iso8601()) : Json(nullptr);
}

// Per-plane R3 values grouped into runs of (practically) equal value.
struct PlaneGroup {
  size_t first = 0;
  size_t last = 0;
  DateTime value;
};

std::vector<PlaneGroup> group_equal_runs(const std::vector<DateTime>& values) {
  std::vector<PlaneGroup> groups;
  for (size_t index = 0; index < values.size(); ++index) {
    if (!groups.empty() && std::abs(values[index].seconds_since(groups.back().value)) <= 1e-3) {
      groups.back().last = index;
    } else {
      groups.push_back({index, index, values[index]});
    }
  }
  return groups;
}

struct R3Result {
  std::vector<DateTime> per_plane;
  std::string unavailable_reason;  // empty when available
};

R3Result back_compute_r3(const std::vector<PlaneTiming>& planes, double half_life_s) {
  R3Result result;
  for (size_t index = 0; index < planes.size(); ++index) {
    const PlaneTiming& plane = planes[index];
    std::string lacking;
    if (!plane.acquisition) lacking = "AcquisitionTime (0008,0032)";
    if (!plane.duration_s) lacking = "ActualFrameDuration (0018,1242)";
    if (!plane.frame_reference_s) lacking = "FrameReferenceTime (0054,1300)";
    if (!lacking.empty()) {
      result.unavailable_reason = "plane " + std::to_string(index) + " has no " + lacking;
      result.per_plane.clear();
      return result;
    }
    const double tave_s = time_of_average_activity_s(*plane.duration_s, half_life_s);
    result.per_plane.push_back(plane.acquisition->plus_seconds(tave_s - *plane.frame_reference_s));
  }
  if (planes.empty()) result.unavailable_reason = "the frame has no planes";
  return result;
}

Json groups_json(const std::vector<PlaneGroup>& groups) {
  Json list = Json::array();
  for (const PlaneGroup& group : groups) {
    Json entry;
    entry["planes"] = slice_range(group.first, group.last);
    entry["value"] = group.value.iso8601();
    list.push_back(entry);
  }
  return list;
}

std::string groups_text(const std::vector<PlaneGroup>& groups) {
  std::string text;
  for (const PlaneGroup& group : groups) {
    if (!text.empty()) text += "; ";
    text += "planes " + slice_range(group.first, group.last) + ": " + group.value.iso8601();
  }
  return text;
}

// The outcome of the rules without an override: a time, or the refusal they lead to.
struct RuleOutcome {
  std::optional<DateTime> value;
  std::string rule;
  bool refusal_is_missing = false;  // MissingMetadataError, else InvalidInputError
  std::string refusal;
  std::string r4_reason;  // why R4 was needed, for the warning
};

}  // namespace

std::vector<PlaneTiming> plane_timings(const SeriesHeader& header, const Frame& frame) {
  std::vector<PlaneTiming> planes;
  planes.reserve(frame.slices.size());
  for (const SliceRecord& slice : frame.slices) {
    PlaneTiming plane;
    if (!blank(slice.acquisition_datetime)) {
      plane.acquisition = parse_dicom_datetime(slice.acquisition_datetime);
      plane.acquisition_source = "(0008,002A) AcquisitionDateTime";
      plane.acquisition_has_own_date = plane.acquisition.has_value();
    }
    if (!plane.acquisition && !blank(slice.acquisition_time)) {
      if (parse_dicom_date(slice.acquisition_date)) {
        plane.acquisition = combine_date_time(slice.acquisition_date, slice.acquisition_time);
        plane.acquisition_source = "(0008,0022) AcquisitionDate + (0008,0032) AcquisitionTime";
        plane.acquisition_has_own_date = plane.acquisition.has_value();
      } else if (parse_dicom_date(header.series_date)) {
        plane.acquisition = combine_date_time(header.series_date, slice.acquisition_time);
        plane.acquisition_source = "(0008,0021) SeriesDate + (0008,0032) AcquisitionTime";
      } else if (parse_dicom_date(header.study_date)) {
        plane.acquisition = combine_date_time(header.study_date, slice.acquisition_time);
        plane.acquisition_source = "(0008,0020) StudyDate + (0008,0032) AcquisitionTime";
      }
    }
    if (slice.actual_frame_duration_ms) {
      plane.duration_s = *slice.actual_frame_duration_ms / 1000.0;
    } else if (frame.duration_s) {
      plane.duration_s = frame.duration_s;
    }
    if (slice.frame_reference_time_ms)
      plane.frame_reference_s = *slice.frame_reference_time_ms / 1000.0;
    plane.decay_factor = slice.decay_factor;
    planes.push_back(plane);
  }
  return planes;
}

std::optional<DateTime> earliest_acquisition(const std::vector<PlaneTiming>& planes) {
  std::optional<DateTime> earliest;
  for (const PlaneTiming& plane : planes) {
    if (plane.acquisition && (!earliest || *plane.acquisition < *earliest)) {
      earliest = plane.acquisition;
    }
  }
  return earliest;
}

std::optional<DateTime> series_datetime(const SeriesHeader& header) {
  return combine_date_time(header.series_date, header.series_time);
}

ReferenceTime decide_reference_time(const SeriesHeader& header,
                                    const std::vector<PlaneTiming>& planes, double half_life_s,
                                    const SuvOptions& options, PlanLog& log) {
  const double tolerance_s = options.reference_time_agreement_s;
  const auto enhanced = parse_optional_datetime(header.decay_correction_datetime,
                                                "DecayCorrectionDateTime (0018,9701)", log);
  const auto r1 = series_datetime(header);
  const auto earliest = earliest_acquisition(planes);
  const auto r2 =
      parse_optional_datetime(header.ge_scan_datetime, "GE scan date-time (0009,100D)", log);
  const auto siemens =
      parse_optional_datetime(header.siemens_decay_correction_datetime,
                              "Siemens decay correction date-time (0071,1022)", log);
  const R3Result r3 = back_compute_r3(planes, half_life_s);
  std::vector<PlaneGroup> r3_groups;
  double r3_spread_s = 0.0;
  std::optional<DateTime> r3_value;
  if (r3.unavailable_reason.empty()) {
    r3_groups = group_equal_runs(r3.per_plane);
    const auto [lowest, highest] = std::minmax_element(r3.per_plane.begin(), r3.per_plane.end());
    r3_spread_s = highest->seconds_since(*lowest);
    r3_value = lowest->plus_seconds(r3_spread_s / 2.0);
  }
  std::optional<bool> r1_applicable;
  if (r1) r1_applicable = !earliest || r1->seconds_since(*earliest) <= tolerance_s;

  Json candidates;
  candidates["enhanced_0018_9701"] = iso_or_null(enhanced);
  candidates["R1"] = iso_or_null(r1);
  candidates["R1_applicable"] = r1_applicable ? Json(*r1_applicable) : Json(nullptr);
  candidates["R2"] = iso_or_null(r2);
  if (r2) candidates["R2_source"] = header.ge_scan_datetime.source;
  candidates["R3"] = r3_value ? groups_json(r3_groups) : Json(nullptr);
  candidates["R3_spread_s"] = r3_value ? Json(audit_number(r3_spread_s)) : Json(nullptr);
  if (!r3_value) candidates["R3_unavailable"] = r3.unavailable_reason;
  candidates["R4"] = iso_or_null(earliest);
  candidates["siemens_0071_1022"] = iso_or_null(siemens);

  RuleOutcome outcome;
  if (enhanced) {
    outcome.value = enhanced;
    outcome.rule = "Enhanced PET DecayCorrectionDateTime (0018,9701)";
  } else if (r1_applicable.value_or(false)) {
    outcome.value = r1;
    outcome.rule = "R1 series time";
    if (!earliest) {
      log.warn(
          "no AcquisitionTime (0008,0032) to check SeriesTime (0008,0031) against; R1 taken "
          "unchecked");
    }
  } else if (r2) {
    outcome.value = r2;
    outcome.rule = "R2 GE scan date-time (0009,100D)";
  } else if (r3_value && r3_spread_s <= tolerance_s) {
    outcome.value = r3_value;
    outcome.rule = "R3 per-frame back-computation";
  } else {
    const std::string r1_text = !r1 ? "SeriesDate/SeriesTime (0008,0021)/(0008,0031) are missing"
                                    : "SeriesTime " + r1->iso8601() +
                                          " is later than the earliest AcquisitionTime " +
                                          earliest->iso8601() + " (a processed series)";
    std::string r3_text =
        r3_value ? "R3 (t_acq + Tave - FrameReferenceTime) disagrees between planes by " +
                       std::to_string(r3_spread_s) + " s (more than " +
                       std::to_string(tolerance_s) + " s): " + groups_text(r3_groups)
                 : "R3 cannot be computed: " + r3.unavailable_reason;
    outcome.r4_reason = r1_text + ", no GE scan date-time (0009,100D), and " + r3_text;
    if (options.allow_earliest_acquisition_rule && earliest) {
      outcome.value = earliest;
      outcome.rule = "R4 earliest acquisition time";
    } else {
      outcome.refusal_is_missing = !r3_value;
      outcome.refusal =
          "the reference time of DecayCorrection START cannot be determined: " + outcome.r4_reason +
          "; give --scan-reference-time YYYY-MM-DDTHH:MM:SS (or "
          "--allow-earliest-acquisition to use the earliest AcquisitionTime)";
    }
  }

  ReferenceTime reference;
  reference.candidates = candidates;
  if (options.overrides.scan_reference_time) {
    reference.value = *options.overrides.scan_reference_time;
    reference.rule = "override --scan-reference-time";
    log.record_override("reference time", "--scan-reference-time", reference.value.iso8601(),
                        iso_or_null(outcome.value));
    return reference;
  }
  if (!outcome.value) {
    if (outcome.refusal_is_missing) log.missing(outcome.refusal);
    log.invalid(outcome.refusal);
  }
  reference.value = *outcome.value;
  reference.rule = outcome.rule;
  if (reference.rule.rfind("R4", 0) == 0) {
    log.warn(
        "decay reference time from rule R4 (earliest AcquisitionTime, allowed by option) "
        "because " +
        outcome.r4_reason);
  }
  auto cross_check = [&](const std::optional<DateTime>& other, const std::string& name) {
    if (other && std::abs(other->seconds_since(reference.value)) > tolerance_s) {
      log.warn(name + " " + other->iso8601() + " differs from the chosen reference time " +
               reference.value.iso8601() + " (" + reference.rule + ")");
    }
  };
  if (reference.rule.rfind("R2", 0) != 0) cross_check(r2, "GE scan date-time (0009,100D)");
  cross_check(siemens, "Siemens decay correction date-time (0071,1022)");
  return reference;
}

std::optional<AdministrationTime> find_administration_time(const SeriesHeader& header,
                                                           const SuvOverrides& overrides,
                                                           std::optional<DateTime> scan_time,
                                                           PlanLog& log) {
  const RadiopharmaceuticalInfo& info = header.radiopharmaceutical;
  if (overrides.injection_time) {
    Json replaced = nullptr;
    if (info.start_datetime.has_value()) replaced = *info.start_datetime;
    if (replaced.is_null() && info.start_time.has_value()) replaced = *info.start_time;
    log.record_override("administration time", "--injection-time",
                        overrides.injection_time->iso8601(), replaced);
    return AdministrationTime{*overrides.injection_time, "override --injection-time", true, false};
  }
  if (const auto datetime = parse_optional_datetime(
          info.start_datetime, "RadiopharmaceuticalStartDateTime (0018,1078)", log)) {
    return AdministrationTime{*datetime, "(0018,1078) RadiopharmaceuticalStartDateTime", true,
                              false};
  }
  if (info.start_time.has_value() && !blank(*info.start_time)) {
    const auto seconds_of_day = parse_dicom_time(*info.start_time);
    if (!seconds_of_day) {
      log.warn("RadiopharmaceuticalStartTime (0018,1072) = '" + *info.start_time +
               "' is not a valid DICOM TM; ignored");
    } else {
      // [QIBA] takes the date from SeriesDate; StudyDate or the scan's own date are the fallbacks.
      std::optional<int64_t> day = parse_dicom_date(header.series_date);
      std::string date_source = "SeriesDate (0008,0021)";
      if (!day) {
        day = parse_dicom_date(header.study_date);
        date_source = "StudyDate (0008,0020)";
      }
      if (!day && scan_time) {
        day = scan_time->days_since_epoch();
        date_source = "the date of the scan";
      }
      if (day) {
        AdministrationTime time;
        time.value = DateTime{*day * kMicrosecondsPerDay +
                              static_cast<int64_t>(std::llround(*seconds_of_day * 1e6))};
        time.source = "(0018,1072) RadiopharmaceuticalStartTime + " + date_source;
        if (scan_time && scan_time->seconds_since(time.value) < -kRolloverThresholdS) {
          time.value = time.value.plus_seconds(-kSecondsPerDay);
          time.midnight_rollover = true;
          time.source += " - 1 day (midnight rollover)";
        }
        return time;
      }
      log.warn("RadiopharmaceuticalStartTime (0018,1072) has no date to go with it");
    }
  }
  if (const auto ge = parse_optional_datetime(header.ge_administration_datetime,
                                              "GE administration date-time (0009,103B)", log)) {
    const std::string source = header.ge_administration_datetime.source.empty()
                                   ? std::string("(0009,103B) GE administration date-time")
                                   : header.ge_administration_datetime.source;
    return AdministrationTime{*ge, source, true, false};
  }
  return std::nullopt;
}

Json administration_time_json(const std::optional<AdministrationTime>& time) {
  if (!time) return nullptr;
  Json json;
  json["value"] = time->value.iso8601();
  json["source"] = time->source;
  json["full_datetime"] = time->full_datetime;
  json["midnight_rollover"] = time->midnight_rollover;
  return json;
}

std::string missing_administration_time_message() {
  return "the administration time is missing: none of RadiopharmaceuticalStartDateTime "
         "(0018,1078), RadiopharmaceuticalStartTime (0018,1072) or GE (0009,103B) is present; "
         "give --injection-time YYYY-MM-DDTHH:MM:SS";
}

}  // namespace oncotrace::suv_detail
