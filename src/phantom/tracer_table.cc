#include "phantom/tracer_table.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oncotrace/error.h"

namespace oncotrace::phantom {
namespace {

using nlohmann::json;

double rate_per_h(double half_time_h) { return std::log(2.0) / half_time_h; }

const json& require(const json& object, const std::string& key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) {
    throw InvalidInputError(where + ": the entry \"" + key +
                            "\" is missing; restore data/phantom/tracer_uptake.json from the "
                            "source tree or set ONCOTRACE_DATA_DIR to a folder that has it");
  }
  return object.at(key);
}

UptakeWashout parse_uptake_washout(const json& entry, const std::string& where) {
  UptakeWashout kinetics;
  kinetics.uptake_h = require(entry, "uptake_h", where).get<double>();
  kinetics.washout_h = require(entry, "washout_h", where).get<double>();
  if (kinetics.washout_h <= 0.0 || kinetics.uptake_h < 0.0 ||
      kinetics.uptake_h == kinetics.washout_h) {
    throw InvalidInputError(where + ": washout_h must be > 0, uptake_h >= 0 and different");
  }
  return kinetics;
}

TracerInfo parse_tracer(const std::string& id, const json& entry, const std::string& file) {
  const std::string where = file + ": tracers." + id;
  TracerInfo tracer;
  tracer.id = id;
  tracer.display_name = require(entry, "display_name", where).get<std::string>();
  tracer.radiopharmaceutical = require(entry, "radiopharmaceutical", where).get<std::string>();
  const json& code = require(entry, "radiopharmaceutical_code", where);
  if (!code.is_null()) {
    tracer.radiopharmaceutical_code =
        CodedConcept{require(code, "value", where).get<std::string>(),
                     require(code, "scheme", where).get<std::string>(),
                     require(code, "meaning", where).get<std::string>()};
  }
  tracer.nuclide_name = require(entry, "nuclide", where).get<std::string>();
  tracer.nuclide = find_nuclide_by_name(tracer.nuclide_name);
  if (tracer.nuclide == nullptr) {
    throw InvalidInputError(where + ": nuclide \"" + tracer.nuclide_name +
                            "\" is not in the nuclide table (src/physics)");
  }
  tracer.modality = require(entry, "modality", where).get<std::string>();
  if (tracer.modality != "PT" && tracer.modality != "NM") {
    throw InvalidInputError(where + ": modality must be PT or NM, not " + tracer.modality);
  }
  tracer.default_activity_mbq = require(entry, "default_activity_mbq", where).get<double>();
  tracer.default_uptake_time_min = require(entry, "default_uptake_time_min", where).get<double>();
  tracer.default_scan_duration_s = require(entry, "default_scan_duration_s", where).get<double>();
  const json& tissues = require(entry, "tissues", where);
  for (Tissue tissue : body_tissues()) {
    const json& value = require(tissues, tissue_name(tissue), where + ".tissues");
    tracer.tissue_suv[static_cast<size_t>(tissue)] = require(value, "suv", where).get<double>();
    tracer.tissue_source[static_cast<size_t>(tissue)] =
        require(value, "source", where).get<std::string>();
  }
  const json& lesions = require(entry, "lesion_uptake", where);
  tracer.lesion_driver = require(lesions, "driver", where).get<std::string>();
  for (const auto& [name, value] : require(lesions, "values", where).items()) {
    tracer.lesion_suv_by_class[name] = value.get<double>();
  }
  tracer.lesion_source = require(lesions, "source", where).get<std::string>();
  if (entry.contains("kinetics")) {
    const json& k = entry.at("kinetics");
    TracerKinetics kinetics;
    kinetics.reference_time_h = require(k, "reference_time_h", where).get<double>();
    kinetics.source = require(k, "source", where).get<std::string>();
    for (const auto& [name, value] : require(k, "tissues", where).items()) {
      const UptakeWashout parsed =
          parse_uptake_washout(value, std::string(where).append(".kinetics.").append(name));
      if (name == "default") {
        kinetics.default_tissue = parsed;
      } else if (auto tissue = parse_tissue(name)) {
        kinetics.tissues[*tissue] = parsed;
      } else {
        throw InvalidInputError(
            std::string(where).append(".kinetics: unknown tissue \"").append(name).append("\""));
      }
    }
    kinetics.lesions = parse_uptake_washout(require(k, "lesions", where), where + ".kinetics");
    tracer.kinetics = kinetics;
  }
  return tracer;
}

}  // namespace

