// The window loop (SPEC §2): one controller for every clock.
//
// For each window t = 0 .. W−1 (window 0 only collects data: inference, no
// retraining):
//   1. the workload begins the window (its frames; labels of window t−1 are
//      labelled on demand, by the retraining jobs that need them, through the
//      label firewall, and charged as `labelling`);
//   2. every stream's inference starts on a fair split of its device
//      (streams placed round-robin: stream s on device s mod G);
//   3. (t >= 1) when the policy plans with estimates, every stream's
//      micro-profiling job runs first (the device's profiler_share split
//      among its streams, inference on the rest); a stream whose profiling
//      ends hands its share to the device's other profiling jobs (to its
//      own inference when none is left); once all have ended (or
//      at once, for policies without estimates) the policy is asked for an
//      allocation, which is checked (ValidateAllocation) and applied:
//      inference shares set, retraining jobs started with their shares.
//      The profilers' predictions go to profiles.csv (with what retraining
//      then measured, for the config that ran) and inference_profile.csv;
//   4. the window runs chunk by chunk: at each chunk's start, models that
//      finished retraining in the previous chunk are swapped in, and every
//      stream's chunk is scored with the model deployed then, at the
//      inference share in force then; between chunk starts the executor
//      runs the jobs. When a retraining job finishes (or fails) its share is
//      handed out: to the inference jobs of its device in equal parts
//      (on_completion = to_inference), or by asking the policy again
//      (replan; shares only);
//   5. at the window's end unfinished retraining is stopped and discarded,
//      models that finished in the last chunk are swapped in for the next
//      window, every job gets a closing allocation row (share 0,
//      reason window_end), and the window's rows are recorded.
// Time comes only from the injected Clock and moves only through the
// executor (or SleepUntil at window starts); the controller never asks which
// clock it runs under.
//
// Not thread-safe: Run() is called once, from one thread. Clock, executor,
// workload, policy and sink must outlive the controller.
#pragma once

#include <memory>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/runtime/executor.h"
#include "ekya/runtime/records.h"
#include "ekya/runtime/workload.h"
#include "ekya/sched/policy.h"
#include "ekya/time/clock.h"

namespace ekya {

enum class OnCompletion { kToInference, kReplan };

// "to_inference" | "replan"; InvalidArgument otherwise.
Result<OnCompletion> ParseOnCompletion(const std::string& text);

struct ControllerOptions {
  int streams = 1;              // >= 1
  int windows = 2;              // >= 1
  int chunks = 10;              // C >= 1
  int devices = 1;              // G >= 1
  double window_seconds = 200;  // P > 0
  double r_max = 0.25;          // in (0, 1]
  OnCompletion on_completion = OnCompletion::kToInference;
  // Share of each device the micro-profiler runs at (split among the
  // device's streams) when the policy needs estimates; inference gets the rest.
  double profiler_share = 0.5;
  std::vector<RetrainConfig> configs;  // the candidates a policy sees
};

class Controller {
 public:
  // InvalidArgument naming the bad option.
  static Result<std::unique_ptr<Controller>> Create(const ControllerOptions& options, Clock& clock,
                                                    Executor& executor, Workload& workload,
                                                    const Policy& policy, RunSink& sink);
  // Runs every window. Returns the first error of the workload, the
  // executor or the policy (an invalid allocation included), with the window.
  // A failed retraining job is not an error: it is logged, its stream keeps
  // its model and its share is handed out.
  Status Run();

 private:
  Controller(const ControllerOptions& options, Clock& clock, Executor& executor, Workload& workload,
             const Policy& policy, RunSink& sink)
      : options_(options),
        clock_(clock),
        executor_(executor),
        workload_(workload),
        policy_(policy),
        sink_(sink) {}

  struct StreamRun;  // per-stream state of the current window
  Status RunWindow(int window);

  ControllerOptions options_;
  Clock& clock_;
  Executor& executor_;
  Workload& workload_;
  const Policy& policy_;
  RunSink& sink_;
  std::vector<int> device_of_;
  std::vector<int> model_version_;
};

}  // namespace ekya
