// `oncotrace export PATH -o OUT.nii.gz`: any image series to NIfTI (CT in Hounsfield units),
// with a sidecar.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/nifti.h"

namespace oncotrace::cli {

CommandRunner register_export_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "export",
      "Write an image series (CT, MR, PET, SPECT) to NIfTI with a JSON sidecar; values "
      "are the rescaled stored values (Hounsfield units for CT, the series' Units for "
      "PET)");
  struct Flags {
    std::string path;
    std::string output;
    std::string series_uid;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("PATH", flags->path, "DICOM folder or file")->required();
  command->add_option("-o,--output", flags->output, "Output NIfTI (.nii or .nii.gz)")->required();
  command->add_option("--series", flags->series_uid,
                      "SeriesInstanceUID, when PATH holds several series");
  return [flags, arguments]() {
    if (!is_nifti_path(flags->output)) {
      throw InvalidInputError("-o " + flags->output + ": the output must end in .nii or .nii.gz");
    }
    const ImageSeries series = read_input_series(flags->path, flags->series_uid);
    if (series.frames.empty()) {
      throw InvalidInputError(flags->path + ": the series has no image frames");
    }
    nlohmann::ordered_json extra;
    extra["Provenance"] = make_provenance("export", arguments, describe_input(flags->path, series),
                                          nlohmann::ordered_json::object());
    const std::filesystem::path output(flags->output);
    std::vector<ImageVolume> volumes;
    volumes.reserve(series.frames.size());
    for (const Frame& frame : series.frames) volumes.push_back(frame.image);
    write_image_outputs(output, volumes,
                        make_sidecar_json(series.header, series.frames, extra.dump()));
    std::printf("wrote %s (%s, %zu frame%s) and %s\n", output.string().c_str(),
                series.header.modality.c_str(), series.frames.size(),
                series.frames.size() == 1 ? "" : "s", sidecar_path_for(output).string().c_str());
    return 0;
  };
}

}  // namespace oncotrace::cli
