// `oncotrace analyze STUDY -o OUTDIR`: reference regions, segmentation and lesion metrics of one
// study (include/oncotrace/pipeline.h, docs/cli.md).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/pipeline.h"
#include "oncotrace/report.h"

namespace oncotrace::cli {
namespace {

Vec3 parse_point(const std::string& flag, const std::string& text) {
  Vec3 point{0, 0, 0};
  std::istringstream stream(text);
  std::string part;
  int count = 0;
  while (std::getline(stream, part, ',')) {
    char* end = nullptr;
    const double value = std::strtod(part.c_str(), &end);
    if (count >= 3 || part.empty() || end == part.c_str() || *end != '\0' ||
        !std::isfinite(value)) {
      count = 4;
      break;
    }
    point[static_cast<size_t>(count++)] = value;
  }
  if (count != 3) {
    throw InvalidInputError(flag + " '" + text +
                            "' is not a point; write X,Y,Z in mm (DICOM patient coordinates, "
                            "LPS), e.g. -60,-20,-450");
  }
  return point;
}

}  // namespace

CommandRunner register_analyze_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "analyze",
      "Find and measure the lesions of one PET/SPECT study: SUV with audit, reference regions, "
      "segmentation (masks or automatic detection), every SUVpeak variant, MTV, TLG, ratios; "
      "writes lesions.csv, lesions.json, labels.nii.gz, reference_regions.json and report.html "
      "to OUTDIR");
  struct Flags {
    std::string study;
    std::string output;
    std::string series_uid;
    std::string ct = "auto";
    std::string organs = "auto";
    std::string organ_table = "auto";
    std::vector<std::string> exclude_organs;
    std::string tracer;
    bool no_tracer_exclusion = false;
    std::string db;
    bool no_seg = false;
    bool no_sr = false;
    bool suv_map = false;
    bool rtstruct = false;
    bool no_report = false;
    std::string masks;
    std::vector<std::string> rois;
    std::string method = "fixed:2.5";
    std::string local_method;
    std::optional<double> candidate_threshold;
    std::optional<double> a50_background;
    double min_volume_ml = 0.5;
    double split_prominence = 0.3;
    bool no_split = false;
    double breast_depth_mm = 20.0;
    bool no_breast_rule = false;
    int connectivity = 26;
    std::string liver_centre;
    std::string blood_pool_centre;
    std::optional<double> true_sphere;
    std::optional<double> true_background;
    int threads = 0;
    int excluded_end_planes = 0;
    std::string radiomics;
    SuvFlags suv;
  };
  auto flags = std::make_shared<Flags>();
  command
      ->add_option("STUDY", flags->study,
                   "DICOM folder (PET, optionally with CT and more) or NIfTI with sidecar")
      ->required();
  command->add_option("-o,--output", flags->output, "Output folder")->required();
  command->add_option("--series", flags->series_uid,
                      "SeriesInstanceUID of the PET/SPECT series when STUDY holds several");
  command
      ->add_option("--ct", flags->ct,
                   "auto (default: the CT of the PET's frame of reference below STUDY, none "
                   "when there is none), none, or a CT SeriesInstanceUID")
      ->capture_default_str();
  command
      ->add_option("--organs", flags->organs,
                   "Organs for physiological-uptake exclusion, reference-region placement and "
                   "lesion locations: auto (CT/PET heuristics), a NIfTI label map "
                   "(TotalSegmentator or MOOSE), or none")
      ->capture_default_str();
  command
      ->add_option("--organ-table", flags->organ_table,
                   "Label table of --organs LABELS: auto, totalsegmentator, moose")
      ->capture_default_str();
  command->add_option("--exclude-organ", flags->exclude_organs,
                      "Also exclude this canonical organ from detection (repeatable); brain, "
                      "bladder, kidney, heart and the tracer's organs are excluded already");
  command->add_option("--tracer", flags->tracer,
                      "The study's tracer as a catalogue id (docs/tracers.md), e.g. fes; default: "
                      "identified from the PET header");
  command->add_flag("--no-tracer-exclusion", flags->no_tracer_exclusion,
                    "Do not exclude the tracer's catalogue organs (e.g. liver for FES) from "
                    "detection");
  command->add_option("--db", flags->db,
                      "Results store (SQLite): default OUTDIR/oncotrace.db; none = no store");
  command->add_flag("--no-seg", flags->no_seg,
                    "Do not write OUTDIR/lesions.seg.dcm (nor the SR, which references it)");
  command->add_flag("--no-sr", flags->no_sr,
                    "Do not write OUTDIR/lesions.sr.dcm (DICOM SR TID 1500 measurement report)");
  command->add_flag("--suv-map", flags->suv_map,
                    "Also write OUTDIR/suv.pm.dcm, the SUV image as a DICOM Parametric Map "
                    "(Float32; as large as the PET series in floats)");
  command->add_flag("--rtstruct", flags->rtstruct,
                    "Also write OUTDIR/lesions.rtstruct.dcm, the lesion outlines as a DICOM RT "
                    "Structure Set (for radiotherapy planning systems)");
  command->add_flag("--no-report", flags->no_report,
                    "Do not write OUTDIR/report.html (see oncotrace report)");
  command->add_option("--masks", flags->masks,
                      "User segmentation: RTSTRUCT file (with --roi), DICOM SEG (every segment, or "
                      "those named with --roi) or NIfTI label map (every non-zero label is a "
                      "lesion); replaces automatic detection");
  command->add_option("--roi", flags->rois,
                      "RTSTRUCT ROI name or SEG Segment Label to measure (repeatable)");
  command
      ->add_option("--method", flags->method,
                   "Detection: fixed:T, percent-max:P, a50, percist-liver, "
                   "percist-blood-pool, liver-multiple:K")
      ->capture_default_str();
  command->add_option("--local", flags->local_method,
                      "Re-segment each lesion of an absolute method locally with percent-max:P "
                      "or a50");
  command->add_option("--candidate-threshold", flags->candidate_threshold,
                      "Candidates of percent-max/a50 (image units); default SUV 2.5, or 2 x the "
                      "image background for activity images");
  command->add_option("--a50-background", flags->a50_background,
                      "Background B of A50 (image units); default the image background");
  command->add_option("--min-volume", flags->min_volume_ml, "Minimum lesion volume in mL")
      ->capture_default_str();
  command->add_option("--connectivity", flags->connectivity, "6, 18 or 26")->capture_default_str();
  command
      ->add_option("--split-prominence", flags->split_prominence,
                   "Detection keeps a part of excluded physiological uptake with its own peak at "
                   "least this fraction above the saddle to the rest, lying mostly outside the "
                   "excluded organs, as a lesion")
      ->capture_default_str();
  command->add_flag("--no-split", flags->no_split,
                    "Drop components of excluded physiological uptake whole, without keeping the "
                    "lesions joined to them");
  command
      ->add_option("--breast-depth", flags->breast_depth_mm,
                   "Breast rule of the lesion organ: a lesion outside the organs whose centre "
                   "lies at least this far (mm) anterior to the lungs/heart is 'breast'")
      ->capture_default_str();
  command->add_flag("--no-breast-rule", flags->no_breast_rule,
                    "Do not call lesions anterior to the thorax 'breast'");
  command->add_option("--liver-centre", flags->liver_centre,
                      "Centre of the PERCIST liver sphere (3 cm), X,Y,Z in LPS mm");
  command->add_option("--blood-pool-centre", flags->blood_pool_centre,
                      "Centre of the blood-pool cylinder (1 x 2 cm, axis z), X,Y,Z in LPS mm");
  command->add_option("--true-sphere-activity", flags->true_sphere,
                      "Phantoms: true sphere value in image units (Bq/mL with "
                      "--normalization none) for recovery coefficients");
  command->add_option("--true-background-activity", flags->true_background,
                      "Phantoms: true background value in image units");
  command
      ->add_option("--exclude-end-slices", flags->excluded_end_planes,
                   "Exclude N planes at each end of the axial field of view from detection "
                   "(noisy end planes of 3D PET)")
      ->capture_default_str();
  command->add_option("--threads", flags->threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  add_radiomics_option(*command, flags->radiomics, "to OUTDIR");
  add_suv_flags(*command, flags->suv);

  return [flags, arguments]() {
    AnalysisRequest request;
    request.study = flags->study;
    request.series_uid = flags->series_uid;
    if (flags->ct == "none") {
      request.ct = CtSelection::kNone;
    } else if (flags->ct == "auto") {
      request.ct = CtSelection::kAuto;
    } else {
      request.ct = CtSelection::kSeriesUid;
      request.ct_series_uid = flags->ct;
    }
    if (flags->organs == "none") {
      request.use_organs = false;
    } else if (flags->organs != "auto") {
      request.organ_labels = flags->organs;
    }
    if (flags->organ_table != "auto" && flags->organ_table != "totalsegmentator" &&
        flags->organ_table != "moose") {
      throw InvalidInputError("--organ-table " + flags->organ_table +
                              ": must be auto, totalsegmentator or moose");
    }
    if (flags->organ_table != "auto" && !request.organ_labels) {
      throw InvalidInputError("--organ-table needs --organs LABELS.nii.gz");
    }
    request.organ_table = flags->organ_table;
    if (!flags->exclude_organs.empty() && !request.use_organs) {
      throw InvalidInputError("--exclude-organ needs organs (not --organs none)");
    }
    request.extra_excluded_organs = flags->exclude_organs;
    if ((!flags->tracer.empty() || flags->no_tracer_exclusion) && !request.use_organs) {
      throw InvalidInputError("--tracer and --no-tracer-exclusion need organs (not --organs none)");
    }
    request.tracer = flags->tracer;
    request.tracer_organ_exclusion = !flags->no_tracer_exclusion;
    if (flags->db == "none") {
      request.store_results = false;
    } else if (!flags->db.empty()) {
      request.db = flags->db;
    }
    request.write_seg = !flags->no_seg;
    request.write_sr = !flags->no_sr;
    request.write_suv_map = flags->suv_map;
    request.write_rtstruct = flags->rtstruct;
    request.suv = suv_options_from_flags(flags->suv);
    if (!flags->masks.empty()) request.masks = flags->masks;
    request.roi_names = flags->rois;
    if (!flags->rois.empty() && flags->masks.empty()) {
      throw InvalidInputError("--roi needs --masks RTSTRUCT");
    }
    request.method = parse_segmentation_method(flags->method);
    if (!flags->local_method.empty()) {
      request.local_method = parse_segmentation_method(flags->local_method);
    }
    request.candidate_threshold = flags->candidate_threshold;
    request.a50_background = flags->a50_background;
    if (!(flags->min_volume_ml >= 0.0)) {
      throw InvalidInputError("--min-volume " + std::to_string(flags->min_volume_ml) +
                              " must be >= 0 mL");
    }
    request.min_volume_ml = flags->min_volume_ml;
    request.split_min_prominence = parse_split_prominence(flags->split_prominence, flags->no_split);
    request.breast_rule = !flags->no_breast_rule;
    request.breast_min_depth_mm = parse_breast_depth(flags->breast_depth_mm);
    if (flags->connectivity != 6 && flags->connectivity != 18 && flags->connectivity != 26) {
      throw InvalidInputError("--connectivity " + std::to_string(flags->connectivity) +
                              " must be 6, 18 or 26");
    }
    request.connectivity = static_cast<Connectivity>(flags->connectivity);
    if (!flags->liver_centre.empty()) {
      request.liver_centre_mm = parse_point("--liver-centre", flags->liver_centre);
    }
    if (!flags->blood_pool_centre.empty()) {
      request.blood_pool_centre_mm = parse_point("--blood-pool-centre", flags->blood_pool_centre);
    }
    if (flags->true_sphere && !(*flags->true_sphere > 0.0)) {
      throw InvalidInputError("--true-sphere-activity must be positive");
    }
    request.true_sphere_value = flags->true_sphere;
    request.true_background_value = flags->true_background;
    if (flags->threads < 0) throw InvalidInputError("--threads must be >= 0");
    request.threads = flags->threads;
    if (flags->excluded_end_planes < 0)
      throw InvalidInputError("--exclude-end-slices must be >= 0");
    request.excluded_end_planes = flags->excluded_end_planes;
    request.output_dir = flags->output;
    request.command = "analyze";
    request.arguments = arguments;
    request.extra_settings_json = suv_flags_json(flags->suv).dump();
    apply_radiomics_option(flags->radiomics, request);

    const AnalysisResult result = analyze_study(request);

    std::printf("%s: %zu lesion%s (%s), total MTV %s mL\n", flags->study.c_str(),
                result.lesions.size(), result.lesions.size() == 1 ? "" : "s", result.method.c_str(),
                format_number(result.patient.total_mtv_ml, 6).c_str());
    for (const LesionResult& lesion : result.lesions) {
      std::printf("  %3u %-20s %9s mL  max %8s  mean %8s  peak %8s %s  %s\n", lesion.label,
                  lesion.name.c_str(), format_number(lesion.metrics.volume_ml, 5).c_str(),
                  format_number(lesion.metrics.suv.max, 5).c_str(),
                  format_number(lesion.metrics.suv.mean, 5).c_str(),
                  lesion.metrics.suv.peaks.empty()
                      ? "-"
                      : format_number(lesion.metrics.suv.peaks.front().value, 5).c_str(),
                  result.unit_label.c_str(), lesion.organ.c_str());
    }
    for (const ReferenceRegionResult& region : result.reference_regions) {
      std::printf("  reference %-10s mean %8s %s (%s)\n", region.name.c_str(),
                  format_number(region.suv.mean, 4).c_str(), result.unit_label.c_str(),
                  region.placement_method.c_str());
    }
    print_radiomics_summary(request, result);
    for (const std::string& skipped : result.skipped_reference_metrics) {
      std::printf("  note: %s\n", skipped.c_str());
    }
    std::string timing;
    for (const StageTiming& stage : result.timings) {
      timing += " " + stage.stage + " " + format_number(stage.seconds, 3) + " s;";
    }
    std::printf("  stages:%s\n", timing.c_str());
    for (const auto& path : result.written_files) std::printf("wrote %s\n", path.string().c_str());
    return refresh_report(request.output_dir, !flags->no_report, "analyze");
  };
}

}  // namespace oncotrace::cli
