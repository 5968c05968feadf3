// Internal to the suv module: what the rescaled pixel value U means (pet-quantification.md §3),
// and the checks every SUV path shares (RescaleIntercept, attenuation correction).
#ifndef ONCOTRACE_SRC_SUV_SUV_PIXELS_H_
#define ONCOTRACE_SRC_SUV_SUV_PIXELS_H_

#include <string>
#include <vector>

#include "oncotrace/series.h"
#include "oncotrace/suv.h"
#include "suv/plan_log.h"
#include "suv/suv_time.h"

namespace oncotrace::suv_detail {

enum class UnitsCategory { kActivity, kCounts, kCountRate, kStoredSuv };

struct UnitsDecision {
  std::string value;
  std::string source;
  UnitsCategory category = UnitsCategory::kActivity;
};

// --units, else Units (0054,1001), else a Real World Value Mapping in Bq/ml, else counts for NM
// images; refuses absent/NONE units and units without an SUV path (§3.2).
UnitsDecision decide_units(const SeriesHeader& header, const SuvOptions& options, PlanLog& log);

// How U of each plane becomes Bq/mL (k_i) or an SUV of a stored normalisation.
struct PixelConversion {
  std::string path;               // "BQML", "CNTS+ACSF", "GML/LBMJAMES128", ...
  std::vector<double> per_plane;  // k_i
  bool stored_suv = false;        // k_i gives an SUV of `stored`, else Bq/mL
  SuvNormalization stored = SuvNormalization::kBodyWeight;
  std::string input_unit;                  // unit of U: "Bq/ml", "{counts}", "g/ml{SUVbw}", ...
  Json json = Json::object();              // details for the audit
  Json stored_json = nullptr;              // the stored normalisation, for GML/CM2ML/f_SUV
  std::vector<double> philips_suv_factor;  // f_SUV on every plane, when f_AC is used first
};

PixelConversion plan_pixel_conversion(const UnitsDecision& units, const SeriesHeader& header,
                                      const Frame& frame, const std::vector<PlaneTiming>& planes,
                                      const SuvOptions& options, PlanLog& log);
// The Philips SUV Scale Factor path that replaces an Activity Concentration Scale Factor path.
PixelConversion philips_suv_fallback(const PixelConversion& activity_conversion);

// Refuses a non-zero RescaleIntercept unless allowed (and not strict); the audit's "rescale".
Json check_rescale(const Frame& frame, const SuvOptions& options, PlanLog& log);
// Refuses a series without ATTN / AttenuationCorrected YES; the audit's "attenuation_corrected".
Json check_attenuation_correction(const SeriesHeader& header, PlanLog& log);

// Relative difference below which two per-plane factors count as equal.
inline constexpr double kSameFactorTolerance = 1e-12;

}  // namespace oncotrace::suv_detail

#endif  // ONCOTRACE_SRC_SUV_SUV_PIXELS_H_
