// The `fair` policy (SPEC §7.2, the paper's "Uniform (config, x%)"): every
// stream retrains with one fixed config, and a fixed fraction x of each
// device goes to inference, the rest to retraining, each split equally.
//
// Algorithm. Streams stay on the device the snapshot places them on (the
// controller places them round-robin with PlaceRoundRobin). Let n_d be the
// number of streams on device d and x = inference_fraction.
//  * Window start (Snapshot::replan false): every stream retrains with the
//    fixed config; each gets an inference share x/n_d and a retraining share
//    (1-x)/n_d. With x = 1 nothing retrains (no config, share 0) and each
//    inference job gets 1/n_d; with x = 0 inference shares are 0.
//  * Re-plan (a job finished): a stream with a running job keeps it (same
//    config); a stream whose job ended this window, or that has no running
//    job, gets none. On a device with k_d > 0 running jobs each of them gets
//    (1-x)/k_d and each inference job x/n_d; on a device with no running job
//    left, each inference job gets the whole device split equally, 1/n_d.
// A stream flagged retrained_this_window never gets a job, even at a window
// start.
//
// Parameters (validated like the settings `fair.config`, a full config id
// with epochs, and `fair.inference_fraction`, a number in [0, 1]):
//   config              the retraining config of every stream
//   inference_fraction  x, the fraction of each device given to inference
//
// Decide returns InvalidArgument for a snapshot without devices or with a
// stream placed outside [0, devices).
//
// Thread-safety: immutable after construction; Decide is const and pure.
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/sched/policy.h"

namespace ekya {

struct FairOptions {
  RetrainConfig config;
  double inference_fraction = 0.5;
};

class FairPolicy : public Policy {
 public:
  static constexpr const char* kName = "fair";

  // InvalidArgument when inference_fraction is not in [0, 1].
  static Result<std::unique_ptr<FairPolicy>> Create(const FairOptions& options);

  // "fair:config=<id>,inference_fraction=<x>".
  std::string spec() const override;
  Result<Allocation> Decide(const Snapshot& snapshot) const override;

  const FairOptions& options() const { return options_; }

 private:
  explicit FairPolicy(const FairOptions& options) : options_(options) {}

  FairOptions options_;
};

// The registry's factory: reads `fair.config` (a full config id; the
// RetrainConfig::Parse message otherwise) and `fair.inference_fraction`.
Result<std::unique_ptr<Policy>> MakeFairPolicy(const Settings& settings);

}  // namespace ekya
