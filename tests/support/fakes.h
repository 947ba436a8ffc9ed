// Shared fakes for the runtime and exec tests (HOUSE habit 8): a scripted
// step job, a deterministic workload and a scripted policy. All torch-free.
//
//   FakeJob          runs a fixed list of JobSteps (optionally failing at
//                    step k) and counts the steps it ran into a FakeJobLog
//                    that outlives it.
//   FakeWorkload     S streams, C chunks of `frames_per_chunk` frames; the
//                    accuracy of a stream's model is `base_accuracy[s]` for
//                    version 0 and `accuracy_after` after any Deploy.
//                    MakeRetrainingJob builds a FakeJob from a script chosen
//                    per stream, else per config id, else the default.
//   ScriptedPolicy   returns what a lambda computes from the snapshot, and
//                    keeps every snapshot it was shown.
//
// Not thread-safe, except where noted: a FakeJob may be moved between
// threads between calls (Job's contract) and its log counters are atomic;
// ScriptedPolicy::Decide may be called from several threads.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/runtime/job.h"
#include "ekya/runtime/workload.h"
#include "ekya/sched/policy.h"

namespace ekya::testing {

// The steps of a FakeJob. The final step is marked `last` by FakeJob itself.
struct FakeJobScript {
  std::vector<JobStep> steps;
  std::optional<int> fail_at;        // RunStep number `fail_at` (0-based) returns an error
  double total() const;              // sum of the steps' device-seconds
  double total_before(int k) const;  // sum of steps 0 .. k-1
};

// `n` steps of `kind`, each costing `cost`.
FakeJobScript UniformScript(int n, double cost, JobKind kind = JobKind::kRetraining);
// One labelling step of `label_cost`, then `n` retraining steps of `cost`.
FakeJobScript LabelThenRetrain(double label_cost, int n, double cost);

// What a FakeJob did; shared with the test so it can be read after the
// executor discarded the job.
struct FakeJobLog {
  std::atomic<int> steps_run{0};      // successful RunStep calls
  std::atomic<int> calls{0};          // every RunStep call, the failing one included
  std::atomic<bool> finished{false};  // the last step ran
  std::atomic<bool> destroyed{false};
};

class FakeJob final : public Job {
 public:
  // `owner` and `stream` identify the job for FakeWorkload::Deploy.
  explicit FakeJob(FakeJobScript script, std::shared_ptr<FakeJobLog> log = nullptr, int stream = -1,
                   const void* owner = nullptr, std::string name = "fake");
  ~FakeJob() override;

  Result<JobStep> RunStep() override;
  JobKind NextKind() const override;
  std::string Describe() const override { return name_; }

  const FakeJobLog& log() const { return *log_; }
  std::shared_ptr<FakeJobLog> shared_log() const { return log_; }
  int stream() const { return stream_; }
  const void* owner() const { return owner_; }

 private:
  FakeJobScript script_;
  std::shared_ptr<FakeJobLog> log_;
  int stream_;
  const void* owner_;
  std::string name_;
  int next_ = 0;
};

struct FakeWorkloadOptions {
  int streams = 1;
  int frames_per_chunk = 100;
  double r_max = 0.25;
  std::vector<double> base_accuracy;  // per stream; 0.5 for streams left out
  double accuracy_after = 0.9;        // of every deployed retrained model
  FakeJobScript default_script = UniformScript(4, 5.0);
  std::map<std::string, FakeJobScript> config_scripts;  // by RetrainConfig::Id()
  std::map<int, FakeJobScript> stream_scripts;          // by stream, takes precedence
  // Micro-profiling: the job every stream runs, and what it estimates.
  FakeJobScript profiling_script = UniformScript(2, 1.0, JobKind::kProfiling);
  StreamEstimates estimates;
};

class FakeWorkload final : public Workload {
 public:
  // One retraining job the workload built.
  struct MadeJob {
    int stream = 0;
    int window = 0;
    std::string config;  // RetrainConfig::Id()
    std::shared_ptr<FakeJobLog> log;
  };
  // One Deploy call that succeeded.
  struct Deployment {
    int stream = 0;
    int window = 0;
    int chunks_inferred = 0;  // chunks of `window` inferred before the call
  };

  explicit FakeWorkload(FakeWorkloadOptions options);

  // FailedPrecondition when windows do not come in order 0, 1, 2, ...
  Status BeginWindow(int window) override;
  // frames_total = frames_per_chunk; with f = min(1, share / r_max):
  // frames_analysed = round(f × frames), correct = floor(acc × frames × f).
  Result<std::vector<ChunkScore>> InferChunk(int chunk, const std::vector<double>& shares) override;
  Result<double> DeployedAccuracy(int stream) override;
  Result<std::unique_ptr<Job>> MakeRetrainingJob(int stream, const RetrainConfig& config) override;
  // InvalidArgument unless `job` is a finished FakeJob of this workload made
  // for `stream`.
  Result<double> Deploy(int stream, Job& job) override;
  // A FakeJob of options.profiling_script.
  Result<std::unique_ptr<Job>> MakeProfilingJob(int stream) override;
  // options.estimates, for a finished profiling FakeJob of this workload.
  Result<StreamEstimates> Estimates(int stream, Job& job) override;
  std::string accuracy_mode() const override { return "table"; }

  int model_version(int stream) const { return versions_.at(stream); }
  double Accuracy(int stream) const;
  const std::vector<MadeJob>& made() const { return made_; }
  const std::vector<Deployment>& deployments() const { return deployments_; }

 private:
  Status CheckStream(int stream) const;

  FakeWorkloadOptions options_;
  std::vector<int> versions_;
  int window_ = -1;
  int chunks_inferred_ = 0;
  std::vector<MadeJob> made_;
  std::vector<Deployment> deployments_;
};

class ScriptedPolicy final : public Policy {
 public:
  using DecideFn = std::function<Result<Allocation>(const Snapshot&)>;
  ScriptedPolicy(std::string spec, DecideFn decide) : spec_(std::move(spec)), decide_(std::move(decide)) {}
  // Always returns `allocation`.
  static std::unique_ptr<ScriptedPolicy> Fixed(std::string spec, Allocation allocation);

  std::string spec() const override { return spec_; }
  Result<Allocation> Decide(const Snapshot& snapshot) const override;

  std::vector<Snapshot> seen() const;
  // Makes the policy ask for the profilers' estimates.
  void set_needs_estimates(bool needs) { needs_estimates_ = needs; }
  bool NeedsEstimates() const override { return needs_estimates_; }

 private:
  std::string spec_;
  bool needs_estimates_ = false;
  DecideFn decide_;
  mutable std::mutex mu_;
  mutable std::vector<Snapshot> seen_;
};

}  // namespace ekya::testing
