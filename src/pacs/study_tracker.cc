// Study-completion tracker with its state files (include/oncotrace/pacs.h, docs/pacs.md).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/atomic_file.h"
#include "oncotrace/error.h"
#include "oncotrace/pacs.h"

namespace oncotrace {
namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

StudyRecord read_state_file(const std::filesystem::path& path) {
  std::ifstream stream(path);
  std::stringstream contents;
  contents << stream.rdbuf();
  const std::string remedy =
      "; repair or delete the file (a deleted state file makes the study `received` again)";
  if (!stream) throw InvalidInputError("cannot read study state file " + path.string() + remedy);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(contents.str());
  } catch (const nlohmann::json::exception& error) {
    throw InvalidInputError("study state file " + path.string() + " is not JSON (" + error.what() +
                            ")" + remedy);
  }
  StudyRecord record;
  try {
    record.study_instance_uid = document.at("study_instance_uid").get<std::string>();
    const std::string state = document.at("state").get<std::string>();
    const auto parsed = parse_study_state(state);
    if (!parsed) {
      throw InvalidInputError("study state file " + path.string() + ": state '" + state +
                              "' is not received, processing, done or failed" + remedy);
    }
    record.state = *parsed;
    record.patient_id = document.value("patient_id", "");
    record.study_date = document.value("study_date", "");
    record.attempts = document.value("attempts", 0);
    record.message = document.value("message", "");
    record.updated = document.value("updated", "");
  } catch (const nlohmann::json::exception& error) {
    throw InvalidInputError("study state file " + path.string() + ": " + error.what() + remedy);
  }
  if (record.study_instance_uid + ".json" != path.filename().string()) {
    throw InvalidInputError("study state file " + path.string() + " names study '" +
                            record.study_instance_uid + "', not its file name" + remedy);
  }
  return record;
}

}  // namespace

