// Several studies of one patient (definitions and steps: include/oncotrace/patient.h).
#include "oncotrace/patient.h"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "clinical/clinical_input.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/json_values.h"
#include "oncotrace/clinical.h"
#include "oncotrace/datetime.h"
#include "oncotrace/error.h"
#include "oncotrace/store.h"
#include "oncotrace/suv.h"
#include "oncotrace/tracers.h"
#include "oncotrace/version.h"
#include "pipeline/analysis_output.h"
#include "pipeline/organ_stage.h"
#include "pipeline/stage_timer.h"
#include "pipeline/store_stage.h"

namespace oncotrace {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kDisclaimer =
    "Research use only. oncotrace reports measurements and literature-referenced annotations; it "
    "does not diagnose and never recommends treatment.";

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_csv_line(const std::string& line) {
  // Plain CSV with optional double quotes around a field ("" inside quotes is a quote).
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t n = 0; n < line.size(); ++n) {
    const char c = line[n];
    if (quoted) {
      if (c == '"' && n + 1 < line.size() && line[n + 1] == '"') {
        field += '"';
        ++n;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(trim(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(trim(field));
  return fields;
}

bool is_fdg(const PatientStudyResult& study) { return study.tracer_id == "fdg"; }

// The staging site of a lesion's organ when the organ alone makes it distant disease for breast
// cancer (AJCC 8th: any lesion in these organs is cM1; clinical-context.md §5.8). Breast, soft
// tissue ("unknown", "muscle") and the mediastinal organs (heart, aorta: a lesion there may be an
// internal mammary node, which is regional) give no site.
std::optional<ImagingSite> distant_site_of_organ(const std::string& organ) {
  if (organ == "bone") return ImagingSite::kBone;
  if (organ == "liver") return ImagingSite::kLiver;
  if (organ == "lung") return ImagingSite::kLung;
  if (organ == "brain") return ImagingSite::kBrain;
  if (organ == "spleen" || organ == "kidney") return ImagingSite::kOtherDistantOrgan;
  return std::nullopt;
}

bool is_baseline(const PatientStudyInput& input) {
  return input.timepoint.empty() || input.timepoint == "baseline";
}

// Imaging findings for the staging upstaging: each lesion detected on a baseline study whose
// organ is distant (distant_site_of_organ). Lesions whose organ gives no site are named in
// `undetermined` (a lymph node or soft-tissue lesion needs its site from the reader).
std::vector<ImagingFinding> lesion_imaging_findings(const PatientResult& result,
                                                    std::vector<std::string>& undetermined) {
  std::vector<ImagingFinding> findings;
  for (const PatientLesion& lesion : result.lesions) {
    std::string detected_on;
    for (const PatientLesionStudyValue& value : lesion.per_study) {
      const auto study =
          std::find_if(result.studies.begin(), result.studies.end(),
                       [&](const PatientStudyResult& s) { return s.input.id == value.study_id; });
      if (value.detected_label && study != result.studies.end() && is_baseline(study->input)) {
        detected_on += (detected_on.empty() ? "" : ", ") + value.study_id;
      }
    }
    if (detected_on.empty() || lesion.organ == "breast") continue;
    const std::optional<ImagingSite> site = distant_site_of_organ(lesion.organ);
    if (!site) {
      undetermined.push_back(lesion.id + " (organ " + lesion.organ + ")");
      continue;
    }
    ImagingFinding finding;
    finding.site = *site;
    finding.description = "lesion " + lesion.id + " in " + lesion.organ;
    finding.source = "oncotrace patient, detected on " + detected_on;
    findings.push_back(std::move(finding));
  }
  return findings;
}

// The study's tracer: `override_tracer` when the user gave one, else identified from the PET
// header by the catalogue; records how in `study.tracer_identification`. Throws
// InvalidInputError naming the study and the remedies when it cannot be identified.
const Tracer* identify_study_tracer(const TracerCatalogue& catalogue, const SeriesHeader& header,
                                    const Tracer* override_tracer,
                                    const std::filesystem::path& input_path,
                                    PatientStudyResult& study) {
  if (override_tracer != nullptr) {
    study.tracer_identification = "given by the user (" + override_tracer->id + ")";
    return override_tracer;
  }
  const TracerIdentification identification =
      catalogue.identify(pipeline_internal::tracer_fields(header));
  study.tracer_identification = identification.explanation;
  if (identification.tracer == nullptr) {
    throw InvalidInputError("study " + study.input.id + " (" + input_path.string() +
                            "): tracer not identified from DICOM (" + identification.explanation +
                            "). Give it with the manifest column 'tracer' or --tracer "
                            "ID=TRACER (catalogue ids: docs/tracers.md)");
  }
  return identification.tracer;
}

// A warning when the scan falls outside the tracer's recommended imaging window.
void add_imaging_window_warning(const Tracer& tracer, const SeriesHeader& header,
                                std::vector<std::string>& warnings) {
  const std::optional<double> seconds = seconds_from_administration_to_series_time(header);
  if (!seconds || *seconds < 0) return;
  if (auto warning = imaging_window_warning(tracer, *seconds / 3600.0)) {
    warnings.push_back(*warning);
  }
}

Json transform_json(const SpatialTransform& t) {
  Json out;
  out["linear"] = Json::array();
  for (double v : t.linear) out["linear"].push_back(v);
  out["translation_mm"] = vec3_json(t.translation_mm);
  return out;
}

Json status_json(const LesionStatusCall& call) {
  Json out;
  out["tracer"] = call.tracer_id;
  out["target"] = call.target;
  out["status"] = lesion_status_name(call.status);
  out["metric"] = call.metric;
  out["value"] = optional_number_json(call.value);
  out["comparison"] = call.comparison;
  out["threshold"] = optional_number_json(call.threshold);
  out["ratio_to_threshold"] = optional_number_json(call.ratio_to_threshold);
  out["rule"] = call.rule;
  out["rule_verified"] = call.rule_verified;
  out["citation"] = call.citation;
  out["reason"] = call.reason;
  return out;
}

Json heterogeneity_json(const HeterogeneitySummary& s) {
  Json out;
  out["tracer"] = s.tracer_id;
  out["target"] = s.target;
  out["lesions"] = s.lesions;
  out["positive"] = s.positive;
  out["negative"] = s.negative;
  out["not_assessable"] = s.not_assessable;
  out["continuous_only"] = s.continuous_only;
  out["positive_fraction"] = optional_number_json(s.positive_fraction);
  out["heterogeneous"] = s.heterogeneous ? Json(*s.heterogeneous) : Json(nullptr);
  out["quadrants"] = {{"fdg_positive_target_positive", s.fdg_pos_target_pos},
                      {"fdg_positive_target_negative", s.fdg_pos_target_neg},
                      {"fdg_negative_target_positive", s.fdg_neg_target_pos},
                      {"fdg_negative_target_negative", s.fdg_neg_target_neg}};
  out["discordant_lesions"] = s.discordant;
  out["fdg_avid_load_positive_fraction"] = optional_number_json(s.fdg_avid_load_positive_fraction);
  out["zephir_category"] = s.zephir_category.empty() ? Json(nullptr) : Json(s.zephir_category);
  out["notes"] = s.notes;
  return out;
}

// Running SUVmax / sum / count of a set of voxels.
struct VoxelStats {
  size_t count = 0;
  double sum = 0.0;
  double max = 0.0;
};

// SUVmax/SUVmean of the voxels of `target` whose centre maps (target_to_defining, nearest voxel)
// onto label `label` of `defining_labels`: the nearest-neighbour label transfer of
// transfer_labels() restricted to the target voxels that can reach the lesion's box (the box's
// corners +- half a voxel mapped by the affine transform bound its image), so the result equals
// a whole-grid transfer at a fraction of the cost.
VoxelStats carried_voxel_statistics(const ImageVolume& target, const LabelMap& defining_labels,
                                    uint16_t label, const IndexBox& box,
                                    const SpatialTransform& target_to_defining,
                                    const SpatialTransform& defining_to_target) {
  const Geometry& grid = target.geometry;
  Vec3 lower{1e300, 1e300, 1e300};
  Vec3 upper{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    Vec3 index{};
    for (size_t a = 0; a < 3; ++a) {
      index[a] = ((corner >> a) & 1) != 0 ? static_cast<double>(box.upper[a]) + 0.5
                                          : static_cast<double>(box.lower[a]) - 0.5;
    }
    const Vec3 in_target = grid.world_to_index(
        defining_to_target.apply(defining_labels.geometry.index_to_world(index)));
    for (size_t a = 0; a < 3; ++a) {
      lower[a] = std::min(lower[a], in_target[a]);
      upper[a] = std::max(upper[a], in_target[a]);
    }
  }
  Index3 from{}, to{};
  for (size_t a = 0; a < 3; ++a) {
    from[a] = std::max<int64_t>(0, static_cast<int64_t>(std::floor(lower[a])) - 1);
    to[a] = std::min<int64_t>(grid.size[a] - 1, static_cast<int64_t>(std::ceil(upper[a])) + 1);
  }
  VoxelStats stats;
  for (int64_t k = from[2]; k <= to[2]; ++k) {
    for (int64_t j = from[1]; j <= to[1]; ++j) {
      for (int64_t i = from[0]; i <= to[0]; ++i) {
        const Index3 source = defining_labels.geometry.world_to_nearest_index(
            target_to_defining.apply(grid.index_to_world(i, j, k)));
        if (!defining_labels.geometry.contains(source) ||
            defining_labels.at(source[0], source[1], source[2]) != label) {
          continue;
        }
        const double value = target.at(i, j, k);
        stats.max = stats.count == 0 ? value : std::max(stats.max, value);
        stats.sum += value;
        ++stats.count;
      }
    }
  }
  return stats;
}

LesionUptake detected_uptake(const LesionResult& lesion, const std::string& study_id) {
  LesionUptake uptake;
  uptake.suv_max = lesion.metrics.suv.max;
  uptake.suv_mean = lesion.metrics.suv.mean;
  if (!lesion.metrics.suv.peaks.empty()) uptake.suv_peak = lesion.metrics.suv.peaks.front().value;
  if (lesion.metrics.sul && !lesion.metrics.sul->peaks.empty()) {
    uptake.sul_peak = lesion.metrics.sul->peaks.front().value;
  }
  uptake.source = "lesion " + std::to_string(lesion.label) + " detected on " + study_id;
  return uptake;
}

const ReferenceRegionResult* find_reference(const AnalysisResult& analysis,
                                            const std::string& name) {
  for (const ReferenceRegionResult& region : analysis.reference_regions) {
    if (region.name == name) return &region;
  }
  return nullptr;
}

std::string format_number(double value, int precision = 3) {
  std::ostringstream out;
  out.precision(precision);
  out << value;
  return out.str();
}

// ---------------------------------------------------------------------------------------------
// Analyze output folders as inputs (PatientInputKind::kAnalysisOutput).

std::optional<double> number_or_null(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object.at(key).is_number()) {
    return std::nullopt;
  }
  return object.at(key).get<double>();
}

Vec3 vec3_of(const nlohmann::json& value) {
  return {value.at(0).get<double>(), value.at(1).get<double>(), value.at(2).get<double>()};
}

// lesions.json "uptake" / "sul" (documents.cc statistics_json).
UptakeStatistics uptake_statistics_of(const nlohmann::json& stats) {
  UptakeStatistics out;
  out.max = stats.at("max").get<double>();
  out.mean = stats.at("mean").get<double>();
  out.min = stats.at("min").get<double>();
  out.median = stats.at("median").get<double>();
  out.sd = stats.at("sd").get<double>();
  for (const nlohmann::json& item : stats.value("peaks", nlohmann::json::array())) {
    PeakResult peak;
    peak.variant = item.value("variant", "");
    peak.value = item.at("value").get<double>();
    if (item.contains("centre_lps_mm")) peak.centre_mm = vec3_of(item.at("centre_lps_mm"));
    out.peaks.push_back(std::move(peak));
  }
  if (stats.contains("hottest_voxel_lps_mm")) {
    out.hottest_mm = vec3_of(stats.at("hottest_voxel_lps_mm"));
  }
  return out;
}

// lesions.json reference_regions[] "statistics" / "sul" (documents.cc region_statistics_json).
ReferenceRegionStatistics region_statistics_of(const nlohmann::json& stats) {
  ReferenceRegionStatistics out;
  out.mean = stats.at("mean").get<double>();
  out.sd = stats.at("sd").get<double>();
  out.max = stats.value("max", 0.0);
  out.min = stats.value("min", 0.0);
  out.voxel_count = stats.value("voxel_count", size_t{0});
  out.volume_ml = stats.value("volume_ml", 0.0);
  return out;
}

// The analysis of an analyze output folder as analyze_study() would have returned it, as far as
// analyze_patient() and analyze_response() use it: identity, lesions.json (verbatim), lesions
// (label, organ, detection threshold, the metrics lesions.json records, bounding boxes from the
// label map), reference regions, the label map and the re-loaded images.
AnalysisResult analysis_from_output(const std::filesystem::path& folder, const std::string& id) {
  const std::filesystem::path file = folder / "lesions.json";
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw InvalidInputError("study " + id + ": " + file.string() + " cannot be read");
  AnalysisResult result;
  result.lesions_json = text.str();
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(result.lesions_json);
  } catch (const nlohmann::json::exception& error) {
    throw InvalidInputError("study " + id + ": " + file.string() +
                            " is not valid JSON (run oncotrace analyze again): " + error.what());
  }
  pipeline_internal::AnalysisOutputImages images =
      pipeline_internal::load_analysis_output_images(folder, document, std::nullopt, "");
  if (!images.labels) {
    throw InvalidInputError("study " + id + ": " + folder.string() + ": " + images.notes.back() +
                            "; lesion matching needs the label map of the analysis (run "
                            "oncotrace analyze again)");
  }
  try {
    const nlohmann::json& identity = document.at("study");
    result.study_instance_uid = identity.at("study_instance_uid").get<std::string>();
    result.series_instance_uid = identity.at("series_instance_uid").get<std::string>();
    result.frame_of_reference_uid = identity.at("frame_of_reference_uid").get<std::string>();
    if (identity.at("ct_series_instance_uid").is_string()) {
      result.ct_series_uid = identity.at("ct_series_instance_uid").get<std::string>();
    }
    result.unit_ucum = document.at("units").at("uptake").get<std::string>();
    result.suv_audit_json = document.at("provenance").at("suv_audit").dump();
    result.segmentation = document.at("segmentation").value("kind", "");
    result.method = document.at("segmentation").value("method", "");
    for (const nlohmann::json& warning : document.value("warnings", nlohmann::json::array())) {
      result.warnings.push_back(warning.get<std::string>());
    }
    for (const nlohmann::json& item : document.at("reference_regions")) {
      ReferenceRegionResult region;
      region.name = item.at("name").get<std::string>();
      region.placement = item.value("placement", "");
      region.placement_method = item.value("placement_method", "");
      region.suv = region_statistics_of(item.at("statistics"));
      if (item.contains("sul") && item.at("sul").is_object()) {
        region.sul = region_statistics_of(item.at("sul"));
      }
      result.reference_regions.push_back(std::move(region));
    }
    for (const nlohmann::json& item : document.at("lesions")) {
      LesionResult lesion;
      lesion.label = item.at("label").get<uint16_t>();
      lesion.name = item.value("name", "");
      if (item.contains("organ") && item.at("organ").is_string()) {
        lesion.organ = item.at("organ").get<std::string>();
      }
      lesion.detection_threshold = number_or_null(item, "detection_threshold");
      LesionMetrics& metrics = lesion.metrics;
      metrics.label = lesion.label;
      metrics.voxel_count = item.at("voxel_count").get<size_t>();
      metrics.volume_ml = item.at("volume_ml").get<double>();
      metrics.suv = uptake_statistics_of(item.at("uptake"));
      metrics.tlg_g = number_or_null(item, "total_uptake").value_or(0.0);
      if (item.contains("sul") && item.at("sul").is_object()) {
        metrics.sul = uptake_statistics_of(item.at("sul"));
        metrics.tlg_sul_g = number_or_null(item, "total_uptake_sul");
      }
      metrics.centroid_mm = vec3_of(item.at("centroid_lps_mm"));
      metrics.longest_diameter_mm = item.at("longest_diameter_mm").get<double>();
      result.lesions.push_back(std::move(lesion));
    }
  } catch (const nlohmann::json::exception& error) {
    throw InvalidInputError("study " + id + ": " + file.string() +
                            " is not an oncotrace analyze lesions.json (run oncotrace analyze "
                            "again): " +
                            error.what());
  }
  // Bounding boxes of the lesions in the label map (carried-over VOIs are searched there).
  const LabelMap& labels = *images.labels;
  std::map<uint16_t, IndexBox> boxes;
  const Index3 size = labels.geometry.size;
  for (int64_t k = 0; k < size[2]; ++k) {
    for (int64_t j = 0; j < size[1]; ++j) {
      for (int64_t i = 0; i < size[0]; ++i) {
        const uint16_t label = labels.at(i, j, k);
        if (label == 0) continue;
        const auto [entry, inserted] = boxes.try_emplace(label);
        IndexBox& box = entry->second;
        if (inserted) {
          box.lower = box.upper = {i, j, k};
          continue;
        }
        const Index3 index{i, j, k};
        for (size_t a = 0; a < 3; ++a) {
          box.lower[a] = std::min(box.lower[a], index[a]);
          box.upper[a] = std::max(box.upper[a], index[a]);
        }
      }
    }
  }
  for (LesionResult& lesion : result.lesions) {
    const auto found = boxes.find(lesion.label);
    if (found == boxes.end()) {
      throw InvalidInputError("study " + id + ": lesion " + std::to_string(lesion.label) + " of " +
                              file.string() + " has no voxel in " +
                              (folder / "labels.nii.gz").string() +
                              " (the files are from different analyses; run oncotrace analyze "
                              "again)");
    }
    lesion.metrics.box = found->second;
  }
  result.patient.lesion_count = result.lesions.size();
  for (const std::string& note : images.notes) result.warnings.push_back(note);
  auto loaded = std::make_shared<LoadedStudy>();
  loaded->pet = std::move(images.pet);
  loaded->ct = std::move(images.ct);
  loaded->image = std::move(images.image);
  result.labels = std::move(*images.labels);
  result.loaded_study = std::move(loaded);
  return result;
}

// The study rows of an analyze output in the results store `db`: copied from the store the
// analysis wrote (the folder's own oncotrace.db, or the one of the patient/response output
// folder that holds it as studies/<id>/) when `db` does not hold the study yet; else only the
// study's identity and series, with a warning.
void store_analysis_output_study(const std::filesystem::path& db,
                                 const std::filesystem::path& folder,
                                 const AnalysisResult& analysis,
                                 std::vector<std::string>& warnings) {
  const LoadedStudy& loaded = *analysis.loaded_study;
  const SeriesHeader& header = loaded.pet.header;
  if (header.patient_id.empty() || analysis.study_instance_uid.empty()) return;  // refused later
  ResultsStore target = ResultsStore::open(db);
  if (target.load_study_results(analysis.study_instance_uid)) return;
  std::error_code ignored;
  std::filesystem::path absolute = std::filesystem::absolute(folder, ignored).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();  // "dir/" -> "dir"
  for (const std::filesystem::path& candidate :
       {absolute / "oncotrace.db", absolute.parent_path().parent_path() / "oncotrace.db"}) {
    if (!std::filesystem::is_regular_file(candidate, ignored)) continue;
    if (std::filesystem::equivalent(candidate, db, ignored)) continue;
    std::optional<StudyResults> stored;
    try {
      stored = ResultsStore::open(candidate).load_study_results(analysis.study_instance_uid);
    } catch (const Error& error) {
      warnings.push_back("results store " + candidate.string() + " not read: " + error.what());
    }
    if (stored) {
      target.replace_study_results(*stored);
      return;
    }
  }
  StudyResults identity;
  identity.patient_id = header.patient_id;
  identity.study_instance_uid = analysis.study_instance_uid;
  identity.study_date = header.study_date;
  identity.study_time = header.study_time;
  identity.series.push_back({header.series_instance_uid, header.modality,
                             header.radiopharmaceutical.radiopharmaceutical.value.value_or(""),
                             "emission", header.series_description});
  if (loaded.ct) {
    identity.series.push_back({loaded.ct->header.series_instance_uid, loaded.ct->header.modality,
                               "", "ct", loaded.ct->header.series_description});
  }
  identity.provenance.software_version = version_string();
  identity.provenance.suv_audit_json = analysis.suv_audit_json;
  identity.provenance.inputs_json = nlohmann::json{{"analyze_output", folder.string()}}.dump();
  target.replace_study_results(identity);
  warnings.push_back("results store " + db.string() + ": no store holding the analysis of " +
                     folder.string() +
                     " was found (its oncotrace.db, or ../../oncotrace.db); only the study's "
                     "identity was stored, its lesion measurements are in its lesions.json");
}

}  // namespace

const char* patient_input_kind_name(PatientInputKind kind) {
  return kind == PatientInputKind::kAnalysisOutput ? "analyze_output" : "study";
}

PatientInputKind patient_input_kind(const std::filesystem::path& path) {
  return pipeline_internal::is_analysis_output(path) ? PatientInputKind::kAnalysisOutput
                                                     : PatientInputKind::kStudy;
}

std::pair<int, int> parse_cycle_day(const std::string& text, const std::string& what) {
  static const std::regex kCycleDay(R"([Cc]([0-9]+)[Dd]([0-9]+))");
  std::smatch match;
  if (!std::regex_match(text, match, kCycleDay) || std::stoi(match[1].str()) < 1 ||
      std::stoi(match[2].str()) < 1) {
    throw InvalidInputError(what + " '" + text + "': expected C<cycle>D<day>, e.g. C1D15");
  }
  return {std::stoi(match[1].str()), std::stoi(match[2].str())};
}

std::string patient_study_id(const PatientStudyInput& input) {
  if (!input.id.empty()) return input.id;
  std::filesystem::path path = input.path;
  if (path.filename().empty()) path = path.parent_path();
  return path.filename().string();
}

std::vector<PatientStudyInput> read_patient_manifest(const std::filesystem::path& manifest) {
  std::ifstream in(manifest);
  if (!in) {
    throw InvalidInputError("--manifest " + manifest.string() + ": cannot be read");
  }
  std::string line;
  size_t line_number = 0;
  std::vector<std::string> columns;
  while (columns.empty() && std::getline(in, line)) {
    ++line_number;
    if (!trim(line).empty()) columns = split_csv_line(line);
  }
  const auto column = [&](const std::string& name) -> std::optional<size_t> {
    const auto found = std::find(columns.begin(), columns.end(), name);
    if (found == columns.end()) return std::nullopt;
    return static_cast<size_t>(found - columns.begin());
  };
  const std::set<std::string> known{"path", "id",      "tracer",           "timepoint",
                                    "date", "patient", "cycles_completed", "cycle_day"};
  for (const std::string& name : columns) {
    if (known.count(name) == 0) {
      throw InvalidInputError(
          "--manifest " + manifest.string() + " line " + std::to_string(line_number) +
          ": unknown column '" + name +
          "' (allowed: path, id, tracer, timepoint, date, patient, cycles_completed, "
          "cycle_day)");
    }
  }
  if (!column("path")) {
    throw InvalidInputError("--manifest " + manifest.string() +
                            ": the header row must name a 'path' column (columns: path, id, "
                            "tracer, timepoint, date, patient)");
  }
  std::vector<PatientStudyInput> studies;
  std::string patient;
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != columns.size()) {
      throw InvalidInputError("--manifest " + manifest.string() + " line " +
                              std::to_string(line_number) + ": " + std::to_string(fields.size()) +
                              " fields, the header has " + std::to_string(columns.size()));
    }
    const auto get = [&](const std::string& name) {
      const std::optional<size_t> index = column(name);
      return index ? fields[*index] : std::string();
    };
    PatientStudyInput study;
    study.path = get("path");
    if (study.path.empty()) {
      throw InvalidInputError("--manifest " + manifest.string() + " line " +
                              std::to_string(line_number) + ": empty path");
    }
    if (study.path.is_relative()) study.path = manifest.parent_path() / study.path;
    study.id = get("id");
    study.tracer = get("tracer");
    study.timepoint = get("timepoint");
    study.date = get("date");
    const std::string where =
        "--manifest " + manifest.string() + " line " + std::to_string(line_number);
    if (const std::string cycles = get("cycles_completed"); !cycles.empty()) {
      size_t used = 0;
      int value = -1;
      try {
        value = std::stoi(cycles, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != cycles.size() || value < 0) {
        std::string message = where;
        message.append(": cycles_completed '")
            .append(cycles)
            .append("' must be a whole number >= 0");
        throw InvalidInputError(message);
      }
      study.cycles_completed = value;
    }
    if (const std::string cycle_day = get("cycle_day"); !cycle_day.empty()) {
      const auto [cycle, day] = parse_cycle_day(cycle_day, where + ": cycle_day");
      study.cycle = cycle;
      study.cycle_day = day;
    }
    const std::string row_patient = get("patient");
    if (!row_patient.empty()) {
      if (!patient.empty() && row_patient != patient) {
        std::string message = where;
        message.append(": patient '")
            .append(row_patient)
            .append("' differs from '")
            .append(patient)
            .append("': `oncotrace patient` takes the studies of one patient");
        throw InvalidInputError(message);
      }
      patient = row_patient;
    }
    studies.push_back(std::move(study));
  }
  if (studies.empty()) {
    throw InvalidInputError("--manifest " + manifest.string() + ": no study rows");
  }
  return studies;
}

PatientResult analyze_patient(const PatientRequest& request) {
  std::unique_ptr<tbb::global_control> thread_limit;
  if (request.threads > 0) {
    thread_limit = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, static_cast<size_t>(request.threads));
  }
  if (request.studies.empty()) {
    throw InvalidInputError("oncotrace patient: no study given (pass study folders or --manifest)");
  }
  if (request.output_dir.empty()) {
    throw InvalidInputError("oncotrace patient: an output folder (-o) is required");
  }
  std::set<std::string> ids;
  for (const PatientStudyInput& input : request.studies) {
    const std::string id = patient_study_id(input);
    if (!ids.insert(id).second) {
      throw InvalidInputError("study id '" + id +
                              "' is used twice: give each study a distinct id (manifest column "
                              "'id')");
    }
    if (!std::filesystem::exists(input.path)) {
      throw InvalidInputError("study " + id + ": " + input.path.string() + " does not exist");
    }
  }
  if (request.clinical && !std::filesystem::exists(*request.clinical)) {
    throw InvalidInputError("--clinical " + request.clinical->string() + ": no such file");
  }
  const TracerCatalogue& catalogue = default_tracer_catalogue();

