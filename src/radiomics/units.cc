// Units of the IBSI features (see feature_unit() in oncotrace/radiomics.h).
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"
#include "radiomics/feature_list.h"

namespace oncotrace::radiomics {

namespace {

constexpr std::string_view kDimensionless = "1";

// One component of a UCUM term: operator ('.' or '/'), symbol, exponent, annotation.
struct UcumComponent {
  char operation = '.';
  std::string symbol;  // e.g. "mm", "[hnsf'U]", "10*"; empty for a bare annotation
  int exponent = 1;
  std::string annotation;  // e.g. "{SUVbw}", kept as written
};

// Splits a UCUM term without parentheses into its components; false when the term uses a
// construct this does not handle (parentheses, an empty component).
bool parse_ucum(std::string_view term, std::vector<UcumComponent>& components) {
  components.clear();
  size_t position = 0;
  char operation = '.';
  if (!term.empty() && term[0] == '/') {
    operation = '/';
    position = 1;
  }
  while (position <= term.size()) {
    // The component ends at the next '.' or '/' outside brackets and braces.
    size_t end = position;
    int depth = 0;
    while (end < term.size()) {
      const char c = term[end];
      if (c == '(' || c == ')') return false;
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      if (depth == 0 && (c == '.' || c == '/')) break;
      ++end;
    }
    std::string_view text = term.substr(position, end - position);
    if (text.empty()) return false;
    UcumComponent component;
    component.operation = operation;
    const size_t brace = text.find('{');
    if (brace != std::string_view::npos) {
      component.annotation = std::string(text.substr(brace));
      text = text.substr(0, brace);
    }
    // Trailing (signed) digits are the exponent when a non-digit symbol precedes them ("mm-1",
    // "[hnsf'U]2", "10*3"; "10" alone is a symbol).
    size_t digits = text.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(text[digits - 1]))) --digits;
    size_t start = digits;
    if (start > 0 && start < text.size() && (text[start - 1] == '-' || text[start - 1] == '+'))
      --start;
    if (digits < text.size() && start > 0 &&
        !std::isdigit(static_cast<unsigned char>(text[start - 1]))) {
      component.symbol = std::string(text.substr(0, start));
      component.exponent = std::atoi(std::string(text.substr(start)).c_str());
    } else {
      component.symbol = std::string(text);
    }
    components.push_back(std::move(component));
    if (end >= term.size()) break;
    operation = term[end];
    position = end + 1;
  }
  return !components.empty();
}

std::string format_ucum(const std::vector<UcumComponent>& components) {
  std::string term;
  for (size_t index = 0; index < components.size(); ++index) {
    const UcumComponent& component = components[index];
    if (index > 0 || component.operation == '/') term += component.operation;
    term += component.symbol;
    if (!component.symbol.empty() && component.exponent != 1) {
      term += std::to_string(component.exponent);
    }
    term += component.annotation;
  }
  return term;
}

// The feature tag without its aggregation suffix ("cm_energy_3D_comb" -> "cm_energy"); empty
// when no prefix of the tag is an IBSI feature.
std::string_view base_tag(std::string_view tag) {
  std::string_view candidate = tag;
  while (!candidate.empty()) {
    if (!detail::ibsi_feature_code(candidate).empty()) return candidate;
    const size_t underscore = candidate.rfind('_');
    if (underscore == std::string_view::npos) break;
    candidate = candidate.substr(0, underscore);
  }
  return {};
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool is_one_of(std::string_view tag, std::initializer_list<std::string_view> tags) {
  for (const std::string_view each : tags) {
    if (tag == each) return true;
  }
  return false;
}

}  // namespace

std::string ucum_power(std::string_view unit, int exponent) {
  if (unit.empty()) return {};
  if (unit == kDimensionless || exponent == 1) return std::string(unit);
  std::vector<UcumComponent> components;
  if (!parse_ucum(unit, components)) return {};
  for (UcumComponent& component : components) component.exponent *= exponent;
  return format_ucum(components);
}

std::string ucum_product(std::string_view first, std::string_view second) {
  if (first.empty() || second.empty()) return {};
  if (first == kDimensionless) return std::string(second);
  if (second == kDimensionless) return std::string(first);
  if (second[0] == '/') return std::string(first) + std::string(second);
  return std::string(first) + "." + std::string(second);
}

std::string feature_ibsi_code(std::string_view tag) {
  const std::string_view base = base_tag(tag);
  return base.empty() ? std::string() : std::string(detail::ibsi_feature_code(base));
}

std::string feature_unit(std::string_view tag, std::string_view intensity_unit,
                         IntensityType ivh_intensity_type) {
  const std::string_view base = base_tag(tag);
  if (base.empty()) {
    throw InvalidInputError("feature_unit: '" + std::string(tag) +
                            "' is not an IBSI feature tag (e.g. morph_volume, stat_mean, "
                            "cm_contrast_3D_comb)");
  }
  std::string dimensionless(kDimensionless);
  std::string intensity(intensity_unit);
  // Morphology (HCUG): lengths in mm, areas mm^2, volumes mm^3; ratios and densities are
  // dimensionless; the integrated intensity is volume x mean intensity.
  if (starts_with(base, "morph_")) {
    if (is_one_of(base, {"morph_volume", "morph_vol_approx"})) return "mm3";
    if (base == "morph_area_mesh") return "mm2";
    if (base == "morph_av") return "/mm";
    if (is_one_of(base, {"morph_com", "morph_diam", "morph_pca_maj_axis", "morph_pca_min_axis",
                         "morph_pca_least_axis"}))
      return "mm";
    if (base == "morph_integ_int") return ucum_product("mm3", intensity);
    return dimensionless;  // compactness, sphericity, elongation, densities, Moran's I, Geary's C
  }
  // Local intensity (9ST6): mean intensities of a 1 cm^3 sphere.
  if (starts_with(base, "loc_")) return intensity;
  // Intensity statistics (UHIW), on the (filtered) intensities.
  if (starts_with(base, "stat_")) {
    if (is_one_of(base, {"stat_var", "stat_energy"})) return ucum_power(intensity, 2);
    if (is_one_of(base, {"stat_skew", "stat_kurt", "stat_cov", "stat_qcod"})) return dimensionless;
    return intensity;  // mean, median, min, max, percentiles, ranges, deviations, RMS
  }
  // Intensity-volume histogram (P88C): volume fractions are dimensionless; intensities are in
  // the image unit for calibrated intensities and bin numbers for arbitrary units; the area
  // under the curve is over the intensity fraction.
  if (starts_with(base, "ivh_")) {
    if (is_one_of(base, {"ivh_i10", "ivh_i90", "ivh_diff_i10_i90"})) {
      return ivh_intensity_type == IntensityType::kArbitraryUnits ? dimensionless : intensity;
    }
    return dimensionless;
  }
  // Intensity histogram (ZVCW) and every texture family: computed on discretised grey levels,
  // run/zone sizes and distances in voxels, and probabilities: dimensionless.
  return dimensionless;
}

}  // namespace oncotrace::radiomics
