// Standardized uptake values with a full audit (pet-quantification.md §1-§8, §11).
//
//   U_i     = m_i * SV + b_i                    (done by the reader, per plane)
//   C_i     = U_i converted to Bq/mL            (Units: BQML, CNTS + Philips factors, ...)
//   t_ref   = reference time of the scanner's decay correction (rules R1, R2, R3; R4 on request)
//   D_ref   = D_adm * 2^(-(t_ref - t_adm)/T½)   (START; D_adm for ADMIN; per frame for NONE)
//   SUV_i   = C_i * N / D_ref                   (N: 1000*W g for SUVbw, LBM, IBW, BSA*1e4 cm²)
//
// Everything reduces to one multiplicative factor per plane: SUV_i = U_i * factor_i. The plan
// (factors plus SuvAudit) is computed from the header alone; applying it is a multiplication.
// Sources: IBSI SUV manual (Vácha et al. 2026), QIBA FDG-PET/CT Profile v1.13 App. G,
// DICOM PS3.3 C.8.9.
#ifndef ONCOTRACE_SUV_H_
#define ONCOTRACE_SUV_H_

#include <optional>
#include <string>
#include <vector>

#include "oncotrace/datetime.h"
#include "oncotrace/series.h"
#include "oncotrace/volume.h"

namespace oncotrace {

enum class SuvNormalization {
  kBodyWeight,                 // SUVbw (default), DCM 126401, g/ml{SUVbw}
  kLeanBodyMassJanmahasatian,  // SUL (Janmahasatian 2005), DCM 126405, g/ml{SUVlbm(Janma)}
  kLeanBodyMassJames128,       // SUL (James 1976), DCM 126406, g/ml{SUVlbm(James128)}
  kLeanBodyMassJames120,       // "Morgan" variant of James with 120 for men, DCM 126402
  kBodySurfaceArea,            // SUVbsa (Du Bois), DCM 126403, cm2/ml{SUVbsa}
  kIdealBodyWeight,            // SUVibw, DCM 126404, g/ml{SUVibw}
  kNone,                       // activity concentration, Bq/ml
};

// CLI names: bw, lbm-janma, lbm-james128, lbm-james120, bsa, ibw, none.
std::optional<SuvNormalization> parse_suv_normalization(const std::string& name);
std::string suv_normalization_name(SuvNormalization normalization);

// Ideal-body-weight formula (pet-quantification.md §6.3).
enum class IbwFormula { kSugawara /* IBSI default */, kDevine };

// Values a site may need to fix. Each one used is written to the audit with the header value it
// replaced.
struct SuvOverrides {
  std::optional<double> weight_kg;
  std::optional<double> height_m;
  std::optional<std::string> sex;  // M, F or O
  std::optional<double> injected_dose_bq;
  std::optional<double> residual_dose_bq;
  std::optional<DateTime> residual_time;  // when the residual was measured (default: injection)
  std::optional<DateTime> injection_time;
  std::optional<double> half_life_s;
  std::optional<DateTime> scan_reference_time;
  std::optional<std::string> units;             // user asserts Units (e.g. BQML)
  std::optional<std::string> decay_correction;  // user asserts START, ADMIN or NONE
};

// Calibration for count SPECT/PET images (pet-quantification.md §3.5, §11.2).
struct CountCalibration {
  // Either a direct factor (Bq/mL per count or per count/s, as the image holds) ...
  std::optional<double> bq_per_ml_per_unit;
  // ... or a system volume sensitivity in cps/MBq, with the acquisition duration (s) taken from
  // ActualFrameDuration unless given here.
  std::optional<double> sensitivity_cps_per_mbq;
  std::optional<double> acquisition_duration_s;
  std::string description;  // e.g. "Intevo LEHR Lu-177 208 keV OSEM 2024-05 phantom"
};

struct SuvOptions {
  SuvNormalization normalization = SuvNormalization::kBodyWeight;
  SuvOverrides overrides;
  IbwFormula ibw_formula = IbwFormula::kSugawara;
  // Allow rule R4 (earliest AcquisitionTime) when R1-R3 cannot be used. Never silent.
  bool allow_earliest_acquisition_rule = false;
  // Agreement required between frames under R3 (s).
  double reference_time_agreement_s = 1.0;
  // Turn every repair (MBq dose, weight in grams, height in cm, RescaleIntercept) into a refusal.
  bool strict = false;
  // Apply a non-zero RescaleIntercept instead of refusing the series.
  bool allow_rescale_intercept = false;
  // For series whose DecayCorrection and DecayFactor disagree (pet-quantification.md §11.4):
  // false = trust DecayCorrection (default, as DICOM says); true = trust DecayFactor.
  bool trust_decay_factor = false;
  // Count images (CNTS without Philips factors, CPS, NM counts).
  std::optional<CountCalibration> count_calibration;
};

// The record of every value used and every rule taken, serialised next to every SUV output
// (pet-quantification.md §8). The JSON text is deterministic (same input, same bytes).
struct SuvAudit {
  std::string json;  // the full record as pretty-printed JSON
  std::vector<std::string> warnings;
};

struct SuvPlan {
  SuvNormalization normalization = SuvNormalization::kBodyWeight;
  std::string unit_ucum;                 // "g/ml{SUVbw}", "Bq/ml", ...
  std::vector<double> factor_per_slice;  // SUV_k = U_k * factor_per_slice[k]
  SuvAudit audit;
};

// Plans the conversion of one frame of a series. Throws MissingMetadataError (naming the tag and
// the override), InvalidInputError (implausible values, disagreeing reference times) or
// UnsupportedDataError (e.g. PROPCPS, a non-attenuation-corrected series).
SuvPlan plan_suv(const SeriesHeader& header, const Frame& frame, const SuvOptions& options);

// SUV image of one frame: image * factor per plane.
ImageVolume apply_suv(const Frame& frame, const SuvPlan& plan);

// Why SUV cannot be computed for this series with these options, or an empty string when it
// can. Used by `oncotrace info`.
std::string suv_unavailable_reason(const SeriesHeader& header, const Frame& frame,
                                   const SuvOptions& options);

}  // namespace oncotrace

#endif  // ONCOTRACE_SUV_H_