  PatientResult result;
  // 1-2. Tracer identification and single-study analysis.
  {
    pipeline_internal::StageTimer timer(&result.timings, "analyze_studies");
    for (const PatientStudyInput& input : request.studies) {
      PatientStudyResult study;
      study.input = input;
      study.input.id = patient_study_id(input);
      if (study.input.timepoint.empty()) study.input.timepoint = "baseline";
      const Tracer* override_tracer = nullptr;
      if (!input.tracer.empty()) {
        override_tracer = catalogue.find(input.tracer);
        if (override_tracer == nullptr) {
          throw InvalidInputError("study " + study.input.id + ": tracer '" + input.tracer +
                                  "' is not in the catalogue " + catalogue.origin() +
                                  " (see docs/tracers.md for the ids)");
        }
      }
      study.input_kind = patient_input_kind(input.path);
      if (study.input_kind == PatientInputKind::kAnalysisOutput) {
        // Used as analysed: its measurements, label map and re-loaded images.
        study.results_folder = std::filesystem::absolute(input.path).lexically_normal();
        study.analysis = analysis_from_output(input.path, study.input.id);
        const SeriesHeader& header = study.analysis.loaded_study->pet.header;
        const Tracer* tracer =
            identify_study_tracer(catalogue, header, override_tracer, input.path, study);
        add_imaging_window_warning(*tracer, header, study.warnings);
        study.tracer_id = tracer->id;
        study.target = tracer->target;
        if (request.analysis.store_results && !request.analysis.hooks.store) {
          const std::filesystem::path db =
              request.analysis.db ? *request.analysis.db : request.output_dir / "oncotrace.db";
          if (!db.parent_path().empty()) std::filesystem::create_directories(db.parent_path());
          try {
            store_analysis_output_study(db, input.path, study.analysis, study.warnings);
          } catch (const InvalidInputError& error) {
            throw InvalidInputError("study " + study.input.id + ": results store " + db.string() +
                                    ": " + error.what());
          }
        }
        result.studies.push_back(std::move(study));
        continue;
      }
      study.results_folder = std::filesystem::path("studies") / study.input.id;
      AnalysisRequest analysis = request.analysis;
      analysis.study = input.path;
      analysis.output_dir = request.output_dir / "studies" / study.input.id;
      if (!analysis.db) analysis.db = request.output_dir / "oncotrace.db";
      analysis.keep_loaded_study = true;
      analysis.command = request.command;
      analysis.arguments = request.arguments;
      // The organ stage identifies the tracer from the loaded header, then excludes its organs.
      const Tracer* tracer = override_tracer;
      std::vector<std::string> organ_warnings;
      const AnalysisRequest base = analysis;
      analysis.hooks.organs = [&](const LoadedStudy& loaded) {
        tracer =
            identify_study_tracer(catalogue, loaded.pet.header, override_tracer, input.path, study);
        AnalysisRequest organ_request = base;
        if (request.tracer_organ_exclusion) {
          const pipeline_internal::TracerOrganExclusion exclusion =
              pipeline_internal::tracer_organ_exclusion(*tracer);
          for (const std::string& organ : exclusion.excluded) {
            if (std::find(organ_request.extra_excluded_organs.begin(),
                          organ_request.extra_excluded_organs.end(),
                          organ) == organ_request.extra_excluded_organs.end()) {
              organ_request.extra_excluded_organs.push_back(organ);
            }
          }
          study.excluded_organs = organ_request.extra_excluded_organs;
          if (exclusion.warning) organ_warnings.push_back(*exclusion.warning);
        }
        add_imaging_window_warning(*tracer, loaded.pet.header, organ_warnings);
        return pipeline_internal::default_organ_maps(organ_request, loaded, organ_warnings);
      };
      study.analysis = analyze_study(analysis);
      if (tracer == nullptr) {
        throw InternalError("study " + study.input.id + ": the organ stage did not run");
      }
      study.tracer_id = tracer->id;
      study.target = tracer->target;
      study.warnings = organ_warnings;
      result.studies.push_back(std::move(study));
    }
  }

