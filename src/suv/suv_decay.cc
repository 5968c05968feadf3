// The decay step of an SUV plan (see suv_decay.h).
#include "suv/suv_decay.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "oncotrace/error.h"
#include "oncotrace/nuclide.h"
#include "suv/suv_inputs.h"

namespace oncotrace::suv_detail {
namespace {

// DecayFactor and the decay it should describe must agree within this fraction (§11.4).
constexpr double kDecayFactorAgreementFraction = 0.005;

// ln(DecayFactor)/λ − FrameReferenceTime must be constant within this (s). DecayFactor is a DS of
// about 6 significant digits, which leaves about ±0.5 s for F-18 (§4.2).
constexpr double kDecayFactorInvariantToleranceS = 2.0;

// Plausibility window of the uptake interval: [−1 h, 2·T½) (§4.7, after Z-Rad).
constexpr double kEarliestPlausibleIntervalS = -3600.0;

const char* decay_mode_name(DecayMode mode) {
  switch (mode) {
    case DecayMode::kStart:
      return "START";
    case DecayMode::kAdmin:
      return "ADMIN";
    case DecayMode::kNone:
      break;
  }
  return "NONE";
}

std::optional<DecayMode> parse_decay_mode(const std::string& text) {
  const std::string key = upper_trimmed(text);
  if (key == "START") return DecayMode::kStart;
  if (key == "ADMIN") return DecayMode::kAdmin;
  if (key == "NONE") return DecayMode::kNone;
  return std::nullopt;
}

struct DecayDecision {
  DecayMode mode = DecayMode::kStart;
  Json json;
};

DecayDecision decide_decay_mode(const SeriesHeader& header, const SuvOptions& options,
                                PlanLog& log) {
  const std::string stored =
      header.decay_correction.has_value() ? upper_trimmed(*header.decay_correction) : "";
  std::string decy;
  for (const std::string& value : header.corrected_image) {
    const std::string key = upper_trimmed(value);
    if (key == "DECY") decy = "DECY";
    if (key == "DECAY" && decy.empty()) decy = "DECAY (QIBA spelling)";
  }
  const bool enhanced_flag = header.decay_corrected_flag.has_value();
  const std::string flag = enhanced_flag ? upper_trimmed(*header.decay_corrected_flag) : "";
  if (decy.empty() && flag == "YES") decy = "(0018,9758) DecayCorrected YES";

  DecayDecision decision;
  std::string source;
  if (options.overrides.decay_correction) {
    const auto mode = parse_decay_mode(*options.overrides.decay_correction);
    if (!mode) {
      log.invalid("--decay-correction '" + *options.overrides.decay_correction +
                  "' is not START, ADMIN or NONE");
    }
    decision.mode = *mode;
    source = "override --decay-correction";
    log.record_override("DecayCorrection (0054,1102)", "--decay-correction", decay_mode_name(*mode),
                        stored.empty() ? Json(nullptr) : Json(stored));
  } else if (!stored.empty()) {
    const auto mode = parse_decay_mode(stored);
    if (!mode) {
      log.invalid("DecayCorrection (0054,1102) = '" + stored +
                  "' is not START, ADMIN or NONE; give --decay-correction START|ADMIN|NONE");
    }
    decision.mode = *mode;
    source = "(0054,1102) DecayCorrection";
  } else if (flag == "YES" || flag == "NO") {
    decision.mode = flag == "YES" ? DecayMode::kStart : DecayMode::kNone;
    source = "(0018,9758) DecayCorrected " + flag + " (Enhanced PET)";
  } else {
    log.missing(
        "DecayCorrection (0054,1102) is missing, so it is unknown to which time the "
        "pixels were decay corrected; give --decay-correction START|ADMIN|NONE");
  }
  const bool from_override = options.overrides.decay_correction.has_value();
  if (!from_override && decision.mode != DecayMode::kNone && decy.empty()) {
    log.invalid("DecayCorrection (0054,1102) = " + std::string(decay_mode_name(decision.mode)) +
                " but CorrectedImage (0028,0051) = " + joined(header.corrected_image) +
                " lacks DECY: the series both claims and denies a decay correction; give "
                "--decay-correction START, ADMIN or NONE to state which is true");
  }
  if (!from_override && decision.mode == DecayMode::kNone && !decy.empty()) {
    log.warn(
        "DecayCorrection (0054,1102) = NONE but CorrectedImage (0028,0051) contains DECY; "
        "NONE trusted (give --decay-correction to change)");
  }
  decision.json["value"] = decay_mode_name(decision.mode);
  decision.json["source"] = source;
  decision.json["decy_flag"] = decy.empty() ? Json(nullptr) : Json(decy);
  return decision;
}

// Refuses an uptake interval that is negative and warns outside [−1 h, 2·T½) (§4.7).
void check_uptake_interval(double interval_s, double half_life_s, const std::string& what,
                           PlanLog& log) {
  if (interval_s < 0.0) {
    log.invalid("the administration time is " + number_text(-interval_s) + " s after " + what +
                ": a negative uptake interval; check RadiopharmaceuticalStartDateTime (0018,1078) "
                "/ RadiopharmaceuticalStartTime (0018,1072), or give --injection-time and "
                "--scan-reference-time");
  }
  if (interval_s < kEarliestPlausibleIntervalS || interval_s >= 2.0 * half_life_s) {
    log.warn("uptake interval " + number_text(interval_s) + " s to " + what +
             " is outside the plausible window [-3600 s, 2 half-lives = " +
             number_text(2.0 * half_life_s) + " s); check the administration and scan times");
  }
}

// A TM-only administration time or a missing AcquisitionDate is ambiguous when the uptake can
// exceed a day (§4.7).
void require_full_datetimes(double half_life_s, const AdministrationTime& administration,
                            const std::vector<PlaneTiming>& planes, bool need_acquisition_dates,
                            PlanLog& log) {
  if (half_life_s < kLongLivedHalfLifeS) return;
  const std::string why = "the half-life " + number_text(half_life_s) +
                          " s is at least 11.5 h, so a time without a date is ambiguous over "
                          "days";
  if (!administration.full_datetime) {
    log.missing("only RadiopharmaceuticalStartTime (0018,1072) is present, without a date, but " +
                why + "; give --injection-time YYYY-MM-DDTHH:MM:SS");
  }
  if (!need_acquisition_dates) return;
  for (size_t index = 0; index < planes.size(); ++index) {
    if (!planes[index].acquisition_has_own_date) {
      log.missing(
          "AcquisitionDate (0008,0022) (or AcquisitionDateTime (0008,002A)) is missing "
          "on plane " +
          std::to_string(index) + ", but " + why +
          "; give --scan-reference-time YYYY-MM-DDTHH:MM:SS (and --injection-time)");
    }
  }
}

DecayMultipliers decay_multipliers(DecayMode mode, const DecayInputs& inputs, PlanLog& log) {
  DecayMultipliers result;
  const size_t plane_count = inputs.planes.size();
  const double half_life_s = inputs.half_life_s;
  if (mode == DecayMode::kAdmin) {
    // D_ref = D_adm; the interval is only checked for plausibility (§4.6).
    result.per_plane.assign(plane_count, 1.0);
    result.json["decay_interval_s"] = nullptr;
    result.json["decay_factor"] = 1.0;
    const auto earliest = earliest_acquisition(inputs.planes);
    if (inputs.administration && earliest) {
      const double interval_s = earliest->seconds_since(inputs.administration->value);
      result.json["interval_to_acquisition_s"] = audit_number(interval_s);
      if (interval_s < 0.0) {
        log.warn("the administration time " + inputs.administration->value.iso8601() +
                 " is after the earliest acquisition " + earliest->iso8601() +
                 "; not used by DecayCorrection ADMIN, but check the times");
      } else {
        check_uptake_interval(interval_s, half_life_s, "the earliest acquisition", log);
      }
    }
    return result;
  }
  if (!inputs.administration) log.missing(missing_administration_time_message());
  const AdministrationTime& administration = *inputs.administration;
  if (mode == DecayMode::kStart) {
    const bool dated_reference = inputs.reference->rule.rfind("R1", 0) != 0 &&
                                 inputs.reference->rule.rfind("R3", 0) != 0 &&
                                 inputs.reference->rule.rfind("R4", 0) != 0;
    require_full_datetimes(half_life_s, administration, inputs.planes, !dated_reference, log);
    const double interval_s = inputs.reference->value.seconds_since(administration.value);
    check_uptake_interval(interval_s, half_life_s,
                          "the decay reference time " + inputs.reference->value.iso8601(), log);
    const double multiplier = std::exp2(interval_s / half_life_s);
    result.per_plane.assign(plane_count, multiplier);
    result.json["decay_interval_s"] = audit_number(interval_s);
    result.json["decay_factor"] = audit_number(1.0 / multiplier);
    return result;
  }
  // NONE: C_adm,i = U_i · λT/(1 − e^(−λT)) · e^(λ (t_acq,i − t_adm)) (§4.6, [IBSI-SUV]).
  require_full_datetimes(half_life_s, administration, inputs.planes, true, log);
  const double lambda = std::log(2.0) / half_life_s;
  std::vector<double> intervals_s;
  for (size_t index = 0; index < plane_count; ++index) {
    const PlaneTiming& plane = inputs.planes[index];
    if (!plane.acquisition || !plane.duration_s) {
      log.missing(std::string(!plane.acquisition ? "AcquisitionTime (0008,0032)"
                                                 : "ActualFrameDuration (0018,1242)") +
                  " is missing on plane " + std::to_string(index) +
                  "; DecayCorrection NONE needs the start and duration of every frame; give "
                  "--decay-correction if the series is in fact decay corrected");
    }
    const double interval_s = plane.acquisition->seconds_since(administration.value);
    intervals_s.push_back(interval_s);
    result.per_plane.push_back(decay_during_frame_factor(*plane.duration_s, half_life_s) *
                               std::exp(lambda * interval_s));
  }
  const auto [shortest, longest] = std::minmax_element(intervals_s.begin(), intervals_s.end());
  check_uptake_interval(*shortest, half_life_s, "the first acquisition", log);
  check_uptake_interval(*longest, half_life_s, "the last acquisition", log);
  // Per-plane quantities are arrays indexed like the planes (§8); decay_factor is D_ref,i / D_adm.
  Json intervals = Json::array();
  Json factors = Json::array();
  for (size_t index = 0; index < plane_count; ++index) {
    intervals.push_back(audit_number(intervals_s[index]));
    factors.push_back(audit_number(1.0 / result.per_plane[index]));
  }
  result.json["decay_interval_s"] = intervals;
  result.json["decay_factor"] = factors;
  return result;
}

// What DecayFactor (0054,1321) says, compared with DecayCorrection (§4.2, §11.4).
struct DecayFactorCheck {
  bool disagree = false;
  std::optional<DecayMode> alternative;  // the reading DecayFactor suggests, when it has one
  Json json;
};

DecayFactorCheck check_decay_factor(DecayMode mode, const DecayInputs& inputs, PlanLog& log) {
  DecayFactorCheck check;
  std::vector<double> factors;
  for (const PlaneTiming& plane : inputs.planes) {
    if (plane.decay_factor) factors.push_back(*plane.decay_factor);
  }
  check.json["present"] = !factors.empty();
  if (factors.empty()) return check;
  const auto [lowest, highest] = std::minmax_element(factors.begin(), factors.end());
  check.json["min"] = audit_number(*lowest);
  check.json["max"] = audit_number(*highest);
  const bool all_one = std::abs(*lowest - 1.0) <= 1e-6 && std::abs(*highest - 1.0) <= 1e-6;
  const double lambda = std::log(2.0) / inputs.half_life_s;

  if (mode == DecayMode::kStart && !all_one) {
    // ln(DF_i)/λ − FRT_i is the same for every frame of equal duration decay-corrected to one
    // time (§4.2; 119.75 s for the six beds of STS_001).
    std::map<long long, std::pair<double, double>> by_duration;
    for (const PlaneTiming& plane : inputs.planes) {
      if (!plane.decay_factor || !plane.frame_reference_s || !plane.duration_s ||
          !(*plane.decay_factor > 0.0)) {
        continue;
      }
      const double invariant_s = std::log(*plane.decay_factor) / lambda - *plane.frame_reference_s;
      const long long key = std::llround(*plane.duration_s * 1000.0);
      auto [entry, inserted] = by_duration.try_emplace(key, invariant_s, invariant_s);
      if (!inserted) {
        entry->second.first = std::min(entry->second.first, invariant_s);
        entry->second.second = std::max(entry->second.second, invariant_s);
      }
    }
    double spread_s = 0.0;
    for (const auto& [duration, range] : by_duration) {
      spread_s = std::max(spread_s, range.second - range.first);
    }
    if (!by_duration.empty()) {
      check.json["invariant_s"] = audit_number(by_duration.begin()->second.first);
      check.json["invariant_spread_s"] = audit_number(spread_s);
      if (spread_s > kDecayFactorInvariantToleranceS) {
        log.warn(
            "DecayFactor (0054,1321) and FrameReferenceTime (0054,1300) do not describe one "
            "decay reference time: ln(DecayFactor)/lambda - FrameReferenceTime varies by " +
            number_text(spread_s) + " s between frames of equal duration");
      }
    }
    return check;
  }
  if (mode == DecayMode::kNone) {
    if (!all_one) {
      check.disagree = true;
      check.json["readings"] = {
          {"DecayCorrection", "NONE: pixels not decay corrected"},
          {"DecayFactor", "factors other than 1 were applied; the reference time is unknown"}};
      log.warn("DecayCorrection (0054,1102) = NONE but DecayFactor (0054,1321) ranges " +
               number_text(*lowest) + " to " + number_text(*highest) + "; DecayCorrection trusted");
    }
    return check;
  }
  if (mode != DecayMode::kAdmin) return check;
  // ADMIN: a real correction back to the administration has DF_i = e^(λ(t_acq,i − t_adm)) times
  // the decay during the frame (§11.4: the Lu-177 set says ADMIN with DF = 1).
  if (!inputs.administration) {
    check.json["expected_for_admin"] = "not checked: no administration time";
    return check;
  }
  double largest_deviation = 0.0;
  double expected_min = 0.0;
  double expected_max = 0.0;
  bool first = true;
  for (const PlaneTiming& plane : inputs.planes) {
    if (!plane.decay_factor || !plane.acquisition || !plane.duration_s) continue;
    const double expected =
        std::exp(lambda * plane.acquisition->seconds_since(inputs.administration->value)) *
        decay_during_frame_factor(*plane.duration_s, inputs.half_life_s);
    expected_min = first ? expected : std::min(expected_min, expected);
    expected_max = first ? expected : std::max(expected_max, expected);
    first = false;
    largest_deviation = std::max(largest_deviation, std::abs(*plane.decay_factor / expected - 1.0));
  }
  if (first) {
    check.json["expected_for_admin"] = "not checked: planes lack AcquisitionTime or duration";
    return check;
  }
  Json expected;
  expected["min"] = audit_number(expected_min);
  expected["max"] = audit_number(expected_max);
  check.json["expected_for_admin"] = expected;
  if (largest_deviation <= kDecayFactorAgreementFraction) return check;
  check.disagree = true;
  if (all_one) {
    check.alternative = DecayMode::kNone;
    check.json["readings"] = {
        {"DecayCorrection", "ADMIN: pixels decay-corrected to the administration time"},
        {"DecayFactor", "1: no decay correction applied; pixels are activity at scan time"}};
  } else {
    check.json["readings"] = {
        {"DecayCorrection", "ADMIN: pixels decay-corrected to the administration time"},
        {"DecayFactor", "factors that match no correction to the administration time"}};
  }
  log.warn("DecayCorrection (0054,1102) = ADMIN but DecayFactor (0054,1321) = " +
           number_text(*lowest) + (all_one ? "" : " to " + number_text(*highest)) +
           " where a correction to the administration would be " + number_text(expected_min) +
           " to " + number_text(expected_max) + "; " +
           (all_one ? "both readings are in the audit; give --trust-decay-factor to treat the "
                      "pixels as not decay corrected"
                    : "DecayCorrection trusted"));
  return check;
}

}  // namespace

DecayStep resolve_decay(const SeriesHeader& header, const Frame& frame, const SuvOptions& options,
                        bool allow_none, PlanLog& log) {
  DecayStep step;
  const DecayDecision decision = decide_decay_mode(header, options, log);
  if (!allow_none && decision.mode == DecayMode::kNone) {
    log.unsupported(
        "the stored SUV series has DecayCorrection NONE: it has no single reference "
        "activity to convert back to Bq/mL; choose an SUV normalisation instead");
  }
  const HalfLife half_life = resolve_half_life(header, options, log);
  step.half_life = half_life.json;
  step.inputs.half_life_s = half_life.value_s;
  step.inputs.planes = plane_timings(header, frame);
  if (decision.mode == DecayMode::kStart) {
    step.inputs.reference =
        decide_reference_time(header, step.inputs.planes, half_life.value_s, options, log);
    Json reference;
    reference["value"] = step.inputs.reference->value.iso8601();
    reference["rule"] = step.inputs.reference->rule;
    reference["candidates"] = step.inputs.reference->candidates;
    step.reference_time = reference;
  }
  std::optional<DateTime> scan_time = step.inputs.reference
                                          ? std::optional<DateTime>(step.inputs.reference->value)
                                          : earliest_acquisition(step.inputs.planes);
  if (!scan_time) scan_time = series_datetime(header);
  step.inputs.administration = find_administration_time(header, options.overrides, scan_time, log);
  step.administration_time = administration_time_json(step.inputs.administration);

  DecayFactorCheck factor_check = check_decay_factor(decision.mode, step.inputs, log);
  step.mode_used = decision.mode;
  step.decay_correction = decision.json;
  if (factor_check.disagree && options.trust_decay_factor) {
    if (!factor_check.alternative || !allow_none) {
      log.invalid(
          "--trust-decay-factor: DecayFactor (0054,1321) does not say to which time the "
          "pixels were decay corrected; give --decay-correction and "
          "--scan-reference-time instead");
    }
    step.mode_used = *factor_check.alternative;
    log.record_override("DecayCorrection (0054,1102)", "--trust-decay-factor",
                        decay_mode_name(step.mode_used), decay_mode_name(decision.mode));
  }
  factor_check.json["trusted"] =
      factor_check.disagree ? Json(options.trust_decay_factor ? "DecayFactor (0054,1321)"
                                                              : "DecayCorrection (0054,1102)")
                            : Json(nullptr);
  step.decay_correction["applied"] = decay_mode_name(step.mode_used);
  step.decay_correction["decay_factor"] = factor_check.json;
  step.multipliers = decay_multipliers(step.mode_used, step.inputs, log);
  if (factor_check.disagree && factor_check.alternative) {
    const DecayMode other =
        step.mode_used == decision.mode ? *factor_check.alternative : decision.mode;
    PlanLog scratch = log;  // the other reading must not add refusals or records to this plan
    try {
      const DecayMultipliers other_multipliers = decay_multipliers(other, step.inputs, scratch);
      Json alternative;
      alternative["decay_correction"] = decay_mode_name(other);
      const auto [lowest, highest] = std::minmax_element(other_multipliers.per_plane.begin(),
                                                         other_multipliers.per_plane.end());
      const auto [used_low, used_high] =
          std::minmax_element(step.multipliers.per_plane.begin(), step.multipliers.per_plane.end());
      alternative["suv_ratio_to_used_min"] = audit_number(*lowest / *used_high);
      alternative["suv_ratio_to_used_max"] = audit_number(*highest / *used_low);
      step.alternative = alternative;
    } catch (const Error& error) {
      step.alternative = Json{{"decay_correction", decay_mode_name(other)},
                              {"not_computable", std::string(error.what())}};
    }
  }
  return step;
}

}  // namespace oncotrace::suv_detail
