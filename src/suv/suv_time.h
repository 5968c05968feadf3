// Internal to the suv module: the times of a decay correction (pet-quantification.md §4).
//
// Reference time of a START decay correction (§4.3, "oncotrace default"):
//   --scan-reference-time, else Enhanced PET DecayCorrectionDateTime (0018,9701), else
//   R1  SeriesDate/SeriesTime, if not later than the earliest acquisition of the frame;
//   R2  GE private scan date-time (0009,100D);
//   R3  per plane t_acq + Tave(T) − FrameReferenceTime, all planes agreeing within
//       SuvOptions::reference_time_agreement_s (else refused, listing the planes);
//   R4  earliest acquisition, only with SuvOptions::allow_earliest_acquisition_rule.
// Every candidate that exists is computed and written to the audit; Siemens (0071,1022) is a
// cross-check only (§4.5).
//
// Administration time (§4.7): --injection-time, else RadiopharmaceuticalStartDateTime (0018,1078),
// else RadiopharmaceuticalStartTime (0018,1072) on SeriesDate with midnight rollover, else GE
// (0009,103B).
#ifndef ONCOTRACE_SRC_SUV_SUV_TIME_H_
#define ONCOTRACE_SRC_SUV_SUV_TIME_H_

#include <optional>
#include <string>
#include <vector>

#include "oncotrace/datetime.h"
#include "oncotrace/series.h"
#include "oncotrace/suv.h"
#include "suv/plan_log.h"

namespace oncotrace::suv_detail {

// Timing of one plane, from its SliceRecord (falling back to the Frame's timing).
struct PlaneTiming {
  std::optional<DateTime> acquisition;  // start of counting
  std::string acquisition_source;
  bool acquisition_has_own_date = false;  // false when the date was borrowed from SeriesDate
  std::optional<double> duration_s;
  std::optional<double> frame_reference_s;
  std::optional<double> decay_factor;
};

std::vector<PlaneTiming> plane_timings(const SeriesHeader& header, const Frame& frame);
// The earliest acquisition start over the planes, if any plane has one.
std::optional<DateTime> earliest_acquisition(const std::vector<PlaneTiming>& planes);
// SeriesDate + SeriesTime, if both parse.
std::optional<DateTime> series_datetime(const SeriesHeader& header);

struct ReferenceTime {
  DateTime value;
  std::string rule;
  Json candidates;  // every candidate, for the audit
};

// For DecayCorrection START. Throws as described above.
ReferenceTime decide_reference_time(const SeriesHeader& header,
                                    const std::vector<PlaneTiming>& planes, double half_life_s,
                                    const SuvOptions& options, PlanLog& log);

struct AdministrationTime {
  DateTime value;
  std::string source;
  bool full_datetime = false;  // a date was written with the time (DT, GE DT or override)
  bool midnight_rollover = false;
};

// `scan_time` is the time the interval runs to (t_ref for START, the earliest acquisition
// otherwise); it decides the midnight rollover of a TM-only value. std::nullopt when no source
// exists (the caller decides whether that is an error).
std::optional<AdministrationTime> find_administration_time(const SeriesHeader& header,
                                                           const SuvOverrides& overrides,
                                                           std::optional<DateTime> scan_time,
                                                           PlanLog& log);
Json administration_time_json(const std::optional<AdministrationTime>& time);

// The message for a missing administration time.
std::string missing_administration_time_message();

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_SUV_TIME_H_