  // Reference study.
  size_t reference = 0;
  if (!request.reference_study.empty()) {
    const auto found = std::find_if(
        result.studies.begin(), result.studies.end(),
        [&](const PatientStudyResult& s) { return s.input.id == request.reference_study; });
    if (found == result.studies.end()) {
      throw InvalidInputError("--reference " + request.reference_study + ": no such study id");
    }
    reference = static_cast<size_t>(found - result.studies.begin());
  } else {
    for (size_t s = 0; s < result.studies.size(); ++s) {
      if (is_fdg(result.studies[s])) {
        reference = s;
        break;
      }
    }
  }
  result.reference_study = result.studies[reference].input.id;
  const LoadedStudy& reference_images = *result.studies[reference].analysis.loaded_study;

  // 3. Registration, one study per task (each registration is single-threaded and
  // deterministic).
  {
    pipeline_internal::StageTimer timer(&result.timings, "registration");
    std::vector<std::exception_ptr> errors(result.studies.size());
    tbb::parallel_for(size_t{0}, result.studies.size(), [&](size_t s) {
      try {
        PatientStudyResult& study = result.studies[s];
        const LoadedStudy& images = *study.analysis.loaded_study;
        if (s == reference) {
          study.registration.method = "reference study";
          study.registration.quality_before = study.registration.quality_after = 1.0;
          return;
        }
        const std::string& reference_frame = reference_images.pet.header.frame_of_reference_uid;
        if (!reference_frame.empty() &&
            images.pet.header.frame_of_reference_uid == reference_frame) {
          study.registration.method = "identity: shared FrameOfReferenceUID " + reference_frame;
          study.registration.quality_before = study.registration.quality_after = 1.0;
          return;
        }
        RegistrationOptions options = request.registration;
        const std::string what = study.input.id + " to " + result.studies[reference].input.id;
        if (reference_images.ct && images.ct) {
          options.body_threshold = -300.0f;  // HU: soft tissue and bone, not air or lung
          study.registration =
              register_images(reference_images.ct->frames[0].image, images.ct->frames[0].image,
                              options, what + " (CT to CT)");
          study.registration.method = "CT to CT: " + study.registration.method;
        } else {
          options.body_threshold = 0.3f;  // SUV: the body without air
          study.registration = register_images(reference_images.image, images.image, options,
                                               what + " (PET to PET)");
          study.registration.method =
              "PET to PET (no CT in both studies): " + study.registration.method;
        }
      } catch (...) {
        errors[s] = std::current_exception();
      }
    });
    for (const std::exception_ptr& error : errors) {
      if (error) std::rethrow_exception(error);
    }
  }

