// The thief's search (SPEC §7.3, Algorithm 1 of the paper) and the config
// choice it shares with the ablations and the stronger baselines
// (thief-fixedres, thief-fixedconfig, fair-sco).
//
// Contract. PlanAllocation(snapshot, options) returns an allocation that
// passes ValidateAllocation, keeps every stream on snapshot.streams[s].device
// (streams are never moved across devices), and its estimate
// (EstimateAllocation with options.estimator), plus the number of device
// simulations the search ran (`estimator_calls`).
//
// Terms. On each device every stream has an inference job and, when it may
// retrain, a retraining job; the search moves shares between these jobs
// ("slots"). A stream may retrain at a window start when it has estimates
// (a finite StreamState::accuracy and candidates), has not retrained this
// window, and (with only_config) has a candidate for that config; a stream
// without estimates plans none. On a re-plan (Snapshot::replan) only running
// jobs have retraining slots: they keep their config (with a share of at
// least kMinRunningShare), every other stream gets none, and only shares
// change.
//
// PickConfigs(stream): with the stream's shares fixed, try none and each
// allowed candidate, score the stream's device with the estimator (the other
// streams of the device at their current choices, so lending and re-splits
// are seen) and keep the best; ties keep the earlier option, none first. None
// means the stream's retraining share is handed to its inference job (it stays
// in the retraining slot, where it may still be stolen). PickAll runs
// PickConfigs over the device's streams in stream order, repeating the pass
// (at most 3 times) until no choice changes. a_min is respected through the
// estimator's ranking (infeasible below feasible).
//
// Start: the fair split over all jobs (each of the n_d streams' two jobs gets
// 1/(2·n_d); a stream that cannot retrain keeps 1/n_d for inference; on a
// re-plan each of the n_d + k_d jobs gets 1/(n_d + k_d)), or, with
// inference_fraction = x, `fair`'s split (inference x/n_d each, retraining
// (1−x)/k_d for each of the k_d streams that may retrain, 1/n_d each when none
// may), then PickAll.
//
// Search (steal = true), per device — the objective separates over devices
// (DeviceScore, compared by IsBetter), so a device's search re-estimates only
// that device:
//  * kPaper (Algorithm 1): for every ordered pair (thief, victim) of slots,
//    from the best allocation so far, repeatedly move Δ = delta (or what the
//    victim has left) from victim to thief, re-run PickConfigs for the two
//    streams involved and the estimator; keep each move while it beats the
//    best so far, stop at the first that does not.
//  * kReleased (the prototype, with the inference and retraining jobs of a
//    stream linked): three rounds; each round restarts the shares from the
//    fair split with the previous round's choices, runs PickAll (the
//    per-stream config choice), then for every ordered pair tries every amount
//    Δ, 2Δ, ... up to the victim's whole share (configs re-picked for the two
//    streams at each amount) and applies the best amount if it improves. The
//    best allocation of all rounds is kept. A round that would start where an
//    earlier one started is skipped (it would repeat it exactly). A re-plan
//    runs one round.
// With steal = false the start is the answer (thief-fixedres, fair-sco).
//
// Decide on every policy built on this returns InvalidArgument for a snapshot
// without devices, with r_max <= 0 or with a stream placed outside
// [0, devices).
//
// Thread-safety: PlanAllocation is a pure function (all state is local).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ekya/common/status.h"
#include "ekya/sched/estimator.h"
#include "ekya/sched/policy.h"

namespace ekya {

enum class ThiefVariant { kPaper, kReleased };

// "paper" | "released"; InvalidArgument naming the value otherwise.
Result<ThiefVariant> ParseThiefVariant(const std::string& name);
const char* ThiefVariantName(ThiefVariant variant);
const char* TrainingAccuracyName(TrainingAccuracy training);

// The smallest share a running job keeps on a re-plan (a share of 0 would
// stop it, which a re-plan may not do).
inline constexpr double kMinRunningShare = 0.01;

struct SearchOptions {
  ThiefVariant variant = ThiefVariant::kPaper;
  double delta = 0.1;  // in (0, 1]
  EstimatorOptions estimator;
  bool steal = true;                         // false: the start (fair split + PickAll) is the answer
  bool allow_none = true;                    // false: a stream that may retrain always gets a candidate
  std::optional<RetrainConfig> only_config;  // PickConfigs limited to this config (or none)
  std::optional<double> inference_fraction;  // start from `fair`'s split with this x
};

struct PlanResult {
  Allocation allocation;
  Estimate estimate;
  int64_t estimator_calls = 0;  // device simulations run by the search
};

// Plans as described above. InvalidArgument for a bad snapshot (see above) or
// options (delta outside (0, 1], inference_fraction outside [0, 1]).
Result<PlanResult> PlanAllocation(const Snapshot& snapshot, const SearchOptions& options);

// A policy that plans with the estimator and can report how (the scheduler
// benchmark reads estimator_calls through this).
class PlanningPolicy : public Policy {
 public:
  virtual Result<PlanResult> Plan(const Snapshot& snapshot) const = 0;
  Result<Allocation> Decide(const Snapshot& snapshot) const final;
  // Every planning policy needs the profilers' estimates.
  bool NeedsEstimates() const override { return true; }
};

// InvalidArgument naming `who` for a snapshot without devices, with r_max <= 0
// or with a stream placed outside [0, devices).
Status CheckSnapshot(const Snapshot& snapshot, const std::string& who);

// InvalidArgument naming `who` when a_min is not in [0, 1].
Status CheckEstimatorOptions(const EstimatorOptions& options, const std::string& who);

// "%.10g", the text form the settings store numbers in.
std::string FormatNumber(double value);

}  // namespace ekya
