// Internal to the suv module: patient, dose and half-life, each from its tag or its override,
// with the refusals and repairs of pet-quantification.md §5, §6 and §7.
#ifndef ONCOTRACE_SRC_SUV_SUV_INPUTS_H_
#define ONCOTRACE_SRC_SUV_SUV_INPUTS_H_

#include <optional>
#include <string>

#include "oncotrace/series.h"
#include "oncotrace/suv.h"
#include "suv/body_size.h"
#include "suv/plan_log.h"
#include "suv/suv_time.h"

namespace oncotrace::suv_detail {

// Which patient values a conversion needs, and why (for the messages).
struct PatientNeeds {
  bool weight = false;
  bool height = false;
  bool sex = false;
  std::string purpose;  // "SUVlbm(Janma)", "SUVbw from the stored SUVibw", ...

  void add(SuvNormalization normalization);
};

struct PatientValues {
  std::optional<double> weight_kg;
  std::optional<double> height_m;
  std::optional<PatientSex> sex;
  Json json;  // values and their sources, for the audit
};

// Resolves what `needs` asks for (refusing when absent or implausible), and records what is
// present but not needed as information only.
PatientValues resolve_patient(const SeriesHeader& header, const SuvOptions& options,
                              const PatientNeeds& needs, PlanLog& log);

// N: the mass in g (or surface in cm²) of a normalisation; `json` explains it.
struct Normaliser {
  double value = 0.0;
  Json json;
};
Normaliser compute_normaliser(SuvNormalization normalization, const PatientValues& patient,
                              IbwFormula ibw_formula, PlanLog& log);

struct HalfLife {
  double value_s = 0.0;
  Json json;
};
// --half-life, else RadionuclideHalfLife (0018,1075), else the table value of the nuclide named by
// RadionuclideCodeSequence (0054,0300) or the Radiopharmaceutical text (with a warning); never a
// silent default.
HalfLife resolve_half_life(const SeriesHeader& header, const SuvOptions& options, PlanLog& log);

struct AdministeredActivity {
  double net_bq = 0.0;  // after repair, override and residual
  Json json;
};
// --dose, else RadionuclideTotalDose (0018,1074) (< 1e5 repaired as MBq unless strict); minus a
// residual activity decay-corrected back to the administration time.
AdministeredActivity resolve_administered_activity(
    const SeriesHeader& header, const SuvOptions& options, double half_life_s,
    const std::optional<AdministrationTime>& administration, PlanLog& log);

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_SUV_INPUTS_H_