  // 4. Lesion matching in the reference space, studies in input order starting with the
  // reference.
  std::vector<size_t> order{reference};
  for (size_t s = 0; s < result.studies.size(); ++s) {
    if (s != reference) order.push_back(s);
  }
  // per study: lesion index -> patient lesion index
  std::vector<std::map<size_t, size_t>> assignment(result.studies.size());
  {
    pipeline_internal::StageTimer timer(&result.timings, "matching");
    for (size_t s : order) {
      const PatientStudyResult& study = result.studies[s];
      const SpatialTransform to_reference = study.registration.reference_to_study.inverse();
      std::vector<Vec3> study_centres;
      for (const LesionResult& lesion : study.analysis.lesions) {
        study_centres.push_back(to_reference.apply(lesion.metrics.centroid_mm));
      }
      std::vector<Vec3> patient_centres;
      for (const PatientLesion& lesion : result.lesions) {
        patient_centres.push_back(lesion.reference_centre_mm);
      }
      const LesionMatching matching =
          match_lesions(patient_centres, study_centres, request.matching);
      for (const LesionMatchPair& pair : matching.pairs) assignment[s][pair.second] = pair.first;
      for (size_t index : matching.unmatched_second) {
        const LesionResult& lesion = study.analysis.lesions[index];
        PatientLesion patient_lesion;
        patient_lesion.id = "L" + std::to_string(result.lesions.size() + 1);
        patient_lesion.defining_study = study.input.id;
        patient_lesion.defining_label = lesion.label;
        patient_lesion.organ = lesion.organ;
        patient_lesion.longest_diameter_mm = lesion.metrics.longest_diameter_mm;
        patient_lesion.reference_centre_mm = study_centres[index];
        assignment[s][index] = result.lesions.size();
        result.lesions.push_back(std::move(patient_lesion));
      }
    }
  }

