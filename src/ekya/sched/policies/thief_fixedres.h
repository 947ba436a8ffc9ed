// The `thief-fixedres` ablation (SPEC §7.4): the thief's per-stream config
// choice without its share search.
//
// Algorithm: the fair split over all jobs (each stream's inference and
// retraining job get 1/(2·n_d) of its device; a stream that cannot retrain
// keeps 1/n_d for inference), then the thief's PickConfigs (sched/search.h):
// per stream the candidate, or none, that maximises the estimated window
// accuracy of its device at those shares; none hands the retraining share to
// the stream's inference job. On a re-plan running jobs keep their config,
// every other stream gets none, and each of the n_d + k_d jobs of a device
// gets 1/(n_d + k_d). Streams stay on their device; a stream without
// estimates plans none.
//
// No parameters; the factory reads the global settings `a_min`,
// `device.speed_curve` and `thief.training_accuracy` (the estimator's).
// Decide returns InvalidArgument for a snapshot without devices, with
// r_max <= 0 or with a stream placed outside [0, devices).
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

class ThiefFixedResPolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "thief-fixedres";

  // InvalidArgument when a_min is not in [0, 1].
  static Result<std::unique_ptr<ThiefFixedResPolicy>> Create(const EstimatorOptions& estimator);

  std::string spec() const override { return kName; }
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;

 private:
  explicit ThiefFixedResPolicy(const EstimatorOptions& estimator) : estimator_(estimator) {}

  EstimatorOptions estimator_;
};

Result<std::unique_ptr<Policy>> MakeThiefFixedResPolicy(const Settings& settings);

}  // namespace ekya
