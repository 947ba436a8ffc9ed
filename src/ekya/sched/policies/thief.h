// The `thief` policy (SPEC §7.3): Ekya's scheduler, an estimator and a search.
//
// Algorithm (details in sched/search.h and sched/estimator.h):
//  * Window start: start from the fair split over all jobs (each stream's
//    inference and retraining job get 1/(2·n_d) of its device) with
//    PickConfigs: per stream, the candidate (or none) that maximises the
//    estimated window accuracy of its device at its current shares, none on
//    ties. Then steal shares between the jobs of a device:
//      paper     Algorithm 1: for every ordered pair (thief, victim), move Δ
//                at a time, re-pick configs and re-estimate, keep moving while
//                the score improves, stop at the first move that does not;
//      released  the prototype: every amount from Δ up to the victim's whole
//                share for each pair, three rounds of config choice and
//                search restarting from the fair split (the stream's
//                inference and retraining jobs linked in the estimate, which
//                the prototype forgot).
//    The best allocation seen is returned. A stream whose choice is none hands
//    its retraining share to its inference job.
//  * Re-plan (Snapshot::replan): running jobs keep their config, every other
//    stream gets none; only shares are re-optimised (same search, from the
//    fair split over the remaining jobs).
// Streams stay on the device the snapshot places them on. A stream without
// estimates (StreamState::accuracy NaN or no candidates) plans none; its
// accuracy counts as 1 in the estimate, so its inference share still matters.
// a_min (the global setting) makes allocations under which a stream dips
// below it rank below all others (the estimator's shortfall).
//
// Parameters (validated like the settings `thief.delta`, `thief.variant`,
// `thief.training_accuracy`):
//   delta              Δ, the share moved per step, in (0, 1]
//   training_accuracy  old | linear: inference accuracy while retraining
//   variant            paper | released
// The factory also reads the global settings `a_min` and
// `device.speed_curve`.
//
// Decide returns InvalidArgument for a snapshot without devices, with
// r_max <= 0, or with a stream placed outside [0, devices).
//
// Thread-safety: immutable after construction; Decide and Plan are const and
// pure.
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/sched/search.h"

namespace ekya {

struct ThiefOptions {
  double delta = 0.1;
  ThiefVariant variant = ThiefVariant::kPaper;
  EstimatorOptions estimator;  // a_min, speed curve, training accuracy
};

class ThiefPolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "thief";

  // InvalidArgument when delta is not in (0, 1] or a_min not in [0, 1].
  static Result<std::unique_ptr<ThiefPolicy>> Create(const ThiefOptions& options);

  // "thief:delta=<Δ>,training_accuracy=<old|linear>,variant=<paper|released>".
  std::string spec() const override;
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;

  const ThiefOptions& options() const { return options_; }

 private:
  explicit ThiefPolicy(const ThiefOptions& options) : options_(options) {}

  ThiefOptions options_;
};

// The registry's factory: reads `thief.delta`, `thief.variant`,
// `thief.training_accuracy`, `a_min` and `device.speed_curve`.
Result<std::unique_ptr<Policy>> MakeThiefPolicy(const Settings& settings);

}  // namespace ekya