  // 5. Per-study values of every patient lesion: detected, or the defining VOI carried over.
  {
    pipeline_internal::StageTimer timer(&result.timings, "measure_across_studies");
    std::map<std::string, size_t> study_index;
    for (size_t s = 0; s < result.studies.size(); ++s) study_index[result.studies[s].input.id] = s;
    for (PatientLesion& lesion : result.lesions) {
      lesion.per_study.resize(result.studies.size());
      for (size_t s = 0; s < result.studies.size(); ++s) {
        lesion.per_study[s].study_id = result.studies[s].input.id;
      }
    }
    for (size_t s = 0; s < result.studies.size(); ++s) {
      const PatientStudyResult& study = result.studies[s];
      for (const auto& [lesion_index, patient_index] : assignment[s]) {
        const LesionResult& lesion = study.analysis.lesions[lesion_index];
        PatientLesionStudyValue& value = result.lesions[patient_index].per_study[s];
        value.detected_label = lesion.label;
        value.uptake = detected_uptake(lesion, study.input.id);
        value.centre_mm = lesion.metrics.centroid_mm;
      }
    }
    // Carried-over VOIs, one label transfer per (defining study, target study) pair.
    for (size_t target = 0; target < result.studies.size(); ++target) {
      const PatientStudyResult& target_study = result.studies[target];
      const LoadedStudy& target_images = *target_study.analysis.loaded_study;
      std::map<size_t, std::vector<size_t>> by_defining;  // defining study -> patient lesions
      for (size_t p = 0; p < result.lesions.size(); ++p) {
        if (result.lesions[p].per_study[target].detected_label) continue;
        by_defining[study_index.at(result.lesions[p].defining_study)].push_back(p);
      }
      for (const auto& [defining, lesions] : by_defining) {
        const PatientStudyResult& defining_study = result.studies[defining];
        // target world -> reference world -> defining world
        const SpatialTransform target_to_defining =
            defining_study.registration.reference_to_study.after(
                target_study.registration.reference_to_study.inverse());
        const SpatialTransform defining_to_target = target_to_defining.inverse();
        std::map<uint16_t, VoxelStats> stats;
        for (size_t p : lesions) {
          const uint16_t label = result.lesions[p].defining_label;
          const LesionResult* defining_lesion = nullptr;
          for (const LesionResult& candidate : defining_study.analysis.lesions) {
            if (candidate.label == label) defining_lesion = &candidate;
          }
          if (defining_lesion == nullptr) continue;
          stats[label] = carried_voxel_statistics(
              target_images.image, defining_study.analysis.labels, label,
              defining_lesion->metrics.box, target_to_defining, defining_to_target);
          if (stats[label].count == 0) stats.erase(label);
        }
        for (size_t p : lesions) {
          PatientLesion& lesion = result.lesions[p];
          LesionUptake& uptake = lesion.per_study[target].uptake;
          const auto found = stats.find(lesion.defining_label);
          if (found == stats.end()) {
            uptake.in_field_of_view = false;
            uptake.source = "VOI of lesion " + std::to_string(lesion.defining_label) + " of " +
                            defining_study.input.id + " falls outside this study's image";
            continue;
          }
          uptake.suv_max = found->second.max;
          uptake.suv_mean = found->second.sum / static_cast<double>(found->second.count);
          uptake.source = "VOI of lesion " + std::to_string(lesion.defining_label) + " of " +
                          defining_study.input.id + " carried over by registration (" +
                          std::to_string(found->second.count) + " voxels)";
        }
      }
    }
  }

