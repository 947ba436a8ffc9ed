#include "ekya/sched/policies/fair_naive.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ekya {

Result<std::unique_ptr<FairNaivePolicy>> FairNaivePolicy::Create(const FairNaiveOptions& options) {
  const double x = options.inference_fraction;
  if (!std::isfinite(x) || x < 0 || x > 1) {
    return Status::InvalidArgument(std::string(kName) + ": inference_fraction " + FormatNumber(x) +
                                   " is not a number in [0, 1]");
  }
  EKYA_RETURN_IF_ERROR(CheckEstimatorOptions(options.estimator, kName));
  return std::unique_ptr<FairNaivePolicy>(new FairNaivePolicy(options));
}

std::string FairNaivePolicy::spec() const {
  return std::string(kName) + ":inference_fraction=" + FormatNumber(options_.inference_fraction);
}

Result<PlanResult> FairNaivePolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  const double x = options_.inference_fraction;
  const size_t n = snapshot.streams.size();
  const std::vector<StreamFacts> facts = DescribeStreams(snapshot);

  // Who has a retraining job: running ones on a re-plan, eligible ones at a start.
  std::vector<bool> job(n, false);
  std::vector<int> streams_on(snapshot.devices, 0), jobs_on(snapshot.devices, 0);
  for (size_t s = 0; s < n; ++s) {
    job[s] = snapshot.replan ? facts[s].running : (facts[s].can_start && x < 1.0);
    ++streams_on[facts[s].device];
    if (job[s]) ++jobs_on[facts[s].device];
  }

  PlanResult result;
  result.allocation.streams.resize(n);
  const double time_left = snapshot.time_left();
  for (size_t s = 0; s < n; ++s) {
    StreamAllocation& a = result.allocation.streams[s];
    a.stream = static_cast<int>(s);
    a.device = facts[s].device;
    const double streams = streams_on[a.device];
    const int jobs = jobs_on[a.device];
    if (jobs == 0) {
      a.inference_share = 1.0 / streams;
      continue;
    }
    a.inference_share = x / streams;
    if (!job[s]) continue;
    const double share = (1.0 - x) / jobs;
    if (snapshot.replan) {
      a.retrain = snapshot.streams[s].running;
      a.retrain_share = share > 0 ? share : kMinRunningShare;
      if (!(share > 0)) a.inference_share = std::max(0.0, a.inference_share - kMinRunningShare);
      continue;
    }
    const double speed = SpeedAtShare(options_.estimator.curve, share);
    const ConfigEstimate* best = nullptr;
    for (const ConfigEstimate& c : *facts[s].candidates) {
      if (!(speed > 0) || c.cost_seconds / speed > time_left) continue;
      if (best == nullptr || c.accuracy > best->accuracy) best = &c;
    }
    if (best == nullptr) {
      a.inference_share += share;
    } else {
      a.retrain = best->config;
      a.retrain_share = share;
    }
  }
  EKYA_ASSIGN_OR_RETURN(result.estimate, EstimateAllocation(snapshot, result.allocation, options_.estimator));
  return result;
}

Result<std::unique_ptr<Policy>> MakeFairNaivePolicy(const Settings& settings) {
  FairNaiveOptions options;
  options.inference_fraction = settings.Double("fair-naive.inference_fraction");
  EKYA_ASSIGN_OR_RETURN(options.estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<FairNaivePolicy> policy, FairNaivePolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
