// The tracer catalogue of the phantom: data/phantom/tracer_uptake.json.
#ifndef ONCOTRACE_PHANTOM_TRACER_TABLE_H_
#define ONCOTRACE_PHANTOM_TRACER_TABLE_H_

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "oncotrace/nuclide.h"
#include "oncotrace/phantom.h"
#include "phantom/anatomy.h"

namespace oncotrace::phantom {

struct CodedConcept {
  std::string value;
  std::string scheme;
  std::string meaning;
};

// Biological time course of one tissue: f(t) = exp(-ln2 t / washout_h) - exp(-ln2 t / uptake_h),
// or exp(-ln2 t / washout_h) when uptake_h is 0 (instant uptake).
struct UptakeWashout {
  double uptake_h = 0.0;
  double washout_h = 0.0;
};
double uptake_washout_shape(const UptakeWashout& kinetics, double time_h);
// Integral over [0, inf) of f(t) * exp(-decay_constant t) dt, in hours (decay constant per hour):
// 1/(a + λ) - 1/(b + λ) with a, b the washout and uptake rate constants (ln 2 / half-time).
double uptake_washout_decayed_integral_h(const UptakeWashout& kinetics,
                                         double decay_constant_per_h);

struct TracerKinetics {
  double reference_time_h = 0.0;  // the table SUVs hold at this time
  std::map<Tissue, UptakeWashout> tissues;
  UptakeWashout default_tissue;
  UptakeWashout lesions;
  std::string source;
  const UptakeWashout& for_tissue(Tissue tissue) const;
};

struct TracerInfo {
  std::string id;
  std::string display_name;
  std::string radiopharmaceutical;  // Radiopharmaceutical (0018,0031)
  std::optional<CodedConcept> radiopharmaceutical_code;
  std::string nuclide_name;
  const Nuclide* nuclide = nullptr;
  std::string modality;  // "PT" or "NM"
  double default_activity_mbq = 0.0;
  double default_uptake_time_min = 0.0;
  double default_scan_duration_s = 0.0;
  std::array<double, static_cast<size_t>(Tissue::kCount)> tissue_suv{};
  std::array<std::string, static_cast<size_t>(Tissue::kCount)> tissue_source{};
  std::string lesion_driver;  // fdg_avidity, er, her2, site_class, constant
  std::map<std::string, double> lesion_suv_by_class;
  std::string lesion_source;
  std::optional<TracerKinetics> kinetics;
};

struct TracerCatalogue {
  std::filesystem::path file;
  std::map<std::string, TracerInfo> tracers;
  const TracerInfo& at(const std::string& id) const;  // InvalidInputError listing the known ids
};

// Reads <data_dir>/phantom/tracer_uptake.json. Throws InvalidInputError naming the file and the
// entry when it is missing or malformed, or names a nuclide the nuclide table does not know.
TracerCatalogue load_tracer_catalogue(const std::filesystem::path& data_dir);

// The class of a lesion that the tracer's driver selects ("high", "positive", "bone", ...).
std::string lesion_uptake_class(const TracerInfo& tracer, const LesionSpec& lesion);
// Baseline SUV of a lesion's viable part for a tracer: the table value of its class times the
// lesion's per-tracer scale (timepoint changes are applied by the caller).
double lesion_baseline_suv(const TracerInfo& tracer, const LesionSpec& lesion);

}  // namespace oncotrace::phantom

#endif  // ONCOTRACE_PHANTOM_TRACER_TABLE_H_