  // 6. FDG avidity, receptor status, heterogeneity.
  std::optional<size_t> fdg_study;
  if (is_fdg(result.studies[reference])) {
    fdg_study = reference;
  } else {
    for (size_t s = 0; s < result.studies.size(); ++s) {
      if (is_fdg(result.studies[s])) {
        fdg_study = s;
        break;
      }
    }
  }
  std::optional<double> liver_sul_mean, liver_sul_sd;
  if (fdg_study) {
    if (const ReferenceRegionResult* liver =
            find_reference(result.studies[*fdg_study].analysis, "liver")) {
      if (liver->sul) {
        liver_sul_mean = liver->sul->mean;
        liver_sul_sd = liver->sul->sd;
      }
    }
  }
  std::vector<size_t> receptor_studies;
  for (size_t s = 0; s < result.studies.size(); ++s) {
    if (!is_fdg(result.studies[s]) && result.studies[s].target != "glucose metabolism") {
      receptor_studies.push_back(s);
    }
  }
  for (PatientLesion& lesion : result.lesions) {
    if (fdg_study) {
      const PatientLesionStudyValue& fdg = lesion.per_study[*fdg_study];
      lesion.fdg_avidity =
          call_fdg_avidity(request.fdg_avidity, fdg.uptake, fdg.detected_label.has_value(),
                           liver_sul_mean, liver_sul_sd);
    } else {
      lesion.fdg_avidity.reason = "no FDG study";
    }
    for (size_t s : receptor_studies) {
      const Tracer* tracer = catalogue.find(result.studies[s].tracer_id);
      lesion.status.push_back(call_lesion_status(*tracer, lesion.per_study[s].uptake, lesion.organ,
                                                 lesion.longest_diameter_mm, request.status));
    }
  }
  for (size_t r = 0; r < receptor_studies.size(); ++r) {
    const PatientStudyResult& study = result.studies[receptor_studies[r]];
    std::vector<HeterogeneityLesion> rows;
    for (const PatientLesion& lesion : result.lesions) {
      rows.push_back({lesion.id, lesion.organ, lesion.reference_centre_mm, lesion.fdg_avidity.avid,
                      lesion.status[r].status});
    }
    result.heterogeneity.push_back(
        summarise_heterogeneity(study.tracer_id, study.target, rows, request.heterogeneity));
  }

  // Pathology against imaging.
  if (request.clinical) {
    std::ifstream in(*request.clinical);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<ImagingFinding> findings;
    if (request.lesion_imaging_findings) {
      std::vector<std::string> undetermined;
      findings = lesion_imaging_findings(result, undetermined);
      if (!undetermined.empty()) {
        std::string list;
        for (const std::string& lesion : undetermined) list += (list.empty() ? "" : ", ") + lesion;
        result.warnings.push_back(
            "imaging upstaging: the staging site of lesions " + list +
            " is not known from their organ (lymph node or soft tissue); give it in the clinical "
            "file's imaging_findings (docs/clinical.md)");
      }
    }
    result.clinical_summary_json =
        clinical_summary_json_from_text(text.str(), request.clinical->string(), findings);
    const clinical_internal::ClinicalInput clinical =
        clinical_internal::parse_clinical_input(text.str(), request.clinical->string());
    for (const clinical_internal::SpecimenInput& specimen : clinical.specimens) {
      if (!specimen.location_lps_mm) continue;
      PathologyComparison comparison;
      comparison.specimen = specimen.id;
      comparison.site = specimen.site;
      double best = request.matching.max_centroid_distance_mm;
      const PatientLesion* biopsied = nullptr;
      for (const PatientLesion& lesion : result.lesions) {
        const Vec3& c = lesion.reference_centre_mm;
        const Vec3& p = *specimen.location_lps_mm;
        const double distance = std::hypot(c[0] - p[0], c[1] - p[1], c[2] - p[2]);
        if (distance <= best) {
          best = distance;
          biopsied = &lesion;
        }
      }
      if (biopsied == nullptr) {
        comparison.findings.push_back("no imaging lesion within " +
                                      format_number(request.matching.max_centroid_distance_mm) +
                                      " mm of the specimen location");
        result.pathology.push_back(std::move(comparison));
        continue;
      }
      comparison.lesion_id = biopsied->id;
      comparison.distance_mm = best;
      std::map<std::string, std::optional<bool>> pathology;  // target -> positive
      if (specimen.er_percent) {
        pathology["ER"] = receptor_is_positive(assess_er(specimen.er_percent));
      }
      if (specimen.her2_given) pathology["HER2"] = her2_is_positive(assess_her2(specimen.her2));
      for (const auto& [target, positive] : pathology) {
        for (size_t r = 0; r < receptor_studies.size(); ++r) {
          if (result.studies[receptor_studies[r]].target != target) continue;
          const std::string tracer = result.studies[receptor_studies[r]].tracer_id;
          const std::string path_text =
              !positive ? "indeterminate" : (*positive ? "positive" : "negative");
          const LesionStatusCall& call = biopsied->status[r];
          std::string line = target;
          line.append(": pathology ")
              .append(path_text)
              .append(", ")
              .append(tracer)
              .append(" imaging ")
              .append(lesion_status_name(call.status))
              .append(" on ")
              .append(biopsied->id);
          const bool called =
              call.status == LesionStatus::kPositive || call.status == LesionStatus::kNegative;
          if (positive && called) {
            const bool imaging_positive = call.status == LesionStatus::kPositive;
            line += imaging_positive == *positive ? " (concordant)" : " (DISCORDANT)";
          }
          // Other lesions whose imaging status differs from the biopsy.
          if (positive) {
            std::vector<std::string> others;
            for (const PatientLesion& lesion : result.lesions) {
              if (&lesion == biopsied) continue;
              const LesionStatus status = lesion.status[r].status;
              if ((status == LesionStatus::kPositive && !*positive) ||
                  (status == LesionStatus::kNegative && *positive)) {
                others.push_back(lesion.id + " (" + lesion.organ + ")");
              }
            }
            if (!others.empty()) {
              std::string list;
              for (const std::string& o : others) list += (list.empty() ? "" : ", ") + o;
              line += "; other lesions imaging-" +
                      std::string(*positive ? "negative" : "positive") +
                      " against the biopsy: " + list;
            }
          }
          comparison.findings.push_back(line);
        }
      }
      result.pathology.push_back(std::move(comparison));
    }
  }

