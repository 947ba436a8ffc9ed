// SimWorkload: the Workload of the simulated clock (SPEC §2.1 "simulated").
//
// Nothing is trained, rendered or scored: the same controller
// (runtime/controller.h) on the same VirtualExecutor and a ManualClock drives
// a workload that follows profiles recorded by `ekya profile`
// (profile/profile_table.h: profiles.csv, inference_profile.csv) and the
// profiler's recorded costs (sim/profiler_costs.h). It is the trace-driven
// simulator of the paper, and it scales to any number of streams and
// devices at the cost of a few arithmetic operations per chunk.
//
// Streams and windows.
//   - R recorded streams (ProfileTable::streams(), ascending); simulated
//     stream i replays recorded stream number (i mod R) of that list.
//   - The simulation has W = (largest recorded window + 1) windows, or
//     fewer when options.windows asks fewer (a larger request is capped).
//     Every recorded stream needs a "none" row with a measured accuracy in
//     every window 1 .. max(1, W−1); Create refuses the table otherwise.
//   - Window 0 has no profile rows: it is scored with window 1's "none"
//     accuracy and inference profile (window 0 is outside mean_accuracy).
//
// The deployed model of a stream is either the base model or "the model
// retrained in window t with config c". Its full-rate accuracy in window t'
// (DeployedAccuracy) is
//   base                              measured accuracy of "none" in t';
//   retrained in t, t' = t            measured accuracy of c in t;
//   retrained in t, t' > t (no swap   none(t') + (measured(c, t) − none(t)):
//     since)                          APPROXIMATION — the gain the retrained
//                                     model had over the base model carries
//                                     over to later windows, but never above
//                                     measured(c, t') (c retrained for t');
// clamped to [0, 1]. Profiles are recorded retraining from the base model,
// so train.start = deployed is not reproduced (APPROXIMATION).
//
// Inference (InferChunk). Chunk c of C has n·(c+1)/C − n·c/C frames (n =
// frames_per_window), as in the real workload. At share s the analysed
// fraction is f = min(1, s/r_max); frames_analysed is what a CreditSampler
// (infer/credit_sampler.h; state kept across the chunks of a window, reset
// at BeginWindow) picks over the chunk's frames. The chunk's accuracy is
//   a = DeployedAccuracy × factor(f),
// factor(f) = recorded inference-profile accuracy at f ÷ its accuracy at
// f = 1 for the replayed (stream, window), interpolated linearly as
// InferenceProfile::At does (sched/estimates.h), capped at 1; factor(f) = f
// when no profile was recorded or its accuracy at f = 1 is 0.
// APPROXIMATION: the recorded profile is the start model's; the same
// relative loss is applied to whichever model is deployed. correct =
// round(a × frames_total), so correct / frames_total is the chunk accuracy.
// accuracy_mode() is "simulated".
//
// Jobs (runtime/job.h). Labelling: when a stream's history has windows not
// labelled yet (t windows 0..t−1, each labelled once per stream, marked when
// the job is made, as the real workload does), the job's first step labels
// them: labelling_seconds_per_frame × frames_labelled_per_window per window
// (0 with ground-truth labels: no labelling step).
//   - MakeRetrainingJob(stream, c): the labelling step, then
//     retraining_steps equal steps summing to the recorded measured_cost_s of
//     (replayed stream, window, c). A config without a recorded row with
//     both measurements is refused (InvalidArgument naming it).
//     Deploy returns the recorded measured accuracy of c in the window the
//     job was made in and makes that model the deployed one.
//   - MakeProfilingJob(stream): the labelling step, then profiling_steps
//     equal steps (kind kProfiling) summing to the recorded profiler seconds
//     of (replayed stream, window); 0 when the costs table is empty.
//     APPROXIMATION: the recorded cost is that of profiling every config
//     (pruning off), an upper bound of a pruned profiler's.
//   - Estimates(stream, job): accuracy = the deployed model's PREDICTED
//     accuracy by the same rules on predictions: base → predicted_accuracy
//     of "none" in t'; retrained in t → predicted(c, t) at t' = t, else
//     predicted none(t') + (predicted(c, t) − predicted none(t)), clamped;
//     inference_profile = the recorded factors of (replayed stream, t');
//     all = predicted accuracy and cost of every recorded config of t' that
//     has measurements (file order); candidates = those whose predicted
//     accuracy is strictly above `accuracy`. The micro-profiler's pruning is
//     not simulated (every config stays profiled).
//
// Everything is deterministic: no randomness, no real time.
// Not thread-safe: one owner (the controller). Jobs hold no reference to the
// workload and may outlive it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/profile/profile_table.h"
#include "ekya/runtime/workload.h"
#include "ekya/sched/estimates.h"
#include "ekya/sim/profiler_costs.h"

