// The `fair-naive` baseline (SPEC §7.4, from the released simulator): fair
// shares, and per stream the most accurate config that finishes in time.
//
// Algorithm. Shares as in `fair` with inference fraction x: on a device with
// n_d streams, of which k_d may retrain (estimates, not retrained this window,
// x < 1), each inference job gets x/n_d and each retraining job (1−x)/k_d;
// with k_d = 0 each inference job gets 1/n_d. Each stream that may retrain
// takes the candidate with the highest predicted accuracy whose cost
// finishes within the rest of the window at its retraining share alone
// (cost_seconds / SpeedAtShare(curve, share) <= window_seconds − time_s; no
// lending, no estimator); ties keep the earlier candidate. A stream for which
// no candidate finishes gets none and hands its retraining share to its
// inference job. A stream without estimates plans none. Re-plan: running jobs
// keep their config with (1−x)/k_d (k_d running jobs), inference x/n_d, or
// 1/n_d each on a device with no running job. Streams stay on their device.
//
// Parameter (validated like the setting `fair-naive.inference_fraction`):
//   inference_fraction   x in [0, 1]
// The factory also reads `device.speed_curve`, and `a_min` and
// `thief.training_accuracy` for the estimate Plan reports (they do not
// change the decision).
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

struct FairNaiveOptions {
  double inference_fraction = 0.5;
  EstimatorOptions estimator;
};

class FairNaivePolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "fair-naive";

  // InvalidArgument when inference_fraction is not in [0, 1] or a_min not in [0, 1].
  static Result<std::unique_ptr<FairNaivePolicy>> Create(const FairNaiveOptions& options);

  // "fair-naive:inference_fraction=<x>".
  std::string spec() const override;
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;

 private:
  explicit FairNaivePolicy(const FairNaiveOptions& options) : options_(options) {}

  FairNaiveOptions options_;
};

Result<std::unique_ptr<Policy>> MakeFairNaivePolicy(const Settings& settings);

}  // namespace ekya