  // 7. Documents.
  Json doc;
  doc["schema"] = "oncotrace.patient/1";
  doc["software"] = {{"name", "oncotrace"}, {"version", version_string()}};
  doc["disclaimer"] = kDisclaimer;
  doc["command"] = request.command;
  doc["arguments"] = request.arguments;
  doc["settings"] = {{"reference_study", result.reference_study},
                     {"registration", registration_mode_name(request.registration.mode)},
                     {"registration_working_spacing_mm", request.registration.working_spacing_mm},
                     {"registration_min_quality", request.registration.min_quality},
                     {"registration_sampling_fraction", request.registration.sampling_fraction},
                     {"registration_seed", request.registration.sampling_seed},
                     {"match_max_distance_mm", request.matching.max_centroid_distance_mm},
                     {"fdg_avidity", fdg_avidity_rule_text(request.fdg_avidity)},
                     {"operator_overrides", request.status.operator_overrides},
                     {"zephir_dominant_fraction", request.heterogeneity.dominant_fraction},
                     {"tracer_organ_exclusion", request.tracer_organ_exclusion},
                     {"segmentation", request.analysis.method.text},
                     {"tracer_catalogue", catalogue.origin()}};
  doc["reference_study"] = result.reference_study;
  doc["studies"] = Json::array();
  for (const PatientStudyResult& study : result.studies) {
    Json s;
    s["id"] = study.input.id;
    s["path"] = study.input.path.string();
    s["input"] = patient_input_kind_name(study.input_kind);
    s["timepoint"] = study.input.timepoint;
    s["date"] = study.input.date;
    s["tracer"] = study.tracer_id;
    s["tracer_identification"] = study.tracer_identification;
    s["target"] = study.target;
    s["study_instance_uid"] = study.analysis.study_instance_uid;
    s["series_instance_uid"] = study.analysis.series_instance_uid;
    s["frame_of_reference_uid"] = study.analysis.frame_of_reference_uid;
    s["excluded_organs"] = study.excluded_organs;
    s["lesions_detected"] = study.analysis.lesions.size();
    s["results_folder"] = study.results_folder.string();
    const RegistrationResult& reg = study.registration;
    s["registration"] = {{"method", reg.method},
                         {"quality_before", reg.quality_before},
                         {"quality_after", reg.quality_after},
                         {"translation_mm", reg.translation_mm},
                         {"rotation_deg", reg.rotation_deg},
                         {"reference_to_study", transform_json(reg.reference_to_study)},
                         {"stages", reg.stages}};
    std::vector<std::string> warnings = study.warnings;
    for (const std::string& w : study.analysis.warnings) warnings.push_back(w);
    s["warnings"] = warnings;
    doc["studies"].push_back(std::move(s));
  }
  doc["lesions"] = Json::array();
  for (const PatientLesion& lesion : result.lesions) {
    Json l;
    l["id"] = lesion.id;
    l["defining_study"] = lesion.defining_study;
    l["defining_label"] = lesion.defining_label;
    l["organ"] = lesion.organ;
    l["longest_diameter_mm"] = lesion.longest_diameter_mm;
    l["reference_centre_lps_mm"] = vec3_json(lesion.reference_centre_mm);
    l["fdg_avid"] = lesion.fdg_avidity.avid ? Json(*lesion.fdg_avidity.avid) : Json(nullptr);
    l["fdg_avidity_reason"] = lesion.fdg_avidity.reason;
    // The compared quantity, for the heterogeneity figure (empty metric: rule "detected").
    l["fdg_avidity"] = {{"metric", lesion.fdg_avidity.metric},
                        {"value", optional_number_json(lesion.fdg_avidity.value)},
                        {"threshold", optional_number_json(lesion.fdg_avidity.threshold)}};
    l["per_study"] = Json::array();
    for (const PatientLesionStudyValue& value : lesion.per_study) {
      Json v;
      v["study"] = value.study_id;
      v["detected_label"] = value.detected_label ? Json(*value.detected_label) : Json(nullptr);
      v["in_field_of_view"] = value.uptake.in_field_of_view;
      v["suv_max"] = optional_number_json(value.uptake.suv_max);
      v["suv_peak"] = optional_number_json(value.uptake.suv_peak);
      v["suv_mean"] = optional_number_json(value.uptake.suv_mean);
      v["sul_peak"] = optional_number_json(value.uptake.sul_peak);
      v["centre_lps_mm"] = value.centre_mm ? vec3_json(*value.centre_mm) : Json(nullptr);
      v["source"] = value.uptake.source;
      l["per_study"].push_back(std::move(v));
    }
    l["status"] = Json::array();
    for (size_t r = 0; r < lesion.status.size(); ++r) {
      Json call = status_json(lesion.status[r]);
      call["study"] = result.studies[receptor_studies[r]].input.id;
      l["status"].push_back(std::move(call));
    }
    doc["lesions"].push_back(std::move(l));
  }
  doc["heterogeneity"] = Json::array();
  for (size_t r = 0; r < result.heterogeneity.size(); ++r) {
    Json summary = heterogeneity_json(result.heterogeneity[r]);
    summary["study"] = result.studies[receptor_studies[r]].input.id;
    doc["heterogeneity"].push_back(std::move(summary));
  }
  doc["pathology_comparison"] = Json::array();
  for (const PathologyComparison& comparison : result.pathology) {
    doc["pathology_comparison"].push_back({{"specimen", comparison.specimen},
                                           {"site", comparison.site},
                                           {"lesion", comparison.lesion_id},
                                           {"distance_mm", comparison.distance_mm},
                                           {"findings", comparison.findings}});
  }
  doc["clinical_summary"] = result.clinical_summary_json.empty()
                                ? Json(nullptr)
                                : Json::parse(result.clinical_summary_json);
  doc["warnings"] = result.warnings;
  result.patient_json = doc.dump(2) + "\n";

  std::ostringstream csv;
  csv << "lesion,organ,defining_study,reference_x_mm,reference_y_mm,reference_z_mm,fdg_avid,study,"
         "tracer,detected_label,in_field_of_view,suv_max,suv_mean,status,reason\n";
  for (const PatientLesion& lesion : result.lesions) {
    for (size_t s = 0; s < result.studies.size(); ++s) {
      const PatientLesionStudyValue& value = lesion.per_study[s];
      std::string status, reason;
      for (size_t r = 0; r < receptor_studies.size(); ++r) {
        if (receptor_studies[r] == s) {
          status = lesion_status_name(lesion.status[r].status);
          reason = lesion.status[r].reason;
        }
      }
      csv << lesion.id << ',' << csv_field(lesion.organ) << ',' << lesion.defining_study << ','
          << format_number(lesion.reference_centre_mm[0], 6) << ','
          << format_number(lesion.reference_centre_mm[1], 6) << ','
          << format_number(lesion.reference_centre_mm[2], 6) << ','
          << (lesion.fdg_avidity.avid ? (*lesion.fdg_avidity.avid ? "yes" : "no") : "") << ','
          << value.study_id << ',' << result.studies[s].tracer_id << ','
          << (value.detected_label ? std::to_string(*value.detected_label) : "") << ','
          << (value.uptake.in_field_of_view ? "yes" : "no") << ','
          << (value.uptake.suv_max ? format_number(*value.uptake.suv_max, 6) : "") << ','
          << (value.uptake.suv_mean ? format_number(*value.uptake.suv_mean, 6) : "") << ','
          << status << ',' << csv_field(reason) << '\n';
    }
  }
  {
    pipeline_internal::StageTimer timer(&result.timings, "writing");
    write_file_atomically(request.output_dir / "patient.json", result.patient_json);
    write_file_atomically(request.output_dir / "patient_lesions.csv", csv.str());
    result.written_files = {request.output_dir / "patient.json",
                            request.output_dir / "patient_lesions.csv"};
  }
  return result;
}

