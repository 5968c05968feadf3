// Internal to the suv module: the decay step (pet-quantification.md §4, §11.4).
//
// For each plane the multiplier m_i = D_adm / D_ref,i:
//   START  2^((t_ref − t_adm)/T½)                       (t_ref by the rules of suv_time.h)
//   ADMIN  1                                             (the interval is only checked)
//   NONE   λT/(1 − e^(−λT)) · e^(λ (t_acq,i − t_adm))    (each frame back to the administration)
// and what DecayFactor (0054,1321) says about it: the invariant ln(DF)/λ − FrameReferenceTime for
// START (§4.2), the DecayCorrection/DecayFactor disagreement for ADMIN (§11.4).
#ifndef ONCOTRACE_SRC_SUV_SUV_DECAY_H_
#define ONCOTRACE_SRC_SUV_SUV_DECAY_H_

#include <optional>
#include <vector>

#include "oncotrace/series.h"
#include "oncotrace/suv.h"
#include "suv/plan_log.h"
#include "suv/suv_time.h"

namespace oncotrace::suv_detail {

enum class DecayMode { kStart, kAdmin, kNone };

// The inputs of the decay step, resolved once.
struct DecayInputs {
  double half_life_s = 0.0;
  std::vector<PlaneTiming> planes;
  std::optional<ReferenceTime> reference;  // START only
  std::optional<AdministrationTime> administration;
};

// m_i = D_adm / D_ref,i for each plane, with the audit of the decay step.
struct DecayMultipliers {
  std::vector<double> per_plane;
  Json json = Json::object();  // decay_interval_s, decay_factor, plausibility ...
};

struct DecayStep {
  DecayInputs inputs;
  DecayMode mode_used = DecayMode::kStart;
  DecayMultipliers multipliers;
  Json decay_correction;          // the audit's "decay_correction"
  Json alternative = nullptr;     // the other reading when DecayCorrection and DecayFactor disagree
  Json half_life;                 // the audit's "half_life_s"
  Json reference_time = nullptr;  // the audit's "reference_time" (START)
  Json administration_time;       // the audit's "administration_time"
};

// Resolves the decay correction, half-life, reference and administration times and the
// DecayFactor reading for a path that needs D_ref. With `allow_none` false a NONE series is
// refused (a stored SUV has no single reference activity then).
DecayStep resolve_decay(const SeriesHeader& header, const Frame& frame, const SuvOptions& options,
                        bool allow_none, PlanLog& log);

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_SUV_DECAY_H_
