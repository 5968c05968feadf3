// `oncotrace phantom KIND -o OUTDIR`: simulated studies with known truth, written as DICOM.
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/phantom.h"

namespace oncotrace::cli {

CommandRunner register_phantom_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "phantom",
      "Generate simulated studies with known truth as real DICOM: a digital breast-cancer "
      "patient (FDG, FES, 89Zr-trastuzumab PET/CT, baseline and follow-up), the NEMA IEC body "
      "phantom, a uniform cylinder, or Lu-177 SPECT timepoints; writes truth.json and label maps");
  struct Flags {
    std::string kind;
    std::string output;
    uint64_t seed = 1;
    std::string config;
    std::string size = "small";
    std::string vendor;
    bool noise_free = false;
    bool no_ct = false;
    std::optional<double> sphere_to_background;
    std::optional<double> pet_psf_fwhm_mm;
    int threads = 0;
    int fdg_timepoints = 2;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("KIND", flags->kind, "patient, nema, cylinder or spect")->required();
  command->add_option("-o,--output", flags->output, "Output folder")->required();
  command->add_option("--seed", flags->seed, "Random seed (same seed, same bytes)")
      ->capture_default_str();
  command->add_option("--config", flags->config,
                      "JSON configuration applied on top of the defaults (docs/truth-schema.md)");
  command->add_option("--size", flags->size, "Grid preset: tiny, small or wholebody")
      ->capture_default_str();
  command->add_option("--vendor", flags->vendor,
                      "Write every PET series in one vendor style: ge, siemens, philips, gml");
  command->add_flag("--noise-free", flags->noise_free, "No noise (exact values, for tests)");
  command->add_flag("--no-ct", flags->no_ct, "Do not write CT series");
  command->add_option("--sphere-to-background", flags->sphere_to_background,
                      "NEMA: sphere-to-background activity ratio (default 4)");
  command->add_option("--psf-fwhm", flags->pet_psf_fwhm_mm,
                      "PET resolution, FWHM of the Gaussian PSF in mm (default 6)");
  command
      ->add_option("--fdg-timepoints", flags->fdg_timepoints,
                   "patient: FDG PET/CT timepoints, 2 (baseline, follow-up) or 3 (and a second "
                   "follow-up fdg_followup2, 12 weeks later, every lesion continuing its course)")
      ->capture_default_str();
  command
      ->add_option("--threads", flags->threads,
                   "Worker threads (0 = all cores); the output is the same for any number")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  (void)arguments;
  return [flags]() {
    std::unique_ptr<tbb::global_control> thread_limit;
    if (flags->threads > 0) {
      thread_limit = std::make_unique<tbb::global_control>(
          tbb::global_control::max_allowed_parallelism, static_cast<size_t>(flags->threads));
    }
    PhantomRequest request;
    const auto kind = parse_phantom_kind(flags->kind);
    if (!kind) {
      throw InvalidInputError("phantom kind '" + flags->kind +
                              "' is unknown; use patient, nema, cylinder or spect");
    }
    request.kind = *kind;
    request.seed = flags->seed;
    const auto grid = phantom_grid_preset(flags->size);
    if (!grid) {
      throw InvalidInputError("--size '" + flags->size +
                              "' is unknown; use tiny, small or wholebody");
    }
    request.grid = *grid;
    if (!flags->vendor.empty()) {
      const auto vendor = parse_phantom_vendor(flags->vendor);
      if (!vendor) {
        throw InvalidInputError("--vendor '" + flags->vendor +
                                "' is unknown; use ge, siemens, philips or gml");
      }
      request.vendor_override = *vendor;
    }
    request.physics.noise = !flags->noise_free;
    request.write_ct = !flags->no_ct;
    if (flags->sphere_to_background)
      request.nema.sphere_to_background = *flags->sphere_to_background;
    if (flags->pet_psf_fwhm_mm) request.physics.pet_psf_fwhm_mm = *flags->pet_psf_fwhm_mm;
    if (!flags->config.empty()) apply_phantom_config_file(flags->config, &request);
    if (flags->fdg_timepoints != 2 && request.kind != PhantomKind::kPatient) {
      throw InvalidInputError("--fdg-timepoints applies to the patient phantom only");
    }
    set_fdg_timepoints(request.patient, flags->fdg_timepoints);
    const PhantomResult result = generate_phantom(request, flags->output);
    for (const std::string& warning : result.warnings) spdlog::warn("{}", warning);
    for (const PhantomStudyOutput& study : result.studies) {
      std::printf("study %-16s %s %s (%zu files)\n", study.id.c_str(), study.modality.c_str(),
                  study.emission_folder.string().c_str(), study.files_written);
    }
    std::printf("truth: %s\n", result.truth_file.string().c_str());
    return 0;
  };
}

}  // namespace oncotrace::cli
