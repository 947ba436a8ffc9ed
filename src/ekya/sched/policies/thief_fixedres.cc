#include "ekya/sched/policies/thief_fixedres.h"

namespace ekya {

Result<std::unique_ptr<ThiefFixedResPolicy>> ThiefFixedResPolicy::Create(const EstimatorOptions& estimator) {
  EKYA_RETURN_IF_ERROR(CheckEstimatorOptions(estimator, kName));
  return std::unique_ptr<ThiefFixedResPolicy>(new ThiefFixedResPolicy(estimator));
}

Result<PlanResult> ThiefFixedResPolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  SearchOptions search;
  search.estimator = estimator_;
  search.steal = false;
  return PlanAllocation(snapshot, search);
}

Result<std::unique_ptr<Policy>> MakeThiefFixedResPolicy(const Settings& settings) {
  EKYA_ASSIGN_OR_RETURN(EstimatorOptions estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<ThiefFixedResPolicy> policy, ThiefFixedResPolicy::Create(estimator));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
