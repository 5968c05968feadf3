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
  // Activity concentration, Bq/ml, with the decay reference the scanner chose (START: t_ref,
  // ADMIN: administration, NONE: each frame's own time). Needs neither patient nor dose for BQML;
  // a GML/CM2ML series is converted back with C = SUV · D_ref / N_stored (§6.4).
  kNone,
};

// CLI names: bw, lbm-janma, lbm-james128, lbm-james120, bsa, ibw, none (case-insensitive). Also
// accepted: "lbm" and "sul" for the oncotrace SUL default (Janmahasatian, §6.2), "suvbw",
// "suvbsa", "suvibw", "bqml".
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
// (pet-quantification.md §8). The JSON text is deterministic (same input, same bytes): keys in a
// fixed order (absent items are null), numbers rounded to 12 significant digits. Top-level keys:
// series_instance_uid, modality, manufacturer, planes, instances, input_units, conversion_path
// ("BQML", "CNTS+ACSF", "CNTS+SUVSF", "GML/<SUVType>", "CM2ML/BSA", "CPS+calibration",
// "CNTS+calibration"), pixel_conversion, rescale, corrected_image, attenuation_corrected,
// decay_correction (with the DecayFactor check and, on disagreement, the alternative reading),
// reference_time (value, rule, every candidate R1-R4, Enhanced, Siemens), administration_time,
// half_life_s, administered_activity_bq, decay_interval_s and decay_factor (numbers; arrays
// indexed like the planes for DecayCorrection NONE), reference_activity_bq,
// interval_to_acquisition_s (ADMIN), patient,
// stored_normalisation, normalisation, suv_factor_per_activity (N/D_ref), suv_factor ({per_slice:
// false, value} or {per_slice: true, values: [...]}: SUV = U · factor), philips_cross_check,
// overrides, repairs, warnings, reader_notes, oncotrace_version.
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
// UnsupportedDataError (e.g. PROPCPS, a non-attenuation-corrected series). Every message starts
// with "series <SeriesInstanceUID> (<first file>): ".
//
// Rules (pet-quantification.md): Units §3.2 (BQML; CNTS with Philips f_AC first, f_SUV as
// fallback, both cross-checked; GML/CM2ML by SUVType §6.4; CPS/counts only with a
// CountCalibration; others refused); ATTN required §3.6; RescaleIntercept 0 §3.1;
// DecayCorrection START/ADMIN/NONE §4.1, §4.6 (DECY or DECAY required for START/ADMIN);
// reference time §4.3 (oncotrace default); administration time §4.7 (DT, TM + SeriesDate with
// midnight rollover, GE (0009,103B)); T½ ≥ 11.5 h needs full date-times; uptake interval
// negative refused, outside [−1 h, 2·T½) warned; half-life §4.8; dose §5; body size §6.
SuvPlan plan_suv(const SeriesHeader& header, const Frame& frame, const SuvOptions& options);

// SUV image of one frame: image * factor per plane. The second form reuses the frame's buffer
// (no second whole-image allocation) and leaves the frame's image empty.
ImageVolume apply_suv(const Frame& frame, const SuvPlan& plan);
ImageVolume apply_suv(Frame&& frame, const SuvPlan& plan);

// Seconds from administration to the series date-time (SeriesDate/SeriesTime), with the
// administration-time rules of plan_suv (RadiopharmaceuticalStartDateTime, or StartTime on the
// SeriesDate rolled back a day when it falls over 1 h after the scan, GE private date-time,
// --injection-time override). Informative only (`oncotrace info`); SUV uses its own audited
// reference time. std::nullopt when either time is unknown.
std::optional<double> seconds_from_administration_to_series_time(
    const SeriesHeader& header, const SuvOverrides& overrides = {});

// Why SUV cannot be computed for this series with these options, or an empty string when it
// can. Used by `oncotrace info`.
std::string suv_unavailable_reason(const SeriesHeader& header, const Frame& frame,
                                   const SuvOptions& options);

}  // namespace oncotrace

#endif  // ONCOTRACE_SUV_H_
