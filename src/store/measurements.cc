// LesionMetrics / PatientMetrics (measure.h) -> long-format measurements (store.h).
#include <string>

#include "oncotrace/store.h"

namespace oncotrace {

namespace {

constexpr const char* kDimensionless = "1";  // UCUM unity
constexpr const char* kMillimetre = "mm";
constexpr const char* kMillilitre = "mL";

void add_statistics(const std::string& prefix, const UptakeStatistics& statistics,
                    const std::string& unit, std::vector<Measurement>& out) {
  out.push_back({prefix + "_max", statistics.max, unit, ""});
  out.push_back({prefix + "_mean", statistics.mean, unit, ""});
  out.push_back({prefix + "_min", statistics.min, unit, ""});
  out.push_back({prefix + "_median", statistics.median, unit, ""});
  out.push_back(
      {prefix + "_sd", statistics.sd, unit, standard_deviation_kind_name(statistics.sd_kind)});
  for (const PeakResult& peak : statistics.peaks) {
    out.push_back({prefix + "_peak", peak.value, unit, peak.variant});
    out.push_back({prefix + "_peak_radius", peak.radius_mm, kMillimetre, peak.variant});
  }
}

void add_position(const std::string& prefix, const Vec3& position_mm,
                  std::vector<Measurement>& out) {
  out.push_back({prefix + "_x", position_mm[0], kMillimetre, "LPS"});
  out.push_back({prefix + "_y", position_mm[1], kMillimetre, "LPS"});
  out.push_back({prefix + "_z", position_mm[2], kMillimetre, "LPS"});
}

}  // namespace

std::vector<Measurement> lesion_measurements(const LesionMetrics& metrics,
                                             const MeasurementUnits& units) {
  std::vector<Measurement> out;
  out.push_back({"voxel_count", static_cast<double>(metrics.voxel_count), kDimensionless, ""});
  out.push_back({"mtv", metrics.volume_ml, kMillilitre, ""});
  add_statistics("suv", metrics.suv, units.uptake, out);
  out.push_back({"tlg", metrics.tlg_g, units.total_uptake, ""});
  if (metrics.sul) {
    add_statistics("sul", *metrics.sul, units.sul_uptake, out);
    if (metrics.tlg_sul_g)
      out.push_back({"tlg_sul", *metrics.tlg_sul_g, units.sul_total_uptake, ""});
  }
  add_position("centroid", metrics.centroid_mm, out);
  add_position("hottest", metrics.suv.hottest_mm, out);
  out.push_back({"longest_diameter", metrics.longest_diameter_mm, kMillimetre, ""});
  const std::string numerator = ratio_numerator_name(metrics.ratios.numerator);
  const std::pair<const char*, const std::optional<double>*> ratios[] = {
      {"tbr_liver", &metrics.ratios.liver},
      {"tbr_blood_pool", &metrics.ratios.blood_pool},
      {"tbr_spleen", &metrics.ratios.spleen},
      {"tbr_muscle", &metrics.ratios.muscle}};
  for (const auto& [quantity, ratio] : ratios) {
    if (ratio->has_value()) out.push_back({quantity, **ratio, kDimensionless, numerator});
  }
  return out;
}

std::vector<StoredLesion> lesion_results(const std::vector<LesionMetrics>& metrics,
                                         const MeasurementUnits& units) {
  std::vector<StoredLesion> lesions;
  lesions.reserve(metrics.size());
  for (const LesionMetrics& lesion : metrics) {
    StoredLesion result;
    result.label = lesion.label;
    result.name = "lesion " + std::to_string(lesion.label);
    result.measurements = lesion_measurements(lesion, units);
    lesions.push_back(std::move(result));
  }
  return lesions;
}

std::vector<Measurement> patient_measurements(const PatientMetrics& patient,
                                              const MeasurementUnits& units) {
  std::vector<Measurement> out;
  out.push_back({"lesion_count", static_cast<double>(patient.lesion_count), kDimensionless, ""});
  out.push_back({"total_mtv", patient.total_mtv_ml, kMillilitre, ""});
  out.push_back({"total_tlg", patient.total_tlg_g, units.total_uptake, ""});
  if (patient.total_tlg_sul_g) {
    out.push_back({"total_tlg_sul", *patient.total_tlg_sul_g, units.sul_total_uptake, ""});
  }
  out.push_back({"dmax", patient.dmax_mm, kMillimetre, ""});
  if (patient.hottest_lesion_label != 0) {
    out.push_back({"hottest_lesion_suv_max", patient.hottest_lesion_suv_max, units.uptake, ""});
    out.push_back({"hottest_lesion_label", static_cast<double>(patient.hottest_lesion_label),
                   kDimensionless, ""});
  }
  return out;
}

}  // namespace oncotrace
