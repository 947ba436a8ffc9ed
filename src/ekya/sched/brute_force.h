// The brute-force optimum on a grid (SPEC §7.4): the real upper bound of the
// thief on small cases, for tests and reports. Not a registered policy.
//
// Contract. For a snapshot with at most 3 streams and 2 devices,
// BruteForceOptimum enumerates, on every device independently (the
// estimator's objective separates over devices), every combination of
// retraining choices (window start: none or any candidate for a stream that
// may retrain, see sched/search.h; re-plan: running jobs keep their config,
// the others get none) and every split of the device on a grid of `grid`
// (each inference job and each retraining job gets a multiple of the grid, a
// retraining job at least one step, the device's sum at most 1), scores each
// with the estimator (DeviceSimulator; a re-plan's running job is held to at
// least one grid step, not kMinRunningShare) and returns the best allocation
// (IsBetter; the first found on ties) with its Estimate. Streams stay on
// their device.
//
// Errors: InvalidArgument for more than 3 streams or 2 devices, a grid that is
// not 1/m for an integer m in [2, 100], or a bad snapshot (CheckSnapshot).
//
// Cost: with n streams on a device, K candidates each and m = 1/grid, about
// (K+1)^n · C(m + 2n, 2n) simulations: keep K small (≤ 4) with 3 streams on one
// device.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>

#include "ekya/common/status.h"
#include "ekya/sched/estimator.h"
#include "ekya/sched/policy.h"

namespace ekya {

struct BruteForceOptions {
  double grid = 0.05;
  EstimatorOptions estimator;
};

struct BruteForceResult {
  Allocation allocation;
  Estimate estimate;
  int64_t evaluations = 0;  // device simulations
};

Result<BruteForceResult> BruteForceOptimum(const Snapshot& snapshot, const BruteForceOptions& options);

}  // namespace ekya
