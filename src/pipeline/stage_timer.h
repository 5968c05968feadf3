// Wall time of one stage of a pipeline run, appended to a timing list when the scope ends
// (internal to the pipeline module).
#ifndef ONCOTRACE_SRC_PIPELINE_STAGE_TIMER_H_
#define ONCOTRACE_SRC_PIPELINE_STAGE_TIMER_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "oncotrace/pipeline.h"

namespace oncotrace::pipeline_internal {

class StageTimer {
 public:
  using Clock = std::chrono::steady_clock;
  StageTimer(std::vector<StageTiming>* timings, std::string stage)
      : timings_(timings), stage_(std::move(stage)), start_(Clock::now()) {}
  ~StageTimer() {
    timings_->push_back({stage_, std::chrono::duration<double>(Clock::now() - start_).count()});
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  std::vector<StageTiming>* timings_;
  std::string stage_;
  Clock::time_point start_;
};

}  // namespace oncotrace::pipeline_internal

#endif  // ONCOTRACE_SRC_PIPELINE_STAGE_TIMER_H_
