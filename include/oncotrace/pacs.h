// PACS integration (issue 8, docs/pacs.md): a DICOM C-STORE receiver (Storage SCP), the
// study-completion tracker with restart-safe state on disk, a C-STORE sender (Storage SCU) and
// the listener service that ties them to an analysis pipeline. Networking is DCMTK dcmnet
// (DICOM PS3.7 DIMSE C-STORE, PS3.8 upper layer, PS3.4 Annex B Storage Service Class).
//
// The store folder (STORE):
//   STORE/incoming/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm
//                       every received instance, written to STORE/.tmp/ first, flushed to disk
//                       (fsync) and renamed into place before the C-STORE response "success"
//                       is sent, so that an acknowledged instance is never lost
//   STORE/state/<StudyInstanceUID>.json
//                       the study's state: received -> processing -> done | failed
//   STORE/results/<StudyInstanceUID>/
//                       the pipeline's outputs; every *.dcm below it is sent to the destination
//   STORE/.tmp/         instances being received (never acknowledged; emptied at start-up)
//   STORE/.listener.lock  held (flock) by the running listener: one listener per store
//
// A study is complete when no instance of it arrived for the quiet period. Restart rules
// (StudyTracker::recover): `received` and `processing` studies are processed again after a new
// quiet period, studies found in incoming/ without a state file count as `received`, `done` and
// `failed` studies stay as they are until a new instance of the study arrives.
#ifndef ONCOTRACE_PACS_H_
#define ONCOTRACE_PACS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace oncotrace {

// ---------------------------------------------------------------------------------------------
// Addresses

// A remote DICOM application entity: AE title, host, TCP port.
struct DicomPeer {
  std::string ae_title;
  std::string host;
  uint16_t port = 0;
  std::string text() const;  // "AET@HOST:PORT"
};

// Parses "AET@HOST:PORT" (e.g. "ORTHANC@127.0.0.1:4242"). `what` names the source in errors
// (e.g. "--send-to"). Throws InvalidInputError naming the text and the expected form.
DicomPeer parse_dicom_peer(const std::string& text, const std::string& what);

// Checks an AE title (PS3.5 §6.2, VR AE): 1-16 characters of the default character repertoire
// without backslash or control characters, not only spaces. Throws InvalidInputError naming
// `what` and the title.
void check_ae_title(const std::string& ae_title, const std::string& what);

// True when `uid` is a DICOM UID usable as a file name: 1-64 characters, digits and dots,
// no empty component (PS3.5 §9.1).
bool is_valid_dicom_uid(const std::string& uid);

// ---------------------------------------------------------------------------------------------
// Store layout

struct StoreLayout {
  std::filesystem::path root;
  std::filesystem::path incoming() const { return root / "incoming"; }
  std::filesystem::path study_incoming(const std::string& study_uid) const {
    return incoming() / study_uid;
  }
  std::filesystem::path state_folder() const { return root / "state"; }
  std::filesystem::path state_file(const std::string& study_uid) const {
    return state_folder() / (study_uid + ".json");
  }
  std::filesystem::path results(const std::string& study_uid) const {
    return root / "results" / study_uid;
  }
  std::filesystem::path temporary() const { return root / ".tmp"; }
};

// ---------------------------------------------------------------------------------------------
// Study-completion tracker

enum class StudyState { kReceived, kProcessing, kDone, kFailed };
const char* study_state_name(StudyState state);  // "received", "processing", "done", "failed"
std::optional<StudyState> parse_study_state(const std::string& name);

// What the state file STORE/state/<uid>.json holds (docs/pacs.md).
struct StudyRecord {
  std::string study_instance_uid;
  StudyState state = StudyState::kReceived;
  std::string patient_id;
  std::string study_date;  // StudyDate (DA) of the first instance received, may be empty
  int attempts = 0;        // times processing started
  std::string message;     // outcome of the last processing (error text when failed)
  std::string updated;     // UTC date-time of the last state change (ISO 8601)
};

// Tracks received studies and decides when each is complete. Thread-safe: the receiver calls
// note_instance() from its thread while the listener polls next_complete(). Times are passed in
// (steady clock) so that tests control them.
class StudyTracker {
 public:
  using Clock = std::chrono::steady_clock;
  StudyTracker(StoreLayout layout, Clock::duration quiet_period);

  // Reads STORE/state/*.json and STORE/incoming/*: `received` and `processing` studies and
  // studies without a state file become `received` with `now` as their last activity (they are
  // processed after a new quiet period). Returns those studies. Throws InvalidInputError naming
  // a state file that cannot be read.
  std::vector<std::string> recover(Clock::time_point now);

  // An instance of the study was stored: the study becomes `received` (also when it was done or
  // failed: it changed and is processed again) and its quiet period restarts.
  void note_instance(const std::string& study_uid, const std::string& patient_id,
                     const std::string& study_date, Clock::time_point now);

  // The `received` study whose quiet period ended first, if any.
  std::optional<std::string> next_complete(Clock::time_point now) const;

  // Marks the study `processing` (state file written before the pipeline starts); returns a
  // token for finish().
  uint64_t begin_processing(const std::string& study_uid);

  // Marks the study `done` or `failed`; when instances arrived while it was processed, it goes
  // back to `received` instead (its quiet period runs from the last of those instances).
  void finish(const std::string& study_uid, uint64_t token, bool success,
              const std::string& message);

  std::optional<StudyRecord> record(const std::string& study_uid) const;
  // Studies of one patient (any state), ordered by study date then UID.
  std::vector<StudyRecord> studies_of_patient(const std::string& patient_id) const;

 private:
  struct Entry {
    StudyRecord record;
    Clock::time_point last_activity;
    uint64_t generation = 0;  // incremented by every instance
  };
  void write_state(const Entry& entry) const;

