#include "suv/suv_inputs.h"

#include <cmath>
#include <cstdio>

#include "oncotrace/nuclide.h"
#include "suv/suv_normalization.h"

namespace oncotrace::suv_detail {
namespace {

// Plausibility limits of pet-quantification.md §7.
constexpr double kGramsThresholdKg = 1000.0;  // a "weight" above this was written in grams
constexpr double kMinimumWeightKg = 1.0;
constexpr double kMaximumWeightKg = 400.0;
constexpr double kCentimetresThresholdM = 3.0;  // a "height" above this was written in cm
constexpr double kMinimumHeightM = 0.5;
constexpr double kMegabecquerelThresholdBq = 1e5;  // a "dose" below this was written in MBq
constexpr double kHalfLifeWarningFraction = 0.005;

Json header_value_or_null(const Sourced<double>& value) {
  return value.has_value() ? Json(*value) : Json(nullptr);
}

std::optional<double> resolve_weight(const SeriesHeader& header, const SuvOptions& options,
                                     const PatientNeeds& needs, PlanLog& log, Json& json) {
  const std::string tag = "PatientWeight (0010,1030)";
  if (options.overrides.weight_kg) {
    const double weight = *options.overrides.weight_kg;
    if (!(weight >= kMinimumWeightKg && weight <= kMaximumWeightKg)) {
      log.invalid("--weight " + number_text(weight) + " kg is implausible (allowed 1-400 kg)");
    }
    log.record_override(tag, "--weight", weight, header_value_or_null(header.patient_weight_kg));
    json["weight_kg"] = audit_number(weight);
    json["sources"]["weight"] = "override --weight";
    return weight;
  }
  const bool present = header.patient_weight_kg.has_value() && *header.patient_weight_kg > 0.0;
  if (!present) {
    if (needs.weight) {
      log.missing(tag + (header.patient_weight_kg.has_value() ? " is 0" : " is missing") + "; " +
                  needs.purpose + " needs the body weight; give --weight KG");
    }
    return std::nullopt;
  }
  if (!needs.weight) return std::nullopt;
  double weight = *header.patient_weight_kg;
  std::string source = "(0010,1030) PatientWeight";
  if (weight > kGramsThresholdKg) {
    if (options.strict) {
      log.invalid(tag + " = " + number_text(weight) +
                  " looks like grams; strict mode refuses to repair it; give --weight KG");
    }
    log.record_repair(tag, weight, weight / 1000.0,
                      "value above 1000 taken as grams and divided by 1000");
    weight /= 1000.0;
    source += " (repaired: grams)";
  }
  if (weight < kMinimumWeightKg || weight > kMaximumWeightKg) {
    log.invalid(tag + " = " + number_text(weight) +
                " kg is implausible (allowed 1-400 kg); give --weight KG");
  }
  json["weight_kg"] = audit_number(weight);
  json["sources"]["weight"] = source;
  return weight;
}

std::optional<double> resolve_height(const SeriesHeader& header, const SuvOptions& options,
                                     const PatientNeeds& needs, PlanLog& log, Json& json) {
  const std::string tag = "PatientSize (0010,1020)";
  if (!needs.height) return std::nullopt;
  if (options.overrides.height_m) {
    const double height = *options.overrides.height_m;
    if (!(height >= kMinimumHeightM && height <= kCentimetresThresholdM)) {
      log.invalid("--height " + number_text(height) + " m is implausible (allowed 0.5-3 m)");
    }
    log.record_override(tag, "--height", height, header_value_or_null(header.patient_size_m));
    json["height_m"] = audit_number(height);
    json["sources"]["height"] = "override --height";
    return height;
  }
  if (!header.patient_size_m.has_value() || !(*header.patient_size_m > 0.0)) {
    log.missing(tag + (header.patient_size_m.has_value() ? " is 0" : " is missing") + "; " +
                needs.purpose + " needs the height; give --height M");
  }
  double height = *header.patient_size_m;
  std::string source = "(0010,1020) PatientSize";
  if (height > kCentimetresThresholdM) {
    if (options.strict) {
      log.invalid(tag + " = " + number_text(height) +
                  " looks like centimetres; strict mode refuses to repair it; give --height M");
    }
    log.record_repair(tag, height, height / 100.0,
                      "value above 3 taken as centimetres and divided by 100");
    height /= 100.0;
    source += " (repaired: centimetres)";
  }
  if (height < kMinimumHeightM || height > kCentimetresThresholdM) {
    log.invalid(tag + " = " + number_text(height) +
                " m is implausible (allowed 0.5-3 m); give --height M");
  }
  json["height_m"] = audit_number(height);
  json["sources"]["height"] = source;
  return height;
}

std::optional<PatientSex> resolve_sex(const SeriesHeader& header, const SuvOptions& options,
                                      const PatientNeeds& needs, PlanLog& log, Json& json) {
  const std::string tag = "PatientSex (0010,0040)";
  if (!needs.sex) return std::nullopt;
  if (options.overrides.sex) {
    const auto sex = parse_patient_sex(*options.overrides.sex);
    if (!sex) log.invalid("--sex '" + *options.overrides.sex + "' is not M, F or O");
    log.record_override(tag, "--sex", patient_sex_code(*sex),
                        header.patient_sex.has_value() ? Json(*header.patient_sex) : Json(nullptr));
    json["sex"] = patient_sex_code(*sex);
    json["sources"]["sex"] = "override --sex";
    return sex;
  }
  const bool blank =
      !header.patient_sex.has_value() ||
      header.patient_sex.value->find_first_not_of(std::string(" \t\0", 3)) == std::string::npos;
  if (blank) {
    log.missing(tag + " is missing; " + needs.purpose + " needs it; give --sex M|F|O");
  }
  const auto sex = parse_patient_sex(*header.patient_sex);
  if (!sex) {
    log.invalid(tag + " = '" + *header.patient_sex + "' is not M, F or O; give --sex M|F|O");
  }
  json["sex"] = patient_sex_code(*sex);
  json["sources"]["sex"] = "(0010,0040) PatientSex";
  return sex;
}

// For sex O the audit shows both sex-specific values and the rule (§6.3).
void add_sex_specific(Json& json, const char* key, PatientSex sex, double male, double female) {
  if (sex != PatientSex::kOther) return;
  json[std::string(key) + "_male"] = audit_number(male);
  json[std::string(key) + "_female"] = audit_number(female);
  json["sex_rule"] = "sex O: mean of the male and female values";
}

Normaliser lean_body_mass_normaliser(SuvNormalization normalization, double weight_kg,
                                     double height_cm, PatientSex sex, PlanLog& log) {
  Normaliser normaliser;
  auto lbm = [&](PatientSex specific) {
    switch (normalization) {
      case SuvNormalization::kLeanBodyMassJames128:
        return lean_body_mass_james_kg(weight_kg, height_cm, specific, 128.0);
      case SuvNormalization::kLeanBodyMassJames120:
        return lean_body_mass_james_kg(weight_kg, height_cm, specific, 120.0);
      default:
        return lean_body_mass_janmahasatian_kg(weight_kg, height_cm, specific);
    }
  };
  const double lbm_kg = lbm(sex);
  const double bmi = weight_kg / (height_cm * height_cm / 1e4);
  normaliser.json["bmi_kg_per_m2"] = audit_number(bmi);
  normaliser.json["lbm_kg"] = audit_number(lbm_kg);
  add_sex_specific(normaliser.json, "lbm_kg", sex, lbm(PatientSex::kMale),
                   lbm(PatientSex::kFemale));
  const bool james = normalization != SuvNormalization::kLeanBodyMassJanmahasatian;
  if (james) {
    const double coefficient =
        normalization == SuvNormalization::kLeanBodyMassJames120 ? 120.0 : 128.0;
    if (bmi > james_maximum_bmi(sex, coefficient)) {
      log.warn("BMI " + number_text(bmi) + " kg/m2 is beyond the maximum of James' formula (" +
               number_text(james_maximum_bmi(sex, coefficient)) +
               " kg/m2): its lean body mass falls with weight there; prefer lbm-janma");
    }
  }
  if (!(lbm_kg > 0.0)) {
    log.invalid("the lean body mass from " + normalization_info(normalization).formula + " is " +
                number_text(lbm_kg) + " kg for W = " + number_text(weight_kg) +
                " kg, H = " + number_text(height_cm) + " cm; use --normalization lbm-janma");
  }
  normaliser.value = 1000.0 * lbm_kg;
  return normaliser;
}

}  // namespace

void PatientNeeds::add(SuvNormalization normalization) {
  switch (normalization) {
    case SuvNormalization::kBodyWeight:
      weight = true;
      break;
    case SuvNormalization::kLeanBodyMassJanmahasatian:
    case SuvNormalization::kLeanBodyMassJames128:
    case SuvNormalization::kLeanBodyMassJames120:
      weight = height = sex = true;
      break;
    case SuvNormalization::kBodySurfaceArea:
      weight = height = true;
      break;
    case SuvNormalization::kIdealBodyWeight:
      height = sex = true;
      break;
    case SuvNormalization::kNone:
      break;
  }
}

PatientValues resolve_patient(const SeriesHeader& header, const SuvOptions& options,
                              const PatientNeeds& needs, PlanLog& log) {
  PatientValues patient;
  patient.json = Json::object();
  patient.weight_kg = resolve_weight(header, options, needs, log, patient.json);
  patient.height_m = resolve_height(header, options, needs, log, patient.json);
  patient.sex = resolve_sex(header, options, needs, log, patient.json);
  // The same keys in the same order on every path; null for what this conversion did not need.
  Json ordered;
  ordered["weight_kg"] = audit_optional(patient.weight_kg);
  ordered["height_m"] = audit_optional(patient.height_m);
  ordered["sex"] = patient.sex ? Json(patient_sex_code(*patient.sex)) : Json(nullptr);
  ordered["sources"] = patient.json.contains("sources") ? patient.json["sources"] : Json::object();
  patient.json = ordered;
  return patient;
}

Normaliser compute_normaliser(SuvNormalization normalization, const PatientValues& patient,
                              IbwFormula ibw_formula, PlanLog& log) {
  const NormalizationInfo& info = normalization_info(normalization);
  Normaliser normaliser;
  const double weight_kg = patient.weight_kg.value_or(0.0);
  const double height_cm = 100.0 * patient.height_m.value_or(0.0);
  const PatientSex sex = patient.sex.value_or(PatientSex::kOther);
  switch (normalization) {
    case SuvNormalization::kBodyWeight:
      normaliser.value = 1000.0 * weight_kg;
      break;
    case SuvNormalization::kLeanBodyMassJanmahasatian:
    case SuvNormalization::kLeanBodyMassJames128:
    case SuvNormalization::kLeanBodyMassJames120:
      normaliser = lean_body_mass_normaliser(normalization, weight_kg, height_cm, sex, log);
      break;
    case SuvNormalization::kBodySurfaceArea: {
      const double bsa_m2 = body_surface_area_du_bois_m2(weight_kg, height_cm);
      normaliser.json["bsa_m2"] = audit_number(bsa_m2);
      normaliser.value = bsa_m2 * 1e4;
      break;
    }
    case SuvNormalization::kIdealBodyWeight: {
      const double ibw_kg = ideal_body_weight_kg(height_cm, sex, ibw_formula);
      normaliser.json["ibw_formula"] =
          ibw_formula == IbwFormula::kDevine ? "Devine" : "Sugawara (IBSI), not capped at weight";
      normaliser.json["ibw_kg"] = audit_number(ibw_kg);
      add_sex_specific(normaliser.json, "ibw_kg", sex,
                       ideal_body_weight_kg(height_cm, PatientSex::kMale, ibw_formula),
                       ideal_body_weight_kg(height_cm, PatientSex::kFemale, ibw_formula));
      if (!(ibw_kg > 0.0)) {
        log.invalid("the ideal body weight is " + number_text(ibw_kg) +
                    " kg for H = " + number_text(height_cm) + " cm; check --height");
      }
      normaliser.value = 1000.0 * ibw_kg;
      break;
    }
    case SuvNormalization::kNone:
      normaliser.value = 1.0;
      break;
  }
  Json json;
  json["type"] = info.type_name;
  json["formula"] = info.formula;
  json["normaliser"] = audit_number(normaliser.value);
  json["normaliser_unit"] = info.normaliser_unit;
  json["dicom_code"] = info.dicom_code.empty() ? Json(nullptr) : Json(info.dicom_code);
  json["dicom_scheme"] = info.dicom_code.empty() ? Json(nullptr) : Json("DCM");
  json["ucum"] = info.ucum;
  for (const auto& [key, value] : normaliser.json.items()) json[key] = value;
  normaliser.json = json;
  return normaliser;
}

HalfLife resolve_half_life(const SeriesHeader& header, const SuvOptions& options, PlanLog& log) {
  const RadiopharmaceuticalInfo& info = header.radiopharmaceutical;
  auto text = [](const Sourced<std::string>& value) { return value.value.value_or(""); };
  const bool header_present = info.half_life_s.has_value() && *info.half_life_s > 0.0;
  const NuclideIdentification identification =
      identify_nuclide(text(info.radionuclide_code), text(info.radionuclide_scheme),
                       text(info.radionuclide_meaning), text(info.radiopharmaceutical),
                       header_present ? std::optional<double>(*info.half_life_s) : std::nullopt);
  for (const std::string& note : identification.notes) log.warn(note);
  const Nuclide* nuclide = identification.nuclide;

  HalfLife half_life;
  Json& json = half_life.json;
  std::string source;
  if (options.overrides.half_life_s) {
    half_life.value_s = *options.overrides.half_life_s;
    if (!(half_life.value_s > 0.0)) {
      log.invalid("--half-life " + number_text(half_life.value_s) + " s is not positive");
    }
    log.record_override("RadionuclideHalfLife (0018,1075)", "--half-life", half_life.value_s,
                        header_value_or_null(info.half_life_s));
    source = "override --half-life";
  } else if (header_present) {
    half_life.value_s = *info.half_life_s;
    source = "(0018,1075) RadionuclideHalfLife";
  } else if (nuclide != nullptr) {
    half_life.value_s = nuclide->half_life_s;
    source = "nuclide table (" + nuclide->symbol + ", " + nuclide->half_life_source + ")";
    log.warn("RadionuclideHalfLife (0018,1075) is missing; using " +
             number_text(nuclide->half_life_s) + " s for " + nuclide->symbol + " (identified by " +
             identification.identified_by +
             ") from the nuclide table; give --half-life S to set it");
  } else {
    log.missing(
        "RadionuclideHalfLife (0018,1075) is missing and neither RadionuclideCodeSequence "
        "(0054,0300) nor Radiopharmaceutical (0018,0031) names a known nuclide; give --half-life "
        "S");
  }
  if (nuclide == nullptr) nuclide = find_nuclide_by_half_life(half_life.value_s);
  const std::string identified_by =
      identification.nuclide != nullptr
          ? identification.identified_by
          : (nuclide != nullptr ? "half-life (nearest within 1 %)" : "");
  if (nuclide != nullptr && identification.nuclide != nullptr &&
      std::abs(half_life.value_s / nuclide->half_life_s - 1.0) > kHalfLifeWarningFraction) {
    log.warn("half-life " + number_text(half_life.value_s) + " s (" + source + ") differs by " +
             number_text(100.0 * (half_life.value_s / nuclide->half_life_s - 1.0)) +
             " % from the table value " + number_text(nuclide->half_life_s) + " s of " +
             nuclide->symbol + " named by " + identified_by +
             ": check the nuclide, or give --half-life S");
  }
  json["value"] = audit_number(half_life.value_s);
  json["source"] = source;
  json["nuclide"] = nuclide != nullptr ? Json(nuclide->symbol) : Json(nullptr);
  json["nuclide_identified_by"] = identified_by.empty() ? Json(nullptr) : Json(identified_by);
  json["table_value"] = nuclide != nullptr ? Json(nuclide->half_life_s) : Json(nullptr);
  json["table_source"] = nuclide != nullptr ? Json(nuclide->half_life_source) : Json(nullptr);
  return half_life;
}

AdministeredActivity resolve_administered_activity(
    const SeriesHeader& header, const SuvOptions& options, double half_life_s,
    const std::optional<AdministrationTime>& administration, PlanLog& log) {
  const std::string tag = "RadionuclideTotalDose (0018,1074)";
  const Sourced<double>& stored = header.radiopharmaceutical.total_dose;
  AdministeredActivity activity;
  Json& json = activity.json;
  double administered_bq = 0.0;
  Json repair = nullptr;
  std::string source;
  if (options.overrides.injected_dose_bq) {
    administered_bq = *options.overrides.injected_dose_bq;
    if (!(administered_bq >= kMegabecquerelThresholdBq)) {
      log.invalid("--dose " + number_text(administered_bq) +
                  " Bq is below 1e5 Bq; give the activity in Bq (e.g. 3.7e8 for 370 MBq)");
    }
    log.record_override(tag, "--dose", administered_bq, header_value_or_null(stored));
    source = "override --dose";
  } else {
    if (!stored.has_value() || !(*stored > 0.0)) {
      log.missing(tag + (stored.has_value() ? " is 0" : " is missing") + "; give --dose BQ");
    }
    administered_bq = *stored;
    source = "(0018,1074) RadionuclideTotalDose";
    if (administered_bq < kMegabecquerelThresholdBq) {
      if (options.strict) {
        log.invalid(tag + " = " + number_text(administered_bq) +
                    " is below 1e5 Bq and looks like MBq; strict mode refuses to repair it; give "
                    "--dose BQ");
      }
      log.record_repair(tag, administered_bq, administered_bq * 1e6,
                        "value below 1e5 taken as MBq and multiplied by 1e6");
      repair = "MBq -> Bq (x 1e6)";
      administered_bq *= 1e6;
    }
  }
  json["value"] = nullptr;  // filled below, after the residual
  json["source"] = source;
  json["header_value"] = header_value_or_null(stored);
  json["repair"] = repair;
  json["administered_bq"] = audit_number(administered_bq);
  json["residual_bq"] = nullptr;
  activity.net_bq = administered_bq;

  if (options.overrides.residual_dose_bq) {
    const double residual_bq = *options.overrides.residual_dose_bq;
    if (!(residual_bq >= 0.0)) {
      log.invalid("--residual-dose " + number_text(residual_bq) + " Bq is negative");
    }
    double residual_at_administration_bq = residual_bq;
    if (options.overrides.residual_time) {
      if (!administration) log.missing(missing_administration_time_message());
      // Decay-corrected back to the administration: D_res * 2^((t_res - t_adm)/T½) (§5).
      const double elapsed_s =
          options.overrides.residual_time->seconds_since(administration->value);
      residual_at_administration_bq = residual_bq * std::exp2(elapsed_s / half_life_s);
      json["residual_time"] = options.overrides.residual_time->iso8601();
    } else {
      json["residual_time"] = "administration time (default)";
    }
    log.record_override("residual activity", "--residual-dose", residual_bq, nullptr);
    json["residual_bq"] = audit_number(residual_bq);
    json["residual_at_administration_bq"] = audit_number(residual_at_administration_bq);
    activity.net_bq = administered_bq - residual_at_administration_bq;
    if (!(activity.net_bq > 0.0)) {
      log.invalid("--residual-dose " + number_text(residual_bq) +
                  " Bq (decay-corrected to the administration: " +
                  number_text(residual_at_administration_bq) +
                  " Bq) is not smaller than the administered activity " +
                  number_text(administered_bq) + " Bq");
    }
  }
  json["value"] = audit_number(activity.net_bq);
  return activity;
}

}  // namespace oncotrace::suv_detail
