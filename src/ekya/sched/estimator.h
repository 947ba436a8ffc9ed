// The thief's estimator (SPEC §7.3, §7.6): scores an allocation by
// simulating the rest of the window from the snapshot's estimates.
//
// Contract. EstimateAllocation returns the mean over streams of each stream's
// time-averaged estimated inference accuracy over [snapshot.time_s,
// window_seconds]. Per stream, the inference accuracy at time τ is
//   model_accuracy(τ) × inference_profile.At(min(1, inference_share(τ) / r_max)).
// model_accuracy starts at StreamState::accuracy (a NaN accuracy, a stream
// without estimates, counts as 1: only the analysed fraction matters).
// A retraining job is
//   * new (window start): its work is the matching candidate's cost_seconds
//     and its outcome the candidate's accuracy; a config without a matching
//     candidate is scored as a job that never finishes;
//   * running (re-plan, the allocation keeps StreamState::running): its work is
//     running_remaining_seconds and its outcome the running config's
//     candidate's accuracy (the old accuracy when there is no such candidate).
// A job progresses at SpeedAtShare(curve, retrain_share + lent) where, as in
// the executor, the device's idle inference share Σ max(0, inference − r_max)
// is lent to the device's running jobs in proportion to their shares (the
// effective share is capped at 1). When a job finishes, the stream's model
// accuracy becomes the outcome and the freed retraining share is re-split
// fairly: added in equal parts to the inference jobs of every stream on that
// device (which may in turn lend idle share to the device's other jobs). A job
// that does not finish inside the window changes nothing.
// With TrainingAccuracy::kLinear (the released simulator), a job that
// finishes raises the model accuracy linearly in its progress during training
// (from old to new; a running job's progress so far is 1 − remaining / the
// candidate's cost); a job that does not finish still changes nothing, since
// its partial model is discarded.
//
// a_min > 0: the shortfall of a stream is the time average of
// max(0, a_min − inference accuracy(τ)); an allocation under which any stream
// has a positive shortfall is infeasible and scores −1 − (total shortfall),
// below every feasible allocation (whose scores lie in [0, 1]); among
// infeasible ones, less shortfall ranks higher. With no time left (time_s >=
// window_seconds) the instantaneous accuracy is returned.
//
// Algorithm. Devices are independent (no job spans devices, lending and
// re-splits stay on a device), so the window is simulated per device and the
// per-device sums are combined: a search that changes one device re-runs
// DeviceSimulator on that device only. Each device is simulated exactly,
// event by event over completion times (at most one phase per job), with
// shares constant between events; no time stepping.
//
// Thread-safety: EstimateAllocation is a pure function. A DeviceSimulator
// holds scratch space and a call counter: use one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/profile/cost_model.h"
#include "ekya/sched/policy.h"

