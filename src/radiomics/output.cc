// CSV and JSON writers of feature sets (deterministic, round-trip exact numbers).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "oncotrace/error.h"
#include "oncotrace/radiomics.h"

namespace oncotrace::radiomics {

namespace {

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

}  // namespace

std::string features_to_csv_long(const FeatureSet& features, bool include_diagnostics) {
  std::string csv = "tag,value,ibsi_code\n";
  for (const Feature& feature : features.features) {
    csv += csv_field(feature.tag) + "," + number(feature.value) + "," + feature.ibsi_code + "\n";
  }
  if (include_diagnostics) {
    for (const Feature& feature : features.diagnostics) {
      csv += csv_field(feature.tag) + "," + number(feature.value) + ",\n";
    }
  }
  return csv;
}

std::string features_to_csv_wide(const std::vector<FeatureSet>& feature_sets,
                                 const std::vector<std::string>& labels) {
  if (feature_sets.size() != labels.size()) {
    throw InternalError("features_to_csv_wide: " + std::to_string(feature_sets.size()) +
                        " feature sets but " + std::to_string(labels.size()) + " labels");
  }
  // Columns: the tags in first-seen order over all sets.
  std::vector<std::string> tags;
  std::map<std::string, size_t> column_of;
  for (const FeatureSet& set : feature_sets) {
    for (const Feature& feature : set.features) {
      if (column_of.emplace(feature.tag, tags.size()).second) tags.push_back(feature.tag);
    }
  }
  std::string csv = "label";
  for (const std::string& tag : tags) csv += "," + csv_field(tag);
  csv += "\n";
  for (size_t row = 0; row < feature_sets.size(); ++row) {
    std::vector<std::string> cells(tags.size(), "");
    for (const Feature& feature : feature_sets[row].features) {
      cells[column_of.at(feature.tag)] = number(feature.value);
    }
    csv += csv_field(labels[row]);
    for (const std::string& cell : cells) csv += "," + cell;
    csv += "\n";
  }
  return csv;
}

std::string features_to_json(const FeatureSet& features) {
  nlohmann::ordered_json root;
  root["settings"] = features.settings_name;
  const auto values_of = [](const std::vector<Feature>& list, bool with_codes) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const Feature& feature : list) {
      nlohmann::ordered_json item;
      item["tag"] = feature.tag;
      // JSON has no NaN: undefined features are null.
      item["value"] = std::isfinite(feature.value) ? nlohmann::ordered_json(feature.value)
                                                   : nlohmann::ordered_json();
      if (with_codes) item["ibsi_code"] = feature.ibsi_code;
      array.push_back(item);
    }
    return array;
  };
  root["features"] = values_of(features.features, true);
  root["diagnostics"] = values_of(features.diagnostics, false);
  return root.dump(2) + "\n";
}

void write_features_csv_long(const std::filesystem::path& path, const FeatureSet& features) {
  write_file_atomically(path, features_to_csv_long(features));
}

void write_features_json(const std::filesystem::path& path, const FeatureSet& features) {
  write_file_atomically(path, features_to_json(features));
}

}  // namespace oncotrace::radiomics
