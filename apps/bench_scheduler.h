// `ekya bench scheduler`: how long the schedulers take to decide (SPEC §7.7).
//
// Builds a seeded synthetic snapshot (sched/synthetic.h: `streams` streams
// round-robin over `devices`, `configs` candidates each), builds each policy
// from its spec with the default settings, times Decide `repeats` times with
// ekya::Stopwatch, checks the allocation with ValidateAllocation, and prints
// per policy a table row (median, min and max milliseconds, the estimated
// window accuracy, retraining jobs, estimator calls), CSV rows
// `bench_scheduler,<policy>.<metric>,<value>`, and finally, for the last
// policy, the lines `retraining_jobs=<n>`, `estimator_calls=<n>` and
// `median_ms=<x>`. estimator_calls counts device simulations (0 for policies
// that do not plan with the estimator).
//
// Returns the process exit status: 2 for bad arguments (streams, devices,
// configs or repeats < 1, an unknown policy, or a --snapshot file, which is
// not supported yet), 1 when a policy fails or returns an invalid allocation.
// Single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ekya::app {

struct BenchSchedulerArgs {
  int streams = 10;
  int devices = 8;
  int configs = 18;
  std::vector<std::string> policies;  // default {"thief"}
  std::string snapshot;               // optional JSON file (not supported yet: refused)
  int repeats = 20;
  uint64_t seed = 1;
};

int RunBenchScheduler(const BenchSchedulerArgs& args);

}  // namespace ekya::app
