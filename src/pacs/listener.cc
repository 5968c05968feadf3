// The listener service: receiver thread + completion tracker + pipeline + sender
// (include/oncotrace/pacs.h, docs/pacs.md).
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <exception>
#include <thread>

#include "oncotrace/error.h"
#include "oncotrace/pacs.h"

namespace oncotrace {
namespace {

// Runs the pipeline on one complete study and sends its DICOM outputs. Returns the outcome
// message; throws on failure.
std::string process_study(const ListenerOptions& options, const StudyProcessor& processor,
                          const StudyJob& job) {
  std::error_code error;
  // Outputs of an earlier run (the study changed since) must not be sent again.
  std::filesystem::remove_all(job.results, error);
  if (error) {
    throw InvalidInputError("cannot empty " + job.results.string() + ": " + error.message());
  }
  const std::vector<std::filesystem::path> outputs = processor(job);
  if (!options.send) {
    return "processed; " + std::to_string(outputs.size()) + " DICOM output(s), no destination";
  }
  if (outputs.empty()) return "processed; no DICOM outputs to send";
  const SendReport report = send_dicom_files(outputs, *options.send);
  for (const SendFileResult& file : report.files) {
    if (file.ok()) {
      spdlog::info("sent {} to {}: {}", file.file.string(), options.send->peer.text(),
                   file.message);
    } else {
      spdlog::error("sending {} to {} failed: {}", file.file.string(), options.send->peer.text(),
                    file.message);
    }
  }
  if (report.failed() > 0) {
    throw InvalidInputError(
        std::to_string(report.failed()) + " of " + std::to_string(report.files.size()) +
        " DICOM output(s) of " + job.results.string() + " were not accepted by " +
        options.send->peer.text() +
        "; resend them with `oncotrace send` once the destination accepts them");
  }
  return "processed; sent " + std::to_string(report.files.size()) + " DICOM output(s) to " +
         options.send->peer.text();
}

// An exclusive lock on STORE/.listener.lock for the lifetime of the object: two listeners on one
// store would clear each other's temporary files and process the same studies twice. The
// kernel releases the lock when the process ends, also when it is killed.
class StoreLock {
 public:
  explicit StoreLock(const StoreLayout& layout) {
    std::error_code error;
    std::filesystem::create_directories(layout.root, error);
    const std::filesystem::path path = layout.root / ".listener.lock";
    descriptor_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor_ < 0) {
      throw InvalidInputError("cannot create " + path.string() + "; check that --store " +
                              layout.root.string() + " is a writable folder");
    }
    if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
      ::close(descriptor_);
      throw InvalidInputError("another oncotrace listen is using the store " +
                              layout.root.string() + "; stop it or give another --store");
    }
  }
  ~StoreLock() { ::close(descriptor_); }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int descriptor_ = -1;
};

}  // namespace

bool is_result_sop_class(const std::string& sop_class_uid) {
  static constexpr const char* kResultClasses[] = {
      "1.2.840.10008.5.1.4.1.1.66.4",   // Segmentation
      "1.2.840.10008.5.1.4.1.1.88.22",  // Enhanced SR
      "1.2.840.10008.5.1.4.1.1.88.33",  // Comprehensive SR
      "1.2.840.10008.5.1.4.1.1.88.34",  // Comprehensive 3D SR
      "1.2.840.10008.5.1.4.1.1.30",     // Parametric Map
  };
  for (const char* uid : kResultClasses) {
    if (sop_class_uid == uid) return true;
  }
  return false;
}

std::vector<std::filesystem::path> dicom_files_below(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> outputs;
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) return outputs;
  for (const auto& file : collect_files({folder})) {
    if (file.extension() == ".dcm") outputs.push_back(file);
  }
  return outputs;
}

ListenerSummary run_listener(const ListenerOptions& options, const StudyProcessor& processor,
                             const std::atomic<bool>& stop) {
  using Clock = StudyTracker::Clock;
  const StoreLayout& layout = options.receiver.store;
  const StoreLock lock(layout);
  StudyTracker tracker(layout, options.quiet_period);
  const std::vector<std::string> pending = tracker.recover(Clock::now());
  if (!pending.empty()) {
    spdlog::info("{} stud{} from an earlier run will be processed", pending.size(),
                 pending.size() == 1 ? "y" : "ies");
  }

  ReceiverOptions receiver_options = options.receiver;
  receiver_options.on_stored = [&tracker](const StoredInstance& instance) {
    // Results (SEG, SR, Parametric Map: what oncotrace itself sends) are stored but do not
    // (re)open the study: when the destination routes our outputs back, the study must not be
    // analysed again, which would send new objects and loop.
    if (is_result_sop_class(instance.sop_class_uid)) return;
    tracker.note_instance(instance.study_instance_uid, instance.patient_id, instance.study_date,
                          Clock::now());
  };
  StorageReceiver receiver(receiver_options);
  receiver.open();
  std::exception_ptr receiver_failure;
  std::atomic<bool> receiver_running{true};
  std::thread receiver_thread([&] {
    try {
      receiver.serve();
    } catch (...) {
      receiver_failure = std::current_exception();
    }
    receiver_running = false;
  });
  spdlog::info("listening as {} on port {}, store {}, quiet period {} s", options.receiver.ae_title,
               options.receiver.port, layout.root.string(),
               std::chrono::duration<double>(options.quiet_period).count());

  ListenerSummary summary;
  try {
    while (!stop.load() && receiver_running.load()) {
      const std::optional<std::string> study_uid = tracker.next_complete(Clock::now());
      if (!study_uid) {
        std::this_thread::sleep_for(options.poll_interval);
        continue;
      }
      const uint64_t token = tracker.begin_processing(*study_uid);
      StudyJob job;
      job.study = *tracker.record(*study_uid);
      job.incoming = layout.study_incoming(*study_uid);
      job.results = layout.results(*study_uid);
      // Without a PatientID no other study can be attributed to the patient.
      job.patient_studies = job.study.patient_id.empty()
                                ? std::vector<StudyRecord>{job.study}
                                : tracker.studies_of_patient(job.study.patient_id);
      job.store = layout;
      spdlog::info("study {} complete (no new instance for {} s): processing", *study_uid,
                   std::chrono::duration<double>(options.quiet_period).count());
      bool success = false;
      std::string message;
      try {
        message = process_study(options, processor, job);
        success = true;
      } catch (const Error& failure) {
        message = std::string(error_kind_name(failure.kind())) + ": " + failure.what();
      } catch (const std::exception& failure) {
        message = std::string("internal error: ") + failure.what();
      }
      tracker.finish(*study_uid, token, success, message);
      if (success) {
        ++summary.processed;
        spdlog::info("study {}: {}", *study_uid, message);
      } else {
        ++summary.failed;
        spdlog::error("study {} failed: {}", *study_uid, message);
      }
      if (options.max_studies > 0 && summary.processed + summary.failed >= options.max_studies) {
        spdlog::info("processed {} stud{} (--max-studies): stopping",
                     summary.processed + summary.failed,
                     summary.processed + summary.failed == 1 ? "y" : "ies");
        break;
      }
    }
  } catch (...) {
    receiver.stop();
    receiver_thread.join();
    throw;
  }
  receiver.stop();
  receiver_thread.join();
  summary.instances_stored = receiver.stored_count();
  summary.instances_rejected = receiver.rejected_count();
  if (receiver_failure) std::rethrow_exception(receiver_failure);
  return summary;
}

}  // namespace oncotrace