const char* study_state_name(StudyState state) {
  switch (state) {
    case StudyState::kReceived:
      return "received";
    case StudyState::kProcessing:
      return "processing";
    case StudyState::kDone:
      return "done";
    case StudyState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<StudyState> parse_study_state(const std::string& name) {
  for (const StudyState state :
       {StudyState::kReceived, StudyState::kProcessing, StudyState::kDone, StudyState::kFailed}) {
    if (name == study_state_name(state)) return state;
  }
  return std::nullopt;
}

StudyTracker::StudyTracker(StoreLayout layout, Clock::duration quiet_period)
    : layout_(std::move(layout)), quiet_period_(quiet_period) {}

void StudyTracker::write_state(const Entry& entry) const {
  const StudyRecord& record = entry.record;
  nlohmann::ordered_json document;
  document["study_instance_uid"] = record.study_instance_uid;
  document["state"] = study_state_name(record.state);
  document["patient_id"] = record.patient_id;
  document["study_date"] = record.study_date;
  document["attempts"] = record.attempts;
  document["message"] = record.message;
  document["updated"] = record.updated;
  write_file_atomically(layout_.state_file(record.study_instance_uid), document.dump(2) + "\n");
}

std::vector<std::string> StudyTracker::recover(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::error_code error;
  std::filesystem::create_directories(layout_.state_folder(), error);
  std::filesystem::create_directories(layout_.incoming(), error);
  if (error) {
    throw InvalidInputError("cannot create the store folders below " + layout_.root.string() +
                            ": " + error.message() + "; check --store");
  }
  std::vector<std::filesystem::path> state_files;
  for (const auto& item : std::filesystem::directory_iterator(layout_.state_folder())) {
    const std::string name = item.path().filename().string();
    if (item.is_regular_file() && item.path().extension() == ".json" && name.front() != '.') {
      state_files.push_back(item.path());
    }
  }
  std::sort(state_files.begin(), state_files.end());
  std::vector<std::string> pending;
  for (const auto& path : state_files) {
    Entry entry;
    entry.record = read_state_file(path);
    entry.last_activity = now;
    if (entry.record.state == StudyState::kProcessing) {
      spdlog::warn("study {} was being processed when the listener stopped: processing it again",
                   entry.record.study_instance_uid);
      entry.record.state = StudyState::kReceived;
      entry.record.message = "interrupted while processing; processed again after restart";
      entry.record.updated = utc_now_iso8601();
      write_state(entry);
    }
    if (entry.record.state == StudyState::kReceived) {
      pending.push_back(entry.record.study_instance_uid);
    }
    studies_[entry.record.study_instance_uid] = entry;
  }
  // Instances stored just before a stop whose state file was not yet written.
  std::vector<std::string> orphans;
  for (const auto& item : std::filesystem::directory_iterator(layout_.incoming())) {
    const std::string uid = item.path().filename().string();
    if (item.is_directory() && is_valid_dicom_uid(uid) && !studies_.count(uid)) {
      orphans.push_back(uid);
    }
  }
  std::sort(orphans.begin(), orphans.end());
  for (const std::string& uid : orphans) {
    spdlog::warn("study {} has received instances but no state file: processing it", uid);
    Entry entry;
    entry.record.study_instance_uid = uid;
    entry.record.state = StudyState::kReceived;
    entry.record.message = "found in incoming/ without a state file at start-up";
    entry.record.updated = utc_now_iso8601();
    entry.last_activity = now;
    write_state(entry);
    studies_[uid] = entry;
    pending.push_back(uid);
  }
  return pending;
}

void StudyTracker::note_instance(const std::string& study_uid, const std::string& patient_id,
                                 const std::string& study_date, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = studies_.try_emplace(study_uid);
  Entry& entry = it->second;
  entry.last_activity = now;
  ++entry.generation;
  bool changed = inserted || entry.record.state == StudyState::kDone ||
                 entry.record.state == StudyState::kFailed;
  if (inserted) {
    entry.record.study_instance_uid = study_uid;
    spdlog::info("study {}: receiving", study_uid);
  } else if (changed) {
    spdlog::info("study {}: new instances after it was {}; it will be processed again", study_uid,
                 study_state_name(entry.record.state));
  }
  if (entry.record.patient_id.empty() && !patient_id.empty()) {
    entry.record.patient_id = patient_id;
    changed = true;
  }
  if (entry.record.study_date.empty() && !study_date.empty()) {
    entry.record.study_date = study_date;
    changed = true;
  }
  // A study being processed stays `processing` on disk; finish() sees the new generation.
  if (changed && entry.record.state != StudyState::kProcessing) {
    entry.record.state = StudyState::kReceived;
    entry.record.updated = utc_now_iso8601();
    write_state(entry);
  }
}

std::optional<std::string> StudyTracker::next_complete(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::optional<std::string> best;
  Clock::time_point best_time{};
  for (const auto& [uid, entry] : studies_) {
    if (entry.record.state != StudyState::kReceived) continue;
    if (now - entry.last_activity < quiet_period_) continue;
    if (!best || entry.last_activity < best_time) {
      best = uid;
      best_time = entry.last_activity;
    }
  }
  return best;
}

uint64_t StudyTracker::begin_processing(const std::string& study_uid) {
  std::lock_guard lock(mutex_);
  const auto it = studies_.find(study_uid);
  if (it == studies_.end()) {
    throw InternalError("StudyTracker::begin_processing: unknown study " + study_uid);
  }
  Entry& entry = it->second;
  entry.record.state = StudyState::kProcessing;
  ++entry.record.attempts;
  entry.record.message.clear();
  entry.record.updated = utc_now_iso8601();
  write_state(entry);
  return entry.generation;
}

void StudyTracker::finish(const std::string& study_uid, uint64_t token, bool success,
                          const std::string& message) {
  std::lock_guard lock(mutex_);
  const auto it = studies_.find(study_uid);
  if (it == studies_.end()) {
    throw InternalError("StudyTracker::finish: unknown study " + study_uid);
  }
  Entry& entry = it->second;
  entry.record.message = message;
  entry.record.updated = utc_now_iso8601();
  if (entry.generation != token) {
    spdlog::info("study {}: instances arrived while it was processed; processing it again",
                 study_uid);
    // The quiet period runs from the last of those instances (note_instance).
    entry.record.state = StudyState::kReceived;
  } else {
    entry.record.state = success ? StudyState::kDone : StudyState::kFailed;
  }
  write_state(entry);
}

std::optional<StudyRecord> StudyTracker::record(const std::string& study_uid) const {
  std::lock_guard lock(mutex_);
  const auto it = studies_.find(study_uid);
  if (it == studies_.end()) return std::nullopt;
  return it->second.record;
}

std::vector<StudyRecord> StudyTracker::studies_of_patient(const std::string& patient_id) const {
  std::lock_guard lock(mutex_);
  std::vector<StudyRecord> records;
  for (const auto& [uid, entry] : studies_) {
    if (entry.record.patient_id == patient_id) records.push_back(entry.record);
  }
  std::sort(records.begin(), records.end(), [](const StudyRecord& a, const StudyRecord& b) {
    return std::tie(a.study_date, a.study_instance_uid) <
           std::tie(b.study_date, b.study_instance_uid);
  });
  return records;
}

}  // namespace oncotrace
