// Shared by the benchmarks: the scratch folder of generated inputs, and per-stage time counters.
#ifndef ONCOTRACE_BENCH_BENCH_SUPPORT_H_
#define ONCOTRACE_BENCH_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <system_error>

namespace oncotrace {

// Scratch folder of a benchmark's generated inputs: below $ONCOTRACE_BENCH_DIR, else the system
// temporary folder, named oncotrace-<name>-bench-<random>, removed with everything in it when the
// benchmark process ends (the owning object is a function-local static).
class BenchScratchFolder {
 public:
  // `create`: make the folder now (else the first writer below it does).
  explicit BenchScratchFolder(const std::string& name, bool create = false) {
    const char* base = std::getenv("ONCOTRACE_BENCH_DIR");
    path_ = std::filesystem::path(base ? base : std::filesystem::temp_directory_path()) /
            ("oncotrace-" + name + "-bench-" + std::to_string(std::random_device{}()));
    if (create) std::filesystem::create_directories(path_);
  }
  ~BenchScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  BenchScratchFolder(const BenchScratchFolder&) = delete;
  BenchScratchFolder& operator=(const BenchScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Adds each stage's seconds of one run (a vector of StageTiming: `stage`, `seconds`) to `totals`.
template <typename Timings>
void add_stage_seconds(const Timings& timings, std::map<std::string, double>& totals) {
  for (const auto& step : timings) totals[step.stage] += step.seconds;
}

// Mean seconds per iteration of each stage (summed over the iterations in `totals`), as counters
// "<stage>_s".
inline void report_stage_seconds(benchmark::State& state,
                                 const std::map<std::string, double>& totals) {
  for (const auto& [stage, seconds] : totals) {
    state.counters[stage + "_s"] = benchmark::Counter(seconds, benchmark::Counter::kAvgIterations);
  }
}

}  // namespace oncotrace

#endif  // ONCOTRACE_BENCH_BENCH_SUPPORT_H_