double uptake_washout_shape(const UptakeWashout& kinetics, double time_h) {
  const double washout = std::exp(-rate_per_h(kinetics.washout_h) * time_h);
  if (kinetics.uptake_h <= 0.0) return washout;
  return washout - std::exp(-rate_per_h(kinetics.uptake_h) * time_h);
}

double uptake_washout_decayed_integral_h(const UptakeWashout& kinetics,
                                         double decay_constant_per_h) {
  const double washout = 1.0 / (rate_per_h(kinetics.washout_h) + decay_constant_per_h);
  if (kinetics.uptake_h <= 0.0) return washout;
  return washout - 1.0 / (rate_per_h(kinetics.uptake_h) + decay_constant_per_h);
}

const UptakeWashout& TracerKinetics::for_tissue(Tissue tissue) const {
  auto found = tissues.find(tissue);
  return found != tissues.end() ? found->second : default_tissue;
}

const TracerInfo& TracerCatalogue::at(const std::string& id) const {
  auto found = tracers.find(id);
  if (found == tracers.end()) {
    std::string known;
    for (const auto& [name, info] : tracers) known += (known.empty() ? "" : ", ") + name;
    throw InvalidInputError("tracer \"" + id + "\" is not in " + file.string() +
                            "; choose one of: " + known);
  }
  return found->second;
}

TracerCatalogue load_tracer_catalogue(const std::filesystem::path& data_dir) {
  TracerCatalogue catalogue;
  catalogue.file = data_dir / "phantom" / "tracer_uptake.json";
  std::ifstream stream(catalogue.file);
  if (!stream) {
    throw InvalidInputError("cannot read the phantom tracer table " + catalogue.file.string() +
                            "; set ONCOTRACE_DATA_DIR to the folder holding phantom/");
  }
  std::stringstream text;
  text << stream.rdbuf();
  json root;
  try {
    root = json::parse(text.str());
  } catch (const json::exception& error) {
    throw InvalidInputError(catalogue.file.string() + ": not valid JSON: " + error.what());
  }
  try {
    for (const auto& [id, entry] : require(root, "tracers", catalogue.file.string()).items()) {
      catalogue.tracers[id] = parse_tracer(id, entry, catalogue.file.string());
    }
  } catch (const json::exception& error) {
    throw InvalidInputError(catalogue.file.string() + ": wrong value type: " + error.what());
  }
  return catalogue;
}

std::string lesion_uptake_class(const TracerInfo& tracer, const LesionSpec& lesion) {
  if (tracer.lesion_driver == "fdg_avidity") return fdg_avidity_name(lesion.fdg_avidity);
  if (tracer.lesion_driver == "er") return er_status_name(lesion.er);
  if (tracer.lesion_driver == "her2") return her2_status_name(lesion.her2);
  if (tracer.lesion_driver == "site_class") return lesion_site_class(lesion.site);
  if (tracer.lesion_driver == "constant") return "constant";
  throw InvalidInputError("tracer " + tracer.id + ": unknown lesion uptake driver \"" +
                          tracer.lesion_driver +
                          "\" (fdg_avidity, er, her2, site_class or constant)");
}

double lesion_baseline_suv(const TracerInfo& tracer, const LesionSpec& lesion) {
  const std::string uptake_class = lesion_uptake_class(tracer, lesion);
  auto found = tracer.lesion_suv_by_class.find(uptake_class);
  if (found == tracer.lesion_suv_by_class.end()) {
    throw InvalidInputError("tracer " + tracer.id + ": no lesion uptake for class \"" +
                            uptake_class + "\" in the tracer table");
  }
  auto scale = lesion.uptake_scale_per_tracer.find(tracer.id);
  return found->second * (scale != lesion.uptake_scale_per_tracer.end() ? scale->second : 1.0);
}

}  // namespace oncotrace::phantom