namespace ekya {

struct SimWorkloadOptions {
  int streams = 1;               // N >= 1 simulated streams
  int windows = 0;               // W wanted, >= 0; 0: every recorded window; capped at recorded + 1
  int chunks = 10;               // C in [1, frames_per_window]
  int frames_per_window = 1000;  // n >= 1
  double r_max = 0.25;           // in (0, 1]
  // Labelling cost of one frame (golden model), >= 0; 0 with ground truth.
  double labelling_seconds_per_frame = 0;
  double frames_labelled_per_window = 0;  // >= 0
  int retraining_steps = 20;              // K >= 1
  int profiling_steps = 4;                // >= 1
};

class SimWorkload final : public Workload {
 public:
  // InvalidArgument naming the option for bad options; InvalidArgument
  // naming the recorded stream and window for a table that cannot be
  // replayed (no rows, a window < 1, a missing "none" row or its measured
  // accuracy, a profiler cost missing from a non-empty costs table). Config
  // rows lacking a measured accuracy or cost (a run's profiles.csv) are left
  // out: neither estimated nor retrainable. The workload keeps its own copy
  // of what it needs from `profiles` and `costs`.
  static Result<std::unique_ptr<SimWorkload>> Create(const ProfileTable& profiles, const ProfilerCosts& costs,
                                                     const SimWorkloadOptions& options);

  int streams() const { return options_.streams; }
  // W, the number of windows simulated.
  int windows() const { return windows_; }
  // The recorded stream simulated stream `stream` replays.
  int RecordedStream(int stream) const;

  Status BeginWindow(int window) override;
  Result<std::vector<ChunkScore>> InferChunk(int chunk, const std::vector<double>& shares) override;
  Result<double> DeployedAccuracy(int stream) override;
  Result<std::unique_ptr<Job>> MakeRetrainingJob(int stream, const RetrainConfig& config) override;
  Result<double> Deploy(int stream, Job& job) override;
  Result<std::unique_ptr<Job>> MakeProfilingJob(int stream) override;
  Result<StreamEstimates> Estimates(int stream, Job& job) override;
  std::string accuracy_mode() const override { return "simulated"; }

 private:
  // A recorded config of one (recorded stream, window).
  struct ConfigProfile {
    RetrainConfig config;
    std::string id;  // full id with epochs
    double predicted_accuracy = 0;
    double predicted_cost_s = 0;
    double measured_accuracy = 0;
    double measured_cost_s = 0;
  };
  // What the simulator replays for one (recorded stream, window).
  struct WindowProfile {
    double none_measured = 0;
    double none_predicted = 0;
    InferenceProfile factors;  // relative to full rate
    std::vector<ConfigProfile> configs;
    double profiler_seconds = 0;
  };
  struct StreamState {
    int recorded = 0;         // index into profiles_
    int trained_window = -1;  // -1: the base model is deployed
    double trained_measured = 0;
    double trained_predicted = 0;
    std::string trained_id;  // full id of the config of the deployed model
    CreditSampler sampler;
    int labelled_windows = 0;  // windows 0 .. labelled_windows−1 are labelled
  };

  explicit SimWorkload(const SimWorkloadOptions& options) : options_(options) {}
  const WindowProfile& Profile(int stream, int window) const;
  double AccuracyAt(int stream, int window, bool predicted) const;
  Status CheckStream(int stream) const;
  // Device-seconds of labelling what the stream's history lacks; marks it.
  double ChargeLabelling(int stream);

  SimWorkloadOptions options_;
  int windows_ = 0;
  std::vector<int> recorded_ids_;                     // recorded stream ids, ascending
  std::vector<std::vector<WindowProfile>> profiles_;  // [recorded index][window 0..W−1]
  std::vector<StreamState> streams_;
  int window_ = -1;
};

}  // namespace ekya
