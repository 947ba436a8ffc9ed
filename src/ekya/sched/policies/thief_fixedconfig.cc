#include "ekya/sched/policies/thief_fixedconfig.h"

#include <cmath>

namespace ekya {

Result<std::unique_ptr<ThiefFixedConfigPolicy>> ThiefFixedConfigPolicy::Create(
    const ThiefFixedConfigOptions& options) {
  const double delta = options.thief.delta;
  if (!std::isfinite(delta) || delta <= 0 || delta > 1) {
    return Status::InvalidArgument(std::string(kName) + ": delta " + FormatNumber(delta) +
                                   " is not a number in (0, 1]");
  }
  EKYA_RETURN_IF_ERROR(CheckEstimatorOptions(options.thief.estimator, kName));
  return std::unique_ptr<ThiefFixedConfigPolicy>(new ThiefFixedConfigPolicy(options));
}

std::string ThiefFixedConfigPolicy::spec() const {
  return std::string(kName) + ":config=" + options_.config.Id();
}

Result<PlanResult> ThiefFixedConfigPolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  SearchOptions search;
  search.variant = options_.thief.variant;
  search.delta = options_.thief.delta;
  search.estimator = options_.thief.estimator;
  search.only_config = options_.config;
  return PlanAllocation(snapshot, search);
}

Result<std::unique_ptr<Policy>> MakeThiefFixedConfigPolicy(const Settings& settings) {
  ThiefFixedConfigOptions options;
  EKYA_ASSIGN_OR_RETURN(options.config, RetrainConfig::Parse(settings.String("thief-fixedconfig.config")));
  options.thief.delta = settings.Double("thief.delta");
  EKYA_ASSIGN_OR_RETURN(options.thief.variant, ParseThiefVariant(settings.String("thief.variant")));
  EKYA_ASSIGN_OR_RETURN(options.thief.estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<ThiefFixedConfigPolicy> policy,
                        ThiefFixedConfigPolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
