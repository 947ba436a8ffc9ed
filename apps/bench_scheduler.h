// `ekya bench scheduler`: how long the schedulers take to decide (SPEC §7.7).
//
// The snapshot is either seeded and synthetic (sched/synthetic.h: `streams`
// streams round-robin over `devices`, `configs` candidates each, `seed`) or,
// with `snapshot`, one saved by a run (the run directory's snapshots.jsonl,
// or a single-snapshot .json file; sched/snapshot_io.h). From a file the
// benchmark takes the snapshot at `snapshot_index` (0-based, counting the
// file's snapshots, which is its line number - 1 in a snapshots.jsonl) or by
// default the snapshot of a window's plan (replan false: asked at the
// window's start, after the micro-profiler when the policy uses estimates)
// with the most candidate configs summed over streams, the first of equals
// (any snapshot when the file holds re-plans only). When the file's folder
// holds a settings.yaml (a run directory) the policies are built with those
// settings, so the default policy and its parameters are the run's;
// otherwise with the defaults.
//
// The policies (default: the setting 'policy', "thief" unless a run's
// settings say otherwise) are built from their specs, Decide is timed
// `repeats` times with ekya::Stopwatch, the allocation is checked with
// ValidateAllocation, and the benchmark prints a line naming the snapshot
// (sizes and seed, or file, index, window, streams, devices, candidates),
// per policy a table row (median, min and max milliseconds, the estimated
// window accuracy, retraining jobs, estimator calls), CSV rows
// `bench_scheduler,<policy>.<metric>,<value>`, and finally, for the last
// policy, the lines `retraining_jobs=<n>`, `estimator_calls=<n>` and
// `median_ms=<x>`. estimator_calls counts device simulations (0 for policies
// that do not plan with the estimator).
//
// Returns the process exit status: 2 for bad arguments (streams, devices,
// configs or repeats < 1; an unknown policy; --snapshot together with an
// explicit --streams, --devices, --configs or --seed, which describe the
// synthetic snapshot only; --snapshot-index without --snapshot or out of
// range; a snapshot file that is missing or not a valid snapshot; a bad
// settings.yaml beside it), 1 when a policy fails or returns an invalid
// allocation. Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ekya::app {

struct BenchSchedulerArgs {
  int streams = 10;
  int devices = 8;
  int configs = 18;
  std::vector<std::string> policies;  // default: the setting 'policy'
  std::string snapshot;               // optional snapshot file (snapshots.jsonl or .json)
  std::optional<int> snapshot_index;  // which snapshot of the file (default: see above)
  int repeats = 20;
  uint64_t seed = 1;
  // The synthetic-only options given on the command line ("--streams", ...):
  // refused together with `snapshot`.
  std::vector<std::string> synthetic_options_given;
};

int RunBenchScheduler(const BenchSchedulerArgs& args);

}  // namespace ekya::app
