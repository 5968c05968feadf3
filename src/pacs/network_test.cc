// Receiver, sender and listener over loopback TCP: storage layout, rejection of malformed
// instances and associations while serving on, results sent on, restart after an interruption.
#include <arpa/inet.h>
#include <dcmtk/config/osconfig.h>  // before the other DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/pacs.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

// A TCP port that was free a moment ago (bound to port 0 and released).
uint16_t free_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (socket_fd < 0 || ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("no free TCP port");
  }
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

struct InstanceSpec {
  std::string sop_class = UID_PositronEmissionTomographyImageStorage;
  std::string study = "1.2.826.0.1.3680043.10.1.1";
  std::string series = "1.2.826.0.1.3680043.10.1.1.2";
  std::string sop = "1.2.826.0.1.3680043.10.1.1.2.3";
  std::string patient_id = "PACS-TEST";
};

// A small DICOM file (no pixel data) with the given UIDs; an empty UID is left out.
void write_instance(const std::filesystem::path& path, const InstanceSpec& spec) {
  DcmFileFormat file;
  DcmDataset* dataset = file.getDataset();
  dataset->putAndInsertString(DCM_SOPClassUID, spec.sop_class.c_str());
  dataset->putAndInsertString(DCM_SOPInstanceUID, spec.sop.c_str());
  if (!spec.study.empty()) dataset->putAndInsertString(DCM_StudyInstanceUID, spec.study.c_str());
  if (!spec.series.empty()) {
    dataset->putAndInsertString(DCM_SeriesInstanceUID, spec.series.c_str());
  }
  dataset->putAndInsertString(DCM_PatientID, spec.patient_id.c_str());
  dataset->putAndInsertString(DCM_StudyDate, "20240102");
  dataset->putAndInsertString(DCM_Modality, "PT");
  std::filesystem::create_directories(path.parent_path());
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good()) << path;
}

// A receiver serving in a background thread for the lifetime of the object.
class RunningReceiver {
 public:
  explicit RunningReceiver(const std::filesystem::path& store) {
    ReceiverOptions options;
    options.ae_title = "TESTSCP";
    options.port = free_port();
    options.store.root = store;
    options.on_stored = [this](const StoredInstance& instance) {
      std::lock_guard lock(mutex_);
      stored_.push_back(instance);
    };
    port_ = options.port;
    receiver_ = std::make_unique<StorageReceiver>(options);
    receiver_->open();
    thread_ = std::thread([this] { receiver_->serve(); });
  }
  ~RunningReceiver() {
    receiver_->stop();
    thread_.join();
  }
  SendOptions send_options() const {
    SendOptions options;
    options.calling_ae_title = "TESTSCU";
    options.peer = DicomPeer{"TESTSCP", "127.0.0.1", port_};
    return options;
  }
  StorageReceiver& receiver() { return *receiver_; }
  std::vector<StoredInstance> stored() {
    std::lock_guard lock(mutex_);
    return stored_;
  }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_ = 0;
  std::unique_ptr<StorageReceiver> receiver_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<StoredInstance> stored_;
};

TEST(StorageReceiver, StoresInstancesUnderStudySeriesAndSopUid) {
  testing::TemporaryDirectory folder;
  RunningReceiver scp(folder.path() / "store");
  InstanceSpec first, second;
  second.sop = first.sop + ".2";
  second.sop_class = UID_CTImageStorage;
  write_instance(folder.path() / "in" / "a.dcm", first);
  write_instance(folder.path() / "in" / "b.dcm", second);

  const SendReport report =
      send_dicom_files(collect_files({folder.path() / "in"}), scp.send_options());
  ASSERT_EQ(report.files.size(), 2u);
  for (const SendFileResult& file : report.files) {
    EXPECT_TRUE(file.ok()) << file.file << ": " << file.message;
    EXPECT_EQ(file.status, 0x0000);
  }
  EXPECT_EQ(report.failed(), 0u);
  const StoreLayout layout{folder.path() / "store"};
  for (const InstanceSpec& spec : {first, second}) {
    const auto stored = layout.study_incoming(spec.study) / spec.series / (spec.sop + ".dcm");
    ASSERT_TRUE(std::filesystem::exists(stored)) << stored;
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(stored.c_str()).good());
    OFString value;
    file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, value);
    EXPECT_STREQ(value.c_str(), spec.sop.c_str());
  }
  EXPECT_EQ(scp.stored().size(), 2u);
  EXPECT_EQ(scp.stored()[0].patient_id, "PACS-TEST");
  // Nothing left behind in the temporary folder.
  EXPECT_TRUE(std::filesystem::is_empty(layout.temporary()));
}

