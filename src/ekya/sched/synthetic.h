// Seeded synthetic snapshots for the scheduler benchmark and the schedulers'
// property tests (no profiler, no data).
//
// MakeSyntheticSnapshot builds a snapshot of `streams` streams placed
// round-robin over `devices`, r_max = 0.25, with K = `configs` candidate
// configs per stream:
//   * configs: the first K of DefaultConfigSpace() (K <= 18); for K > 18,
//     config k repeats config k mod 18 with 30·(k div 18) more epochs
//     (SyntheticConfigSpace);
//   * start accuracy U(0.5, 0.8) per stream;
//   * per stream and config a gain U(0, 0.3), increasing with epochs among the
//     configs that share a base id (the draws of a base id are sorted), the
//     predicted accuracy being min(0.99, start + gain);
//   * costs log-uniform over a 200× range, cost = 1.5·P·200^(−u) with u in
//     U(0, 1) (the costliest about 1.5 windows), likewise increasing with
//     epochs within a base id;
//   * the inference profile of the paper's table (SPEC §5: factor 1, .78,
//     .64, ... for 1 in k frames), as points (1/k, factor).
// With replan = true the snapshot is a re-plan at time_s in U(0.1, 0.6)·P:
// each stream independently has a running job (probability 0.4; a random
// candidate with U(0.05, 1) of its cost left and current shares of a fair
// split), has already retrained this window (0.2), or neither.
// The same options give the same snapshot, byte for byte.
//
// Errors: InvalidArgument when streams, devices or configs is < 1, or
// window_seconds <= 0.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/sched/policy.h"

namespace ekya {

struct SyntheticOptions {
  int streams = 10;
  int devices = 8;
  int configs = 18;
  uint64_t seed = 1;
  double window_seconds = 200;
  bool replan = false;
};

Result<Snapshot> MakeSyntheticSnapshot(const SyntheticOptions& options);

// The K configs described above. Requires k >= 0.
std::vector<RetrainConfig> SyntheticConfigSpace(int k);

// The paper's accuracy factor against the analysed fraction (SPEC §5).
InferenceProfile PaperInferenceProfile();

}  // namespace ekya
