// `oncotrace suv PATH -o OUT.nii.gz`: SUV (or Bq/mL) image with its audit.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"
#include "oncotrace/suv.h"

namespace oncotrace::cli {

CommandRunner register_suv_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "suv",
      "Convert a PET or quantitative SPECT series to SUV (or Bq/mL) with a full audit of every "
      "factor; writes NIfTI plus a JSON sidecar holding the audit and provenance");
  struct Flags {
    std::string path;
    std::string output;
    std::string series_uid;
    std::string audit_path;
    SuvFlags suv;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("PATH", flags->path, "DICOM folder or file, or NIfTI with sidecar")
      ->required();
  command->add_option("-o,--output", flags->output, "Output NIfTI (.nii or .nii.gz)")->required();
  command->add_option("--series", flags->series_uid,
                      "SeriesInstanceUID, when PATH holds several series");
  command->add_option("--audit", flags->audit_path,
                      "Also write the SUV audit alone to this JSON file (it is always in the "
                      "sidecar)");
  add_suv_flags(*command, flags->suv);
  return [flags, arguments]() {
    if (!is_nifti_path(flags->output)) {
      throw InvalidInputError("-o " + flags->output + ": the output must end in .nii or .nii.gz");
    }
    const SuvOptions options = suv_options_from_flags(flags->suv);
    const ImageSeries series = read_input_series(flags->path, flags->series_uid);
    if (series.frames.empty()) {
      throw InvalidInputError(flags->path + ": the series has no image frames");
    }

    // Plan every frame before writing anything, so that a refusal leaves no output.
    std::vector<SuvPlan> plans;
    plans.reserve(series.frames.size());
    for (const Frame& frame : series.frames)
      plans.push_back(plan_suv(series.header, frame, options));
    std::vector<ImageVolume> suv_frames;
    suv_frames.reserve(series.frames.size());
    for (size_t index = 0; index < series.frames.size(); ++index) {
      suv_frames.push_back(apply_suv(series.frames[index], plans[index]));
    }
    for (const SuvPlan& plan : plans) {
      for (const std::string& warning : plan.audit.warnings) spdlog::warn("{}", warning);
    }

    nlohmann::ordered_json audits = nlohmann::ordered_json::array();
    for (const SuvPlan& plan : plans)
      audits.push_back(nlohmann::ordered_json::parse(plan.audit.json));
    const nlohmann::ordered_json inputs = describe_input(flags->path, series);
    const nlohmann::ordered_json audit = audits.size() == 1 ? audits.front() : audits;
    nlohmann::ordered_json extra;
    extra["Units"] = plans.front().unit_ucum;
    extra["SuvAudit"] = audit;
    extra["Provenance"] = make_provenance("suv", arguments, inputs, suv_flags_json(flags->suv));
    const std::filesystem::path output(flags->output);
    std::vector<ExtraOutputFile> extra_files;
    if (!flags->audit_path.empty())
      extra_files.push_back({flags->audit_path, audit.dump(2) + "\n"});
    write_image_outputs(output, suv_frames,
                        make_sidecar_json(series.header, series.frames, extra.dump()), extra_files);

    float maximum = 0.0F;
    for (const ImageVolume& volume : suv_frames) {
      if (!volume.values.empty()) {
        maximum = std::max(maximum, *std::max_element(volume.values.begin(), volume.values.end()));
      }
    }
    std::printf("wrote %s (%s, %zu frame%s, max %s) and %s\n", output.string().c_str(),
                plans.front().unit_ucum.c_str(), suv_frames.size(),
                suv_frames.size() == 1 ? "" : "s", format_number(maximum, 6).c_str(),
                sidecar_path_for(output).string().c_str());
    return 0;
  };
}

}  // namespace oncotrace::cli