TEST(StorageReceiver, RejectsMalformedInstancesAndKeepsServing) {
  testing::TemporaryDirectory folder;
  RunningReceiver scp(folder.path() / "store");
  InstanceSpec good, no_study, bad_series, good_after;
  no_study.study.clear();
  no_study.sop = good.sop + ".10";
  bad_series.series = "1.2.3/../../escape";
  bad_series.sop = good.sop + ".11";
  good_after.sop = good.sop + ".12";
  write_instance(folder.path() / "in" / "1.dcm", good);
  write_instance(folder.path() / "in" / "2.dcm", no_study);
  write_instance(folder.path() / "in" / "3.dcm", bad_series);
  {
    std::ofstream not_dicom(folder.path() / "in" / "4.txt");
    not_dicom << "not a DICOM file";
  }
  const SendReport report =
      send_dicom_files(collect_files({folder.path() / "in"}), scp.send_options());
  ASSERT_EQ(report.files.size(), 4u);
  EXPECT_TRUE(report.files[0].ok()) << report.files[0].message;
  EXPECT_TRUE(report.files[1].sent);
  EXPECT_EQ(report.files[1].status, 0xC000) << report.files[1].message;
  EXPECT_EQ(report.files[2].status, 0xC000) << report.files[2].message;
  EXPECT_FALSE(report.files[3].sent);
  EXPECT_EQ(report.failed(), 3u);
  EXPECT_EQ(scp.receiver().rejected_count(), 2u);

  // A peer that connects and sends garbage instead of an association request.
  {
    const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(scp.port());
    ASSERT_EQ(::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    const char garbage[] = "GET / HTTP/1.0\r\n\r\n";
    ASSERT_GT(::write(socket_fd, garbage, sizeof(garbage)), 0);
    ::close(socket_fd);
  }

  // The receiver still serves.
  write_instance(folder.path() / "later" / "5.dcm", good_after);
  const SendReport later =
      send_dicom_files({folder.path() / "later" / "5.dcm"}, scp.send_options());
  ASSERT_EQ(later.files.size(), 1u);
  EXPECT_TRUE(later.files[0].ok()) << later.files[0].message;
  EXPECT_EQ(scp.stored().size(), 2u);
  const StoreLayout layout{folder.path() / "store"};
  EXPECT_TRUE(std::filesystem::exists(layout.study_incoming(good.study) / good.series /
                                      (good_after.sop + ".dcm")));
  // Only the good study exists in the store.
  size_t studies = 0;
  for ([[maybe_unused]] const auto& item : std::filesystem::directory_iterator(layout.incoming())) {
    ++studies;
  }
  EXPECT_EQ(studies, 1u);
}

TEST(StorageSender, UnreachablePeerIsAnErrorNamingIt) {
  testing::TemporaryDirectory folder;
  write_instance(folder.path() / "a.dcm", InstanceSpec{});
  SendOptions options;
  options.peer = DicomPeer{"NOBODY", "127.0.0.1", free_port()};
  options.acse_timeout_s = 5;
  try {
    send_dicom_files({folder.path() / "a.dcm"}, options);
    FAIL() << "no error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("NOBODY@127.0.0.1"), std::string::npos)
        << error.what();
  }
}

TEST(StorageReceiver, PortInUseIsAnErrorNamingThePort) {
  testing::TemporaryDirectory folder;
  RunningReceiver first(folder.path() / "a");
  ReceiverOptions options;
  options.port = first.port();
  options.store.root = folder.path() / "b";
  StorageReceiver second(options);
  try {
    second.open();
    FAIL() << "no error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find(std::to_string(first.port())), std::string::npos)
        << error.what();
  }
}

// The listener service with a stand-in pipeline that writes one DICOM output per study.
struct ListenerRun {
  std::vector<std::string> processed;
  ListenerSummary summary;
};

ListenerRun run_listener_until(const StoreLayout& store, uint16_t port,
                               std::optional<SendOptions> send, int max_studies,
                               const std::function<void()>& after_start) {
  ListenerOptions options;
  options.receiver.ae_title = "ONCOTRACE";
  options.receiver.port = port;
  options.receiver.store = store;
  options.quiet_period = std::chrono::milliseconds(300);
  options.poll_interval = std::chrono::milliseconds(20);
  options.send = std::move(send);
  options.max_studies = max_studies;
  ListenerRun run;
  std::mutex mutex;
  const StudyProcessor processor = [&](const StudyJob& job) {
    {
      std::lock_guard lock(mutex);
      run.processed.push_back(job.study.study_instance_uid);
    }
    EXPECT_TRUE(std::filesystem::is_directory(job.incoming)) << job.incoming;
    InstanceSpec output;
    output.sop_class = UID_SegmentationStorage;
    output.study = job.study.study_instance_uid;
    output.series = job.study.study_instance_uid + ".99";
    output.sop = job.study.study_instance_uid + ".99.1";
    write_instance(job.results / "lesions.seg.dcm", output);
    return dicom_files_below(job.results);
  };
  std::atomic<bool> stop{false};
  std::thread driver([&] {
    after_start();
    // Safety net: a broken listener must not hang the test.
    for (int i = 0; i < 300 && !stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
  });
  run.summary = run_listener(options, processor, stop);
  stop = true;
  driver.join();
  return run;
}

TEST(Listener, ProcessesACompleteStudyAndSendsItsDicomOutputs) {
  testing::TemporaryDirectory folder;
  RunningReceiver destination(folder.path() / "destination");
  const StoreLayout store{folder.path() / "store"};
  const uint16_t port = free_port();
  InstanceSpec a, b;
  b.sop = a.sop + ".2";
  write_instance(folder.path() / "in" / "a.dcm", a);
  write_instance(folder.path() / "in" / "b.dcm", b);
  SendOptions to_listener;
  to_listener.peer = DicomPeer{"ONCOTRACE", "127.0.0.1", port};
  const ListenerRun run = run_listener_until(store, port, destination.send_options(), 1, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const SendReport report = send_dicom_files(collect_files({folder.path() / "in"}), to_listener);
    EXPECT_EQ(report.failed(), 0u);
  });
  ASSERT_EQ(run.processed, std::vector<std::string>{a.study});
  EXPECT_EQ(run.summary.processed, 1);
  EXPECT_EQ(run.summary.instances_stored, 2u);
  std::ifstream state(store.state_file(a.study));
  const auto document = nlohmann::json::parse(state);
  EXPECT_EQ(document["state"], "done") << document.dump();
  // The stand-in SEG arrived at the destination.
  const StoreLayout received{folder.path() / "destination"};
  EXPECT_TRUE(std::filesystem::exists(received.study_incoming(a.study) / (a.study + ".99") /
                                      (a.study + ".99.1.dcm")));
}

TEST(Listener, StudyLeftProcessingIsProcessedAgainOnRestart) {
  testing::TemporaryDirectory folder;
  const StoreLayout store{folder.path() / "store"};
  InstanceSpec instance;
  instance.study = "1.2.826.0.1.3680043.10.1.7";
  write_instance(store.study_incoming(instance.study) / instance.series / "x.dcm", instance);
  write_file_atomically(store.state_file(instance.study),
                        nlohmann::json{{"study_instance_uid", instance.study},
                                       {"state", "processing"},
                                       {"patient_id", "PACS-TEST"},
                                       {"attempts", 1}}
                            .dump());
  // Stale output of the interrupted run: replaced, not kept.
  write_file_atomically(store.results(instance.study) / "stale.dcm", "stale");
  const ListenerRun run = run_listener_until(store, free_port(), std::nullopt, 1, [] {});
  ASSERT_EQ(run.processed, std::vector<std::string>{instance.study});
  std::ifstream state(store.state_file(instance.study));
  const auto document = nlohmann::json::parse(state);
  EXPECT_EQ(document["state"], "done") << document.dump();
  EXPECT_EQ(document["attempts"], 2);
  EXPECT_FALSE(std::filesystem::exists(store.results(instance.study) / "stale.dcm"));
  EXPECT_TRUE(std::filesystem::exists(store.results(instance.study) / "lesions.seg.dcm"));
}

TEST(Listener, FailingPipelineMarksTheStudyFailedAndKeepsServing) {
  testing::TemporaryDirectory folder;
  const StoreLayout store{folder.path() / "store"};
  const uint16_t port = free_port();
  ListenerOptions options;
  options.receiver.port = port;
  options.receiver.store = store;
  options.quiet_period = std::chrono::milliseconds(200);
  options.poll_interval = std::chrono::milliseconds(20);
  options.max_studies = 2;
  InstanceSpec first, second;
  second.study = first.study + ".5";
  write_instance(folder.path() / "first" / "a.dcm", first);
  write_instance(folder.path() / "second" / "a.dcm", second);
  SendOptions to_listener;
  to_listener.peer = DicomPeer{"ONCOTRACE", "127.0.0.1", port};
  std::atomic<bool> stop{false};
  std::thread pusher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(send_dicom_files({folder.path() / "first" / "a.dcm"}, to_listener).failed(), 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_EQ(send_dicom_files({folder.path() / "second" / "a.dcm"}, to_listener).failed(), 0u);
    for (int i = 0; i < 300 && !stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
  });
  const ListenerSummary summary = run_listener(
      options,
      [&](const StudyJob& job) {
        if (job.study.study_instance_uid == first.study) {
          throw InvalidInputError("stand-in pipeline refuses " + job.incoming.string());
        }
        return std::vector<std::filesystem::path>{};
      },
      stop);
  stop = true;
  pusher.join();
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.processed, 1);
  std::ifstream state(store.state_file(first.study));
  const auto document = nlohmann::json::parse(state);
  EXPECT_EQ(document["state"], "failed");
  EXPECT_NE(document["message"].get<std::string>().find("stand-in pipeline refuses"),
            std::string::npos);
}

TEST(Listener, SecondListenerOnTheSameStoreIsRefused) {
  testing::TemporaryDirectory folder;
  ListenerOptions options;
  options.receiver.port = free_port();
  options.receiver.store.root = folder.path() / "store";
  options.poll_interval = std::chrono::milliseconds(20);
  std::atomic<bool> stop{false};
  std::thread first([&] {
    run_listener(
        options, [](const StudyJob&) { return std::vector<std::filesystem::path>{}; }, stop);
  });
  // Wait until the first listener holds the lock (its state folder exists once it recovered).
  for (int i = 0; i < 100 && !std::filesystem::exists(options.receiver.store.state_folder()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ListenerOptions second = options;
  second.receiver.port = free_port();
  try {
    run_listener(
        second, [](const StudyJob&) { return std::vector<std::filesystem::path>{}; }, stop);
    ADD_FAILURE() << "a second listener started on the same store";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("another oncotrace listen"), std::string::npos)
        << error.what();
  }
  stop = true;
  first.join();
}

}  // namespace
}  // namespace oncotrace
