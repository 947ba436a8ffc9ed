// What a policy knows about a stream before it decides (SPEC §5, §6, §7):
// estimates made by the micro-profiler and the inference profiler from data
// the system already has. Never true profiles (those reach `oracle` only,
// through its own source).
//
// Plain values; thread-safe to read.
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ekya/profile/retrain_config.h"

namespace ekya {

// A retraining config's predicted outcome on the stream's current window.
struct ConfigEstimate {
  RetrainConfig config;     // a full config (with epochs)
  double accuracy = 0;      // predicted full-rate accuracy of the retrained model
  double cost_seconds = 0;  // predicted work in device-seconds at full speed (start-up included)
};

// A stream's inference accuracy against the fraction of frames analysed,
// relative to full rate: At(1) = 1, and At(f) for f in [0, 1] interpolates
// linearly between the points (f, factor), sorted by f. An empty profile is
// the identity (At(f) = f): a skipped frame is simply wrong.
struct InferenceProfile {
  std::vector<std::pair<double, double>> points;
  double At(double fraction) const;
};

// Everything the profilers tell a policy about one stream at a window's start.
struct StreamEstimates {
  // The deployed model's estimated full-rate accuracy (on the held-out
  // labelled sample of the newest window); NaN when unknown.
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  InferenceProfile inference_profile;
  // Configs predicted to beat the deployed model (what the policy sees).
  std::vector<ConfigEstimate> candidates;
  // Every config estimated this window, for profiles.csv.
  std::vector<ConfigEstimate> all;
};

}  // namespace ekya
