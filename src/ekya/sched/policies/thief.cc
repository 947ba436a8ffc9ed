#include "ekya/sched/policies/thief.h"

#include <cmath>

namespace ekya {

Result<std::unique_ptr<ThiefPolicy>> ThiefPolicy::Create(const ThiefOptions& options) {
  if (!std::isfinite(options.delta) || options.delta <= 0 || options.delta > 1) {
    return Status::InvalidArgument("thief: delta " + FormatNumber(options.delta) +
                                   " is not a number in (0, 1]");
  }
  EKYA_RETURN_IF_ERROR(CheckEstimatorOptions(options.estimator, "thief"));
  return std::unique_ptr<ThiefPolicy>(new ThiefPolicy(options));
}

std::string ThiefPolicy::spec() const {
  // carryover appears only when set, so that the paper's thief keeps its name.
  const std::string carryover =
      options_.estimator.carryover > 0 ? "carryover=" + FormatNumber(options_.estimator.carryover) + "," : "";
  return std::string(kName) + ":" + carryover + "delta=" + FormatNumber(options_.delta) +
         ",training_accuracy=" + TrainingAccuracyName(options_.estimator.training_accuracy) +
         ",variant=" + ThiefVariantName(options_.variant);
}

Result<PlanResult> ThiefPolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  SearchOptions search;
  search.variant = options_.variant;
  search.delta = options_.delta;
  search.estimator = options_.estimator;
  return PlanAllocation(snapshot, search);
}

Result<std::unique_ptr<Policy>> MakeThiefPolicy(const Settings& settings) {
  ThiefOptions options;
  options.delta = settings.Double("thief.delta");
  EKYA_ASSIGN_OR_RETURN(options.variant, ParseThiefVariant(settings.String("thief.variant")));
  EKYA_ASSIGN_OR_RETURN(options.estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<ThiefPolicy> policy, ThiefPolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
