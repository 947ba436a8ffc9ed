// The `thief-fixedconfig` ablation (SPEC §7.4): one fixed retraining config
// for every stream, with the thief's share search.
//
// Algorithm: the thief's search (sched/search.h, variant and Δ from the
// settings `thief.variant` and `thief.delta`) with PickConfigs limited to the
// fixed config or none: a stream retrains with the config only when the
// estimator says it pays off at the stream's shares. A stream whose candidates
// have no estimate for the config cannot be scored and plans none, as does a
// stream without estimates. Re-plans change shares only, as for `thief`.
// Streams stay on their device.
//
// Parameter (validated like the setting `thief-fixedconfig.config`, a full
// config id with epochs):
//   config   the one retraining config
// The factory also reads `thief.delta`, `thief.variant`,
// `thief.training_accuracy`, `a_min` and `device.speed_curve`.
// Decide returns InvalidArgument for a snapshot without devices, with
// r_max <= 0 or with a stream placed outside [0, devices).
//
// Thread-safety: immutable after construction; Decide and Plan are const and
// pure.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/sched/policies/thief.h"

namespace ekya {

struct ThiefFixedConfigOptions {
  RetrainConfig config;
  ThiefOptions thief;
};

class ThiefFixedConfigPolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "thief-fixedconfig";

  // InvalidArgument when delta is not in (0, 1] or a_min not in [0, 1].
  static Result<std::unique_ptr<ThiefFixedConfigPolicy>> Create(const ThiefFixedConfigOptions& options);

  // "thief-fixedconfig:config=<id>".
  std::string spec() const override;
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;
  // The fixed config's base: pruned away, the ablation could never retrain.
  std::set<std::string> ProfiledBases() const override { return {options_.config.BaseId()}; }

 private:
  explicit ThiefFixedConfigPolicy(const ThiefFixedConfigOptions& options) : options_(options) {}

  ThiefFixedConfigOptions options_;
};

Result<std::unique_ptr<Policy>> MakeThiefFixedConfigPolicy(const Settings& settings);

}  // namespace ekya
