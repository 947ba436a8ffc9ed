#include "ekya/sched/policies/fair_sco.h"

#include <cmath>

namespace ekya {

Result<std::unique_ptr<FairScoPolicy>> FairScoPolicy::Create(const FairScoOptions& options) {
  const double x = options.inference_fraction;
  if (!std::isfinite(x) || x < 0 || x > 1) {
    return Status::InvalidArgument(std::string(kName) + ": inference_fraction " + FormatNumber(x) +
                                   " is not a number in [0, 1]");
  }
  EKYA_RETURN_IF_ERROR(CheckEstimatorOptions(options.estimator, kName));
  return std::unique_ptr<FairScoPolicy>(new FairScoPolicy(options));
}

std::string FairScoPolicy::spec() const {
  return std::string(kName) + ":inference_fraction=" + FormatNumber(options_.inference_fraction);
}

Result<PlanResult> FairScoPolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  SearchOptions search;
  search.estimator = options_.estimator;
  search.steal = false;
  search.allow_none = false;
  search.inference_fraction = options_.inference_fraction;
  return PlanAllocation(snapshot, search);
}

Result<std::unique_ptr<Policy>> MakeFairScoPolicy(const Settings& settings) {
  FairScoOptions options;
  options.inference_fraction = settings.Double("fair-sco.inference_fraction");
  EKYA_ASSIGN_OR_RETURN(options.estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<FairScoPolicy> policy, FairScoPolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