namespace ekya {

// Inference accuracy while a job trains: the old model's, or rising linearly.
enum class TrainingAccuracy { kOld, kLinear };

// "old" | "linear"; InvalidArgument naming the value otherwise.
Result<TrainingAccuracy> ParseTrainingAccuracy(const std::string& name);

struct EstimatorOptions {
  SpeedCurve curve = SpeedCurve::kLinear;
  TrainingAccuracy training_accuracy = TrainingAccuracy::kOld;
  double a_min = 0;  // 0: no floor
  // Carry-over (thief.carryover × window_seconds; 0, the paper's myopic
  // score, by default): the model a stream has at the window's end keeps
  // serving the next window until that window's retraining swaps it, so the
  // score also counts its accuracy, at the end-of-window share, over this
  // many seconds after the window: each stream's term becomes
  //   (∫ accuracy over the rest of the window + carryover_seconds × final
  //    accuracy) / (time left + carryover_seconds).
  double carryover_seconds = 0;
  double carryover = 0;  // the same as a fraction of the window (policy specs)
};

// Reads the global settings `a_min`, `device.speed_curve`,
// `thief.training_accuracy` and `thief.carryover` (with `window_seconds`);
// InvalidArgument naming the setting otherwise.
Result<EstimatorOptions> EstimatorOptionsFromSettings(const Settings& settings);

struct Estimate {
  double score = 0;      // accuracy when feasible, −1 − shortfall otherwise
  double accuracy = 0;   // mean over streams of the window-averaged accuracy
  double shortfall = 0;  // Σ over streams of the time-averaged shortfall below a_min
  bool feasible = true;
};

// One stream's part of an estimate.
struct StreamOutcome {
  double accuracy = 0;   // its window-averaged estimated inference accuracy
  double shortfall = 0;  // its time-averaged shortfall below a_min
  double done_s = -1;    // when its job finishes (seconds since the window's start), −1: it does not
  double final_model_accuracy = 0;  // its model's full-rate accuracy at the window's end
};

// Scores `allocation` against `snapshot`; with `outcomes` also fills one
// StreamOutcome per stream. InvalidArgument when the snapshot has no devices
// or r_max <= 0, when the allocation has the wrong number of entries, or when
// an entry's device is outside [0, devices). Shares are not checked against
// capacity (ValidateAllocation does that).
Result<Estimate> EstimateAllocation(const Snapshot& snapshot, const Allocation& allocation,
                                    const EstimatorOptions& options,
                                    std::vector<StreamOutcome>* outcomes = nullptr);

// ---------------------------------------------------------------------------
// The per-device engine, shared by the estimator, the thief's search and the
// brute-force optimum.

// One stream of a device as the simulation sees it.
struct SimStream {
  double inference_share = 0;
  double retrain_share = 0;                   // > 0: a job runs (with `work` to do)
  double work = 0;                            // device-seconds at full speed still to do
  double old_accuracy = 0;                    // the deployed model's full-rate accuracy
  double new_accuracy = 0;                    // after the job finishes
  double progress = 0;                        // fraction of the job already done (kLinear only)
  const InferenceProfile* profile = nullptr;  // nullptr or empty: At(f) = f
};

// A device's contribution: sums over its streams of time-averaged values.
struct DeviceScore {
  double accuracy_sum = 0;
  double shortfall = 0;
};

// Strictly better: less shortfall, or the same shortfall (within 1e-12) and
// a higher accuracy sum (by more than 1e-12).
bool IsBetter(const DeviceScore& a, const DeviceScore& b);

// Combines per-device scores into the window's Estimate (streams: the total
// number of streams, the mean's denominator).
Estimate CombineScores(const std::vector<DeviceScore>& devices, int streams);

class DeviceSimulator {
 public:
  // time_left = window_seconds − time_s; r_max > 0.
  DeviceSimulator(double time_left, double r_max, const EstimatorOptions& options);

  // Simulates one device's streams; counts one estimator call. With
  // `outcomes` (count entries) also reports each stream's part, done_s being
  // measured from the simulation's start.
  DeviceScore Run(const SimStream* streams, size_t count, StreamOutcome* outcomes = nullptr);
  DeviceScore Run(const std::vector<SimStream>& streams) { return Run(streams.data(), streams.size()); }

  int64_t calls() const { return calls_; }

 private:
  struct State {
    double inference = 0;
    double share = 0;
    double remaining = 0;
    double work0 = 0;
    double rate = 0;
    double until_done = 0;
    double model = 0;
    double factor = 0;
    double accuracy_integral = 0;
    double linear_bonus = 0;
    double shortfall_old = 0;
    double shortfall_linear = 0;
    double done = -1;
    bool active = false;
  };

  double Factor(const InferenceProfile* profile, double inference) const;

  double time_left_;
  double r_max_;
  EstimatorOptions options_;
  int64_t calls_ = 0;
  std::vector<State> states_;
};

// What the estimator needs of a stream, derived once per snapshot.
struct StreamFacts {
  int device = 0;
  double accuracy = 1;         // the snapshot's accuracy, 1 when unknown (NaN)
  bool has_estimates = false;  // a finite accuracy and at least one candidate
  // Window start only: may get a new job (has estimates, not retrained yet).
  bool can_start = false;
  const InferenceProfile* profile = nullptr;
  const std::vector<ConfigEstimate>* candidates = nullptr;
  // Re-plan only (false at a window start): the running job.
  bool running = false;
  double running_work = 0;
  double running_accuracy = 0;  // its outcome
  double running_progress = 0;  // fraction done so far
};

// Facts of every stream, in stream order. A stream's device is the
// snapshot's placement.
std::vector<StreamFacts> DescribeStreams(const Snapshot& snapshot);

// The streams of each device (index = device), in stream order.
std::vector<std::vector<int>> StreamsByDevice(const std::vector<StreamFacts>& facts, int devices);

// Choices of a stream's retraining in SimStream terms.
inline constexpr int kNoJob = -1;       // no retraining
inline constexpr int kRunningJob = -2;  // the running job (re-plan)

// The simulation's view of a stream at the given shares and choice (kNoJob,
// kRunningJob or an index into facts.candidates). With kNoJob the retraining
// share is added to the inference share, as a policy hands it over.
SimStream MakeSimStream(const StreamFacts& facts, double inference_share, double retrain_share, int choice);

}  // namespace ekya
