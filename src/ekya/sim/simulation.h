// RunSimulation: one run of the window loop under the simulated clock
// (SPEC §2.1): the controller (runtime/controller.h) with a VirtualExecutor
// on a ManualClock and a SimWorkload (sim/sim_workload.h) replaying recorded
// profiles. This is the whole difference between a real run and a
// simulated one; the controller and the policy are the very same.
//
// Deterministic: the same profiles, options and policy give the same
// records. No real time is read (the caller times the run if it wants).
// Thread-safe for distinct sinks and policies that are themselves safe to
// share (Policy::Decide is const): every call builds its own clock,
// executor and workload.
#pragma once

#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/cost_model.h"
#include "ekya/profile/profile_table.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/runtime/controller.h"
#include "ekya/runtime/executor.h"
#include "ekya/runtime/records.h"
#include "ekya/sched/policy.h"
#include "ekya/sim/profiler_costs.h"
#include "ekya/sim/sim_workload.h"

namespace ekya {

struct SimulationOptions {
  // Streams, windows, chunks, frames, r_max and labelling; the controller
  // takes its streams, chunks and r_max from here and its windows from the
  // workload (SimWorkload::windows()).
  SimWorkloadOptions workload;
  int devices = 1;              // G >= 1
  double window_seconds = 200;  // P > 0
  OnCompletion on_completion = OnCompletion::kReplan;
  double profiler_share = 0.5;  // in (0, 1]
  SpeedCurve curve = SpeedCurve::kLinear;
  std::vector<RetrainConfig> configs = DefaultConfigSpace();  // what policies see
};

struct SimulationResult {
  int streams = 0;
  int windows = 0;    // W simulated
  DeviceUsage usage;  // summed over devices
};

// Runs every window with `policy`, recording into `sink`. Returns the errors
// of SimWorkload::Create, Controller::Create, VirtualExecutor::Create and
// Controller::Run unchanged.
Result<SimulationResult> RunSimulation(const ProfileTable& profiles, const ProfilerCosts& costs,
                                       const SimulationOptions& options, const Policy& policy, RunSink& sink);

}  // namespace ekya
