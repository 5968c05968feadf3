// The study-completion tracker: quiet period, state files and restart rules.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/pacs.h"
#include "testing/test_data.h"

namespace oncotrace {
namespace {

using Clock = StudyTracker::Clock;
using std::chrono::seconds;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream stream(path);
  return nlohmann::json::parse(stream);
}

void write_state(const StoreLayout& layout, const std::string& uid, const std::string& state) {
  write_file_atomically(layout.state_file(uid),
                        nlohmann::json{{"study_instance_uid", uid}, {"state", state}}.dump());
}

TEST(StudyTracker, StudyIsCompleteAfterTheQuietPeriod) {
  testing::TemporaryDirectory folder;
  const StoreLayout layout{folder.path()};
  StudyTracker tracker(layout, seconds(30));
  ASSERT_TRUE(tracker.recover(Clock::time_point{}).empty());
  const Clock::time_point t0{};
  tracker.note_instance("1.2.3", "P1", "20240101", t0);
  tracker.note_instance("1.2.3", "P1", "20240101", t0 + seconds(20));
  EXPECT_FALSE(tracker.next_complete(t0 + seconds(49)));
  EXPECT_EQ(tracker.next_complete(t0 + seconds(50)), "1.2.3");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "received");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["patient_id"], "P1");

  const uint64_t token = tracker.begin_processing("1.2.3");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "processing");
  EXPECT_FALSE(tracker.next_complete(t0 + seconds(100)));
  tracker.finish("1.2.3", token, true, "ok");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "done");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["attempts"], 1);
  EXPECT_FALSE(tracker.next_complete(t0 + seconds(1000)));
}

TEST(StudyTracker, InstancesArrivingDuringProcessingMakeTheStudyPendingAgain) {
  testing::TemporaryDirectory folder;
  const StoreLayout layout{folder.path()};
  StudyTracker tracker(layout, seconds(10));
  tracker.recover(Clock::time_point{});
  const Clock::time_point t0{};
  tracker.note_instance("1.2.3", "P1", "", t0);
  const uint64_t token = tracker.begin_processing("1.2.3");
  tracker.note_instance("1.2.3", "P1", "", t0 + seconds(15));
  // Still `processing` on disk until the pipeline returns: a crash now reprocesses it.
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "processing");
  tracker.finish("1.2.3", token, true, "ok");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "received");
  EXPECT_FALSE(tracker.next_complete(t0 + seconds(24)));
  EXPECT_EQ(tracker.next_complete(t0 + seconds(25)), "1.2.3");
}

TEST(StudyTracker, NewInstancesOfADoneStudyMakeItReceivedAgain) {
  testing::TemporaryDirectory folder;
  const StoreLayout layout{folder.path()};
  StudyTracker tracker(layout, seconds(1));
  tracker.recover(Clock::time_point{});
  tracker.note_instance("1.2.3", "", "", Clock::time_point{});
  tracker.finish("1.2.3", tracker.begin_processing("1.2.3"), false, "failed");
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "failed");
  tracker.note_instance("1.2.3", "", "", Clock::time_point{} + seconds(5));
  EXPECT_EQ(read_json(layout.state_file("1.2.3"))["state"], "received");
  EXPECT_EQ(tracker.next_complete(Clock::time_point{} + seconds(6)), "1.2.3");
}

TEST(StudyTracker, RestartProcessesInterruptedAndUnrecordedStudiesAgain) {
  testing::TemporaryDirectory folder;
  const StoreLayout layout{folder.path()};
  write_state(layout, "1.1", "processing");  // stopped while the pipeline ran
  write_state(layout, "1.2", "received");    // stopped during its quiet period
  write_state(layout, "1.3", "done");
  write_state(layout, "1.4", "failed");
  // Instances stored, state file never written (stopped between the two).
  std::filesystem::create_directories(layout.study_incoming("1.5") / "1.5.1");
  std::filesystem::create_directories(layout.study_incoming("1.3") / "1.3.1");

  StudyTracker tracker(layout, seconds(30));
  const Clock::time_point start{};
  const std::vector<std::string> pending = tracker.recover(start);
  EXPECT_EQ(pending, (std::vector<std::string>{"1.1", "1.2", "1.5"}));
  EXPECT_EQ(read_json(layout.state_file("1.1"))["state"], "received");
  EXPECT_EQ(read_json(layout.state_file("1.5"))["state"], "received");
  EXPECT_EQ(read_json(layout.state_file("1.3"))["state"], "done");
  // A new quiet period from the restart, then the interrupted studies come out.
  EXPECT_FALSE(tracker.next_complete(start + seconds(29)));
  std::set<std::string> completed;
  for (int i = 0; i < 3; ++i) {
    const auto uid = tracker.next_complete(start + seconds(30));
    ASSERT_TRUE(uid);
    completed.insert(*uid);
    tracker.finish(*uid, tracker.begin_processing(*uid), true, "ok");
  }
  EXPECT_EQ(completed, (std::set<std::string>{"1.1", "1.2", "1.5"}));
  EXPECT_FALSE(tracker.next_complete(start + seconds(60)));
}

TEST(StudyTracker, CorruptStateFileIsAnErrorNamingTheFile) {
  testing::TemporaryDirectory folder;
  const StoreLayout layout{folder.path()};
  write_file_atomically(layout.state_file("1.1"), "{not json");
  StudyTracker tracker(layout, seconds(30));
  try {
    tracker.recover(Clock::time_point{});
    FAIL() << "no error";
  } catch (const InvalidInputError& error) {
    EXPECT_NE(std::string(error.what()).find("1.1.json"), std::string::npos) << error.what();
  }
  write_state(layout, "1.1", "half-done");
  EXPECT_THROW(StudyTracker(layout, seconds(1)).recover(Clock::time_point{}), InvalidInputError);
}

TEST(StudyTracker, StudiesOfAPatientAreOrderedByDate) {
  testing::TemporaryDirectory folder;
  StudyTracker tracker(StoreLayout{folder.path()}, seconds(1));
  tracker.recover(Clock::time_point{});
  tracker.note_instance("1.9", "P1", "20240301", Clock::time_point{});
  tracker.note_instance("1.8", "P2", "20240101", Clock::time_point{});
  tracker.note_instance("1.7", "P1", "20240101", Clock::time_point{});
  const auto studies = tracker.studies_of_patient("P1");
  ASSERT_EQ(studies.size(), 2u);
  EXPECT_EQ(studies[0].study_instance_uid, "1.7");
  EXPECT_EQ(studies[1].study_instance_uid, "1.9");
}

}  // namespace
}  // namespace oncotrace
