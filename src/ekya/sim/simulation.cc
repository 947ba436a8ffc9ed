#include "ekya/sim/simulation.h"

#include <memory>

#include "ekya/exec/virtual_executor.h"
#include "ekya/time/clock.h"

namespace ekya {

Result<SimulationResult> RunSimulation(const ProfileTable& profiles, const ProfilerCosts& costs,
                                       const SimulationOptions& options, const Policy& policy,
                                       RunSink& sink) {
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<SimWorkload> workload,
                        SimWorkload::Create(profiles, costs, options.workload));

  ControllerOptions co;
  co.streams = workload->streams();
  co.windows = workload->windows();
  co.chunks = options.workload.chunks;
  co.devices = options.devices;
  co.window_seconds = options.window_seconds;
  co.r_max = options.workload.r_max;
  co.on_completion = options.on_completion;
  co.profiler_share = options.profiler_share;
  co.configs = options.configs;

  ManualClock clock(0.0);
  VirtualExecutorOptions eo;
  eo.devices = options.devices;
  eo.r_max = options.workload.r_max;
  eo.curve = options.curve;
  eo.threads = 1;  // simulated steps are a few arithmetic operations
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<VirtualExecutor> executor, VirtualExecutor::Create(clock, eo));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Controller> controller,
                        Controller::Create(co, clock, *executor, *workload, policy, sink));
  EKYA_RETURN_IF_ERROR(controller->Run());

  SimulationResult result;
  result.streams = co.streams;
  result.windows = co.windows;
  for (const DeviceUsage& u : executor->Usage()) {
    for (size_t k = 0; k < u.seconds.size(); ++k) result.usage.seconds[k] += u.seconds[k];
  }
  return result;
}

}  // namespace ekya
