// VirtualExecutor: the Executor of the virtual clock (SPEC §2.1, §8).
//
// Jobs really run, but time is accounted, not waited. Between two events the
// shares are constant, so every step job progresses at a constant rate
// (device-seconds of work per second, from its share, the share lent by the
// inference jobs of its device, and the speed curve). RunUntil:
//   1. runs, for every step job, real steps until the work it has done but
//      not yet been paid for covers what its rate would pay up to `until`
//      (or it has run its last step); jobs run side by side on `threads`
//      worker threads, each step on one intra-op thread;
//   2. finds the first moment a job's paid work reaches a phase boundary
//      (labelling -> retraining), its last step, or a failed step;
//   3. pays every job rate × elapsed, accounts device-seconds, moves the
//      ManualClock there and reports the events of that moment.
// A step's real result does not depend on when it is paid for, so running
// ahead is harmless: results are identical for any number of threads. Work
// run ahead by a job stopped at the window's end is simply discarded.
//
// Not thread-safe: one owner. The clock must outlive the executor.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "ekya/profile/cost_model.h"
#include "ekya/runtime/executor.h"
#include "ekya/time/clock.h"

namespace ekya {

struct VirtualExecutorOptions {
  int devices = 1;      // >= 1
  double r_max = 0.25;  // share an inference job uses at most, in (0, 1]
  SpeedCurve curve = SpeedCurve::kLinear;
  int threads = 1;  // worker threads that run steps, >= 1
};

class VirtualExecutor final : public Executor {
 public:
  // InvalidArgument for devices < 1, r_max outside (0, 1] or threads < 1.
  static Result<std::unique_ptr<VirtualExecutor>> Create(ManualClock& clock,
                                                         const VirtualExecutorOptions& options);

  Status SetInference(int stream, int device, double share) override;
  Status StartJob(int stream, double share, std::unique_ptr<Job> job) override;
  Status SetJobShare(int stream, double share) override;
  Result<std::vector<JobEvent>> RunUntil(double until) override;
  std::unique_ptr<Job> TakeJob(int stream) override;
  double RemainingKnownWork(int stream) const override;
  std::vector<DeviceUsage> Usage() const override;

 private:
  struct BankedStep {
    JobKind kind;
    double remaining;  // unpaid work of this step
    bool last;
  };
  struct StepJob {
    std::unique_ptr<Job> job;
    double share = 0;
    std::deque<BankedStep> bank;                  // steps run but not yet fully paid, in order
    bool ran_last = false;                        // the last step has been run
    Status failure;                               // set when a step failed (after the banked work)
    bool parked = false;                          // finished or failed: waits for TakeJob
    JobKind current_kind = JobKind::kRetraining;  // kind of the work being paid now
    double paid_work = 0;                         // work paid so far, labelling excluded
  };
  struct Stream {
    bool placed = false;
    int device = 0;
    double inference_share = 0;
    std::unique_ptr<StepJob> job;
  };

  VirtualExecutor(ManualClock& clock, const VirtualExecutorOptions& options)
      : clock_(clock), options_(options) {}
  Stream* Find(int stream);
  const Stream* Find(int stream) const;
  // Work-per-second of every active step job (0 for none), by stream index.
  std::vector<double> Rates(std::vector<double>* effective_shares) const;
  static double Banked(const StepJob& j);

  ManualClock& clock_;
  VirtualExecutorOptions options_;
  std::vector<Stream> streams_;
  std::vector<DeviceUsage> usage_;
};

}  // namespace ekya
