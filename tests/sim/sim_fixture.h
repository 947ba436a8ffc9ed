// A small hand-written recording for the simulator's tests: two recorded
// streams, windows 1 and 2, three configs each, accuracies that are whole
// numbers of 25-frame chunks (multiples of 0.04), an inference profile for
// recorded stream 0 only, and profiler costs of 4 device-seconds.
#pragma once

#include "ekya/profile/profile_table.h"
#include "ekya/sim/profiler_costs.h"
#include "ekya/sim/sim_workload.h"

namespace ekya::testing {

extern const char kSimProfilesCsv[];
extern const char kSimInferenceCsv[];
extern const char kSimProfilerCostsCsv[];

constexpr char kCheap[] = "head-h64-f0.1-e5";        // measured 0.72 for 11.75 s (stream 0, window 1)
constexpr char kBelow[] = "head-h64-f0.5-e5";        // predicted below the start model
constexpr char kExpensive[] = "all-h1024-f0.5-e15";  // measured 0.88 for 70 s (stream 0, window 1)

ProfileTable SimTable();
ProfilerCosts SimCosts();
// 100 frames, 4 chunks (25 frames each), r_max 0.25, labelling 0.01 s per
// frame × 100 frames per window (1 s per window), `streams` streams.
SimWorkloadOptions SimOptions(int streams = 2);

}  // namespace ekya::testing
