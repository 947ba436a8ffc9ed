// The `fair-sco` baseline (SPEC §7.4, from the released simulator): fair
// shares, and the best config per stream at that split.
//
// Algorithm. Shares as in `fair` with inference fraction x: on a device with
// n_d streams, of which k_d may retrain (estimates, not retrained this window,
// x < 1), each inference job gets x/n_d and each retraining job (1−x)/k_d;
// with k_d = 0 each inference job gets 1/n_d. Each stream that may retrain
// then gets the candidate with the best estimated window accuracy of its
// device at that split (sched/search.h PickConfigs without the option none;
// ties keep the earlier candidate), even when none pays off. A stream without
// estimates plans none. Re-plan: running jobs keep their config with
// (1−x)/k_d (k_d running jobs), inference x/n_d, or 1/n_d each on a device
// with no running job. Streams stay on their device.
//
// Parameter (validated like the setting `fair-sco.inference_fraction`):
//   inference_fraction   x in [0, 1]
// The factory also reads `a_min`, `device.speed_curve` and
// `thief.training_accuracy` (the estimator's).
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

struct FairScoOptions {
  double inference_fraction = 0.5;
  EstimatorOptions estimator;
};

class FairScoPolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "fair-sco";

  // InvalidArgument when inference_fraction is not in [0, 1] or a_min not in [0, 1].
  static Result<std::unique_ptr<FairScoPolicy>> Create(const FairScoOptions& options);

  // "fair-sco:inference_fraction=<x>".
  std::string spec() const override;
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;

 private:
  explicit FairScoPolicy(const FairScoOptions& options) : options_(options) {}

  FairScoOptions options_;
};

Result<std::unique_ptr<Policy>> MakeFairScoPolicy(const Settings& settings);

}  // namespace ekya
