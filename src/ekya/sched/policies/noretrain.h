// The `noretrain` policy (SPEC §7.1): inference only, never retraining.
//
// Algorithm: every stream stays on the device the snapshot places it on
// (the controller places streams round-robin with PlaceRoundRobin). On each
// device d with n_d streams, every stream's inference job gets 1/n_d of the
// device; no stream gets a retraining config or share. Window starts and
// re-plans are decided alike.
//
// The policy has no parameters. Decide returns InvalidArgument for a snapshot
// without devices or with a stream placed outside [0, devices), and
// FailedPrecondition for a snapshot with a running retraining job (which this
// policy never starts).
//
// Thread-safety: immutable after construction; Decide is const and pure.
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/sched/policy.h"

namespace ekya {

class NoRetrainPolicy : public Policy {
 public:
  static constexpr const char* kName = "noretrain";

  std::string spec() const override;
  Result<Allocation> Decide(const Snapshot& snapshot) const override;
};

// The registry's factory: noretrain reads no settings.
Result<std::unique_ptr<Policy>> MakeNoRetrainPolicy(const Settings& settings);

}  // namespace ekya
