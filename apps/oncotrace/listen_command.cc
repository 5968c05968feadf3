// `oncotrace listen --aet AET --port N --store DIR`: DICOM C-STORE receiver that analyses each
// complete study and sends the DICOM outputs on (include/oncotrace/pacs.h, docs/pacs.md).
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "oncotrace/error.h"
#include "oncotrace/pacs.h"
#include "oncotrace/patient.h"
#include "oncotrace/pipeline.h"

namespace oncotrace::cli {
namespace {

// Set by SIGINT/SIGTERM; the listener finishes the study in progress and stops. The handler
// restores the default action, so that a second signal ends the process at once (the state
// files make that safe: an interrupted study is processed again at the next start).
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void request_stop(int signal_number) {
  stop_requested = true;
  std::signal(signal_number, SIG_DFL);
}

struct ListenFlags {
  std::string ae_title = "ONCOTRACE";
  int port = 11112;
  std::string store;
  std::string pipeline = "analyze";
  std::string send_to;
  std::string calling_ae_title;
  double quiet_seconds = 30.0;
  int max_studies = 0;
  std::string method = "fixed:2.5";
  int threads = 0;
  bool suv_map = false;
  SuvFlags suv;
};

// The DICOM files of this study's analysis: the top-level outputs and, for `patient`, the
// outputs of this study's own analysis (studies/<uid>/), not those of the patient's other studies,
// which were sent when they were processed.
std::vector<std::filesystem::path> outputs_of_study(const StudyJob& job) {
  std::vector<std::filesystem::path> outputs;
  const std::filesystem::path other_studies = job.results / "studies";
  for (const auto& file : dicom_files_below(job.results)) {
    const auto relative = file.lexically_relative(other_studies);
    const bool in_studies = !relative.empty() && *relative.begin() != "..";
    if (!in_studies || *relative.begin() == job.study.study_instance_uid) {
      outputs.push_back(file);
    }
  }
  return outputs;
}

StudyProcessor make_processor(const ListenFlags& flags, const std::vector<std::string>& arguments) {
  AnalysisRequest analysis;
  analysis.method = parse_segmentation_method(flags.method);
  analysis.suv = suv_options_from_flags(flags.suv);
  analysis.threads = flags.threads;
  analysis.write_suv_map = flags.suv_map;
  analysis.command = "listen";
  analysis.arguments = arguments;
  analysis.extra_settings_json = suv_flags_json(flags.suv).dump();
  if (flags.pipeline == "analyze") {
    return [analysis](const StudyJob& job) {
      AnalysisRequest request = analysis;
      request.study = job.incoming;
      request.output_dir = job.results;
      const AnalysisResult result = analyze_study(request);
      spdlog::info("study {}: {} lesion(s), outputs in {}", job.study.study_instance_uid,
                   result.lesions.size(), job.results.string());
      return outputs_of_study(job);
    };
  }
  return [analysis, threads = flags.threads, arguments](const StudyJob& job) {
    PatientRequest request;
    for (const StudyRecord& study : job.patient_studies) {
      // The patient's other studies only once they were processed successfully: one still in
      // its quiet period may be partial, a failed one is not analysable.
      if (study.study_instance_uid != job.study.study_instance_uid &&
          study.state != StudyState::kDone) {
        spdlog::info("study {}: patient study {} left out (state {})", job.study.study_instance_uid,
                     study.study_instance_uid, study_state_name(study.state));
        continue;
      }
      const std::filesystem::path incoming = job.store.study_incoming(study.study_instance_uid);
      std::error_code error;
      if (!std::filesystem::is_directory(incoming, error)) continue;
      PatientStudyInput input;
      input.path = incoming;
      input.id = study.study_instance_uid;
      input.date = study.study_date;
      request.studies.push_back(input);
    }
    request.analysis = analysis;
    request.output_dir = job.results;
    request.threads = threads;
    request.command = "listen";
    request.arguments = arguments;
    const PatientResult result = analyze_patient(request);
    spdlog::info("study {}: patient {} with {} stud{}, {} lesion(s), outputs in {}",
                 job.study.study_instance_uid, job.study.patient_id, result.studies.size(),
                 result.studies.size() == 1 ? "y" : "ies", result.lesions.size(),
                 job.results.string());
    return outputs_of_study(job);
  };
}

}  // namespace

CommandRunner register_listen_command(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = app.add_subcommand(
      "listen",
      "DICOM receiver (C-STORE SCP): stores incoming instances under STORE/incoming, analyses "
      "each study once no instance arrived for --quiet-seconds, writes STORE/results/<study>/ and "
      "sends the DICOM outputs (SEG, SR, with --suv-map the SUV map) to --send-to; restart-safe "
      "(docs/pacs.md)");
  auto flags = std::make_shared<ListenFlags>();
  command->add_option("--aet", flags->ae_title, "AE title the receiver answers to")
      ->capture_default_str();
  command->add_option("--port", flags->port, "TCP port to listen on")->capture_default_str();
  command->add_option("--store", flags->store, "Store folder (instances, state, results)")
      ->required();
  command
      ->add_option("--pipeline", flags->pipeline,
                   "analyze (each study alone) or patient (each new study with the patient's "
                   "earlier studies in the store)")
      ->capture_default_str();
  command->add_option("--send-to", flags->send_to,
                      "Destination of the DICOM outputs, AET@HOST:PORT (e.g. "
                      "ORTHANC@127.0.0.1:4242); none: outputs stay in STORE/results");
  command->add_option("--calling-aet", flags->calling_ae_title,
                      "AE title used when sending (default: --aet)");
  command
      ->add_option("--quiet-seconds", flags->quiet_seconds,
                   "A study is complete when no instance of it arrived for this many seconds")
      ->capture_default_str();
  command
      ->add_option("--max-studies", flags->max_studies,
                   "Stop after this many processed studies (tests; 0 = run until SIGINT or "
                   "SIGTERM)")
      ->capture_default_str();
  command
      ->add_option("--method", flags->method,
                   "Detection method of the analysis (as for analyze --method)")
      ->capture_default_str();
  command->add_option("--threads", flags->threads, "Worker threads (0 = all cores)")
      ->capture_default_str();
  command->add_flag("--suv-map", flags->suv_map,
                    "Also write and send the SUV image as a DICOM Parametric Map (suv.pm.dcm)");
  add_suv_flags(*command, flags->suv);

  return [flags, arguments]() {
    if (flags->port < 1 || flags->port > 65535) {
      throw InvalidInputError("--port " + std::to_string(flags->port) +
                              " is not a TCP port; use 1-65535");
    }
    if (flags->pipeline != "analyze" && flags->pipeline != "patient") {
      throw InvalidInputError("--pipeline '" + flags->pipeline +
                              "' is unknown; use analyze or "
                              "patient");
    }
    if (!std::isfinite(flags->quiet_seconds) || flags->quiet_seconds < 0.1 ||
        flags->quiet_seconds > 86400.0) {
      throw InvalidInputError("--quiet-seconds " + format_number(flags->quiet_seconds) +
                              " is out of range; use 0.1 to 86400 seconds");
    }
    if (flags->max_studies < 0) throw InvalidInputError("--max-studies must be >= 0");
    if (flags->threads < 0) throw InvalidInputError("--threads must be >= 0");
    check_ae_title(flags->ae_title, "--aet");
    ListenerOptions options;
    options.receiver.ae_title = flags->ae_title;
    options.receiver.port = static_cast<uint16_t>(flags->port);
    options.receiver.store.root = flags->store;
    options.quiet_period = std::chrono::milliseconds(
        static_cast<int64_t>(std::llround(flags->quiet_seconds * 1000.0)));
    options.max_studies = flags->max_studies;
    if (!flags->send_to.empty()) {
      SendOptions send;
      send.peer = parse_dicom_peer(flags->send_to, "--send-to");
      send.calling_ae_title =
          flags->calling_ae_title.empty() ? flags->ae_title : flags->calling_ae_title;
      check_ae_title(send.calling_ae_title, "--calling-aet");
      options.send = send;
    }
    const StudyProcessor processor = make_processor(*flags, arguments);

    stop_requested = false;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const ListenerSummary summary = run_listener(options, processor, stop_requested);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::printf("listen: %d stud%s processed, %d failed; %llu instance(s) stored, %llu rejected\n",
                summary.processed, summary.processed == 1 ? "y" : "ies", summary.failed,
                static_cast<unsigned long long>(summary.instances_stored),
                static_cast<unsigned long long>(summary.instances_rejected));
    return 0;
  };
}

}  // namespace oncotrace::cli