  StoreLayout layout_;
  Clock::duration quiet_period_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> studies_;
};

// ---------------------------------------------------------------------------------------------
// C-STORE receiver (Storage SCP)

// An instance the receiver stored.
// SOP classes of analysis results rather than acquired images: Segmentation, Enhanced,
// Comprehensive and Comprehensive 3D SR, Parametric Map. The listener stores them but they do not
// make a study pending (see docs/pacs.md).
bool is_result_sop_class(const std::string& sop_class_uid);

struct StoredInstance {
  std::string study_instance_uid, series_instance_uid, sop_instance_uid, sop_class_uid;
  std::string patient_id, study_date;
  std::filesystem::path path;
};

struct ReceiverOptions {
  std::string ae_title = "ONCOTRACE";  // called AE title the receiver answers to
  uint16_t port = 11112;
  StoreLayout store;
  // Network timeouts (seconds): association negotiation and release (ACSE), waiting for the
  // next message within an association (DIMSE). A peer that stalls longer is dropped.
  int acse_timeout_s = 30;
  int dimse_timeout_s = 60;
  // Called after an instance was stored and before the success response is sent.
  std::function<void(const StoredInstance&)> on_stored;
};

// The SOP classes the receiver accepts: every storage SOP class DCMTK knows (PET, CT, NM, MR,
// Enhanced PET/CT, SEG, SR, RT, Parametric Map, secondary capture, ...), and Verification.
// The transfer syntaxes: uncompressed (explicit/implicit little endian, explicit big endian),
// deflated, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000 and RLE, stored as received.
class StorageReceiver {
 public:
  explicit StorageReceiver(ReceiverOptions options);
  ~StorageReceiver();
  StorageReceiver(const StorageReceiver&) = delete;
  StorageReceiver& operator=(const StorageReceiver&) = delete;

  // Opens the TCP port. Throws InvalidInputError naming the port when it cannot listen.
  void open();
  // Serves associations (one at a time) until stop() is called; returns within about a second
  // of stop(), or after the association in progress ended. Throws InternalError on a fatal
  // network error.
  void serve();
  void stop();

  // Counters (for logs and tests).
  uint64_t stored_count() const;
  uint64_t rejected_count() const;

 private:
  class Scp;
  std::unique_ptr<Scp> scp_;
};

// ---------------------------------------------------------------------------------------------
// C-STORE sender (Storage SCU)

struct SendOptions {
  std::string calling_ae_title = "ONCOTRACE";
  DicomPeer peer;
  int acse_timeout_s = 30;
  int dimse_timeout_s = 60;
};

struct SendFileResult {
  std::filesystem::path file;
  std::string sop_class_uid, sop_instance_uid;
  bool sent = false;         // a C-STORE request was sent
  uint16_t status = 0xFFFF;  // DIMSE status of the response (0x0000 success)
  std::string message;       // why it was not sent, or the status meaning
  bool ok() const { return sent && (status == 0x0000 || (status & 0xF000) == 0xB000); }
};

struct SendReport {
  std::vector<SendFileResult> files;
  size_t failed() const;
};

// The DICOM files named: files as given, folders searched recursively for regular files (sorted
// by path, hidden names skipped). Throws InvalidInputError naming a path that does not exist.
std::vector<std::filesystem::path> collect_files(const std::vector<std::filesystem::path>& inputs);

// Sends the files to the peer with C-STORE, proposing for each SOP class its file's transfer
// syntax (and uncompressed ones), over as many associations as needed. Files that are not
// DICOM are reported failed and not sent. Throws InvalidInputError when the peer cannot be
// reached or refuses the association (naming the peer).
SendReport send_dicom_files(const std::vector<std::filesystem::path>& files,
                            const SendOptions& options);

// ---------------------------------------------------------------------------------------------
// Listener service (`oncotrace listen`)

// One complete study handed to the pipeline.
struct StudyJob {
  StudyRecord study;
  std::filesystem::path incoming;  // STORE/incoming/<uid>
  std::filesystem::path results;   // STORE/results/<uid> (emptied before the job)
  // For patient-level pipelines: every study of the patient (same PatientID) in the store,
  // including this one, ordered by study date then UID; only this one without a PatientID.
  std::vector<StudyRecord> patient_studies;
  StoreLayout store;
};
// Runs the pipeline on a job, writing into job.results, and returns the DICOM files to send
// (usually dicom_files_below(job.results)); throws oncotrace::Error on failure.
using StudyProcessor = std::function<std::vector<std::filesystem::path>(const StudyJob&)>;

// Every *.dcm file below `folder` (recursively, sorted, hidden names skipped); none when the
// folder does not exist.
std::vector<std::filesystem::path> dicom_files_below(const std::filesystem::path& folder);

struct ListenerOptions {
  ReceiverOptions receiver;
  std::chrono::milliseconds quiet_period{30000};
  std::optional<SendOptions> send;  // destination of the DICOM outputs
  int max_studies = 0;              // stop after this many processed studies (0 = never)
  std::chrono::milliseconds poll_interval{200};
};

struct ListenerSummary {
  int processed = 0;  // done
  int failed = 0;
  uint64_t instances_stored = 0, instances_rejected = 0;
};

// Receives in a background thread, processes each complete study in the calling thread and sends
// the DICOM files the processor returns; returns when `stop` becomes true (signal) or max_studies
// studies were processed (done or failed). A failing study is marked failed and logged; the
// service keeps running. Throws InvalidInputError when another listener holds the store or the
// port cannot be opened.
ListenerSummary run_listener(const ListenerOptions& options, const StudyProcessor& processor,
                             const std::atomic<bool>& stop);

}  // namespace oncotrace

#endif  // ONCOTRACE_PACS_H_