PatientResponse analyze_response(PatientRequest request, const ResponseOptions& options) {
  if (request.studies.size() < 2) {
    throw InvalidInputError("oncotrace response: give a baseline and at least one follow-up study");
  }
  validate_response_options(options);
  request.reference_study = patient_study_id(request.studies.front());
  PatientResponse out;
  out.patient = analyze_patient(request);
  const PatientResult& patient = out.patient;
  std::vector<ResponseTimepoint> timepoints;
  for (size_t s = 0; s < patient.studies.size(); ++s) {
    const PatientStudyResult& study = patient.studies[s];
    const std::string& given_timepoint = request.studies[s].timepoint;
    const std::string label =
        given_timepoint.empty() ? study.input.id : given_timepoint + " (" + study.input.id + ")";
    ResponseTimepoint timepoint = response_timepoint_from_lesions_json(
        study.analysis.lesions_json, label, study.input.id + "/lesions.json");
    timepoint.tracer = study.tracer_id;
    timepoint.cycles_completed = study.input.cycles_completed;
    timepoint.cycle = study.input.cycle;
    timepoint.cycle_day = study.input.cycle_day;
    // Analyze names ("lesion_<label>") -> patient lesion ids of the matching.
    std::map<uint16_t, const PatientLesion*> by_label;
    for (const PatientLesion& lesion : patient.lesions) {
      if (lesion.per_study[s].detected_label)
        by_label[*lesion.per_study[s].detected_label] = &lesion;
    }
    if (timepoint.lesions.size() != study.analysis.lesions.size()) {
      throw InternalError("response: " + study.input.id + " lesions.json lists " +
                          std::to_string(timepoint.lesions.size()) + " lesions, the analysis " +
                          std::to_string(study.analysis.lesions.size()));
    }
    std::vector<ResponseLesion> kept;
    for (size_t n = 0; n < timepoint.lesions.size(); ++n) {
      const LesionResult& analysed = study.analysis.lesions[n];
      const auto found = by_label.find(analysed.label);
      if (found == by_label.end()) {
        throw InternalError("response: lesion " + timepoint.lesions[n].id + " of " +
                            study.input.id + " has no patient lesion");
      }
      const PatientLesion& lesion = *found->second;
      ResponseLesion item = timepoint.lesions[n];
      item.id = lesion.id;
      const PatientLesionStudyValue& at_baseline = lesion.per_study[0];
      if (s > 0 && !at_baseline.detected_label) {
        // Not detected at baseline: new only when its region was below this lesion's detection
        // threshold at baseline too. Uptake above it there means the region was present but
        // excluded at baseline (physiological uptake, organ boundary): not a new lesion, and
        // without a baseline lesion it cannot be compared; it is left out and reported.
        const std::optional<double> baseline_max = at_baseline.uptake.suv_max;
        const std::optional<double> threshold = analysed.detection_threshold;
        if (baseline_max && threshold && *baseline_max >= *threshold) {
          out.warnings.push_back(
              study.input.id + ": " + lesion.id + " (" + lesion.organ +
              ") was not detected at baseline although its region reached SUVmax " +
              format_number(*baseline_max) + " >= the detection threshold " +
              format_number(*threshold) +
              " there (excluded at baseline, e.g. physiological uptake): not counted as a new "
              "lesion and left out of the response assessment");
          continue;
        }
        item.is_new = true;
      }
      kept.push_back(std::move(item));
    }
    timepoint.lesions = std::move(kept);
    timepoints.push_back(std::move(timepoint));
  }
  // Days since baseline from the timepoint dates (ISO dates from the SUV audit).
  const auto date_of = [](const std::string& date) -> std::optional<DateTime> {
    if (date.size() < 10) return std::nullopt;
    return parse_iso8601(date.substr(0, 10) + "T00:00");
  };
  const std::optional<DateTime> baseline_date = date_of(timepoints.front().date);
  for (ResponseTimepoint& timepoint : timepoints) {
    if (!baseline_date) continue;
    if (const std::optional<DateTime> date = date_of(timepoint.date)) {
      timepoint.days_since_baseline = date->seconds_since(*baseline_date) / 86400.0;
    }
  }
  out.report = assess_response(timepoints, options);
  for (const std::string& warning : out.warnings) out.report.warnings.push_back(warning);
  out.report_json = response_report_json(out.report);
  // Long-format change table: one row per follow-up, lesion (or "patient") and quantity.
  std::ostringstream csv;
  csv << "baseline,follow_up,lesion,organ,status,quantity,unit,baseline_value,follow_up_value,"
         "absolute_change,percent_change\n";
  const auto number = [](const std::optional<double>& value) {
    return value ? format_number(*value, 6) : std::string();
  };
  const auto write_row = [&](const ResponseChangeTable& table, const std::string& lesion,
                             const std::string& organ, const std::string& status,
                             const QuantityChange& change) {
    csv << csv_field(table.baseline_label) << ',' << csv_field(table.follow_up_label) << ','
        << lesion << ',' << csv_field(organ) << ',' << status << ',' << csv_field(change.quantity)
        << ',' << csv_field(change.unit) << ',' << number(change.baseline) << ','
        << number(change.follow_up) << ',' << number(change.absolute_change) << ','
        << number(change.percent_change) << '\n';
  };
  for (const ResponseChangeTable& table : out.report.change_tables) {
    for (const LesionChangeRow& row : table.lesions) {
      for (const QuantityChange& change : row.changes) {
        write_row(table, row.id, row.organ, row.status, change);
      }
    }
    for (const QuantityChange& change : table.patient) write_row(table, "patient", "", "", change);
  }
  write_file_atomically(request.output_dir / "response.json", out.report_json);
  write_file_atomically(request.output_dir / "response_changes.csv", csv.str());
  out.written_files = patient.written_files;
  out.written_files.push_back(request.output_dir / "response.json");
  out.written_files.push_back(request.output_dir / "response_changes.csv");
  // The response series into the results store the studies went to (replacing the patient's
  // previous series), unless the store is off or replaced by a hook.
  if (request.analysis.store_results && !request.analysis.hooks.store) {
    pipeline_internal::ResponseStoreRequest store;
    store.db = request.analysis.db ? *request.analysis.db : request.output_dir / "oncotrace.db";
    const PatientStudyResult& baseline = patient.studies.front();
    if (baseline.analysis.loaded_study) {
      store.patient_id = baseline.analysis.loaded_study->pet.header.patient_id;
    }
    if (store.patient_id.empty()) {
      throw InvalidInputError("results store " + store.db.string() + ": the baseline study " +
                              baseline.input.id +
                              " has no PatientID (the store's key); response.json and "
                              "response_changes.csv were written");
    }
    nlohmann::json inputs = nlohmann::json::array();
    for (const PatientStudyResult& study : patient.studies) {
      store.study_instance_uids.push_back(study.analysis.study_instance_uid);
      inputs.push_back({{"id", study.input.id},
                        {"path", study.input.path.string()},
                        {"input", patient_input_kind_name(study.input_kind)}});
    }
    store.report = &out.report;
    for (const std::string& argument : request.arguments) {
      store.command_line += (store.command_line.empty() ? "" : " ") + argument;
    }
    if (store.command_line.empty()) store.command_line = request.command;
    store.settings_json = nlohmann::json::parse(out.report_json).at("options").dump();
    store.inputs_json = inputs.dump();
    try {
      pipeline_internal::store_response(store);
    } catch (const InvalidInputError& error) {
      throw InvalidInputError(std::string(error.what()) +
                              " (response.json and response_changes.csv were written)");
    }
    if (std::find(out.written_files.begin(), out.written_files.end(), store.db) ==
        out.written_files.end()) {
      out.written_files.push_back(store.db);
    }
  }
  return out;
}

}  // namespace oncotrace
