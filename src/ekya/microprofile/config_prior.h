// A prior over the retraining configs, learnt offline from an exhaustive
// profile of other streams (profiler.prior), and its use by the
// micro-profiler.
//
// Within one stream, window and epoch count, which config retrains best is
// much the same from one window to the next: more of the data and all layers
// usually win. A micro-profile of a few epochs on 64 samples cannot see that
// reliably (docs/results.md: its top-ranked config was truly best in about a
// quarter of the groups). An exhaustive profile (`ekya profile`) of streams
// of another seed can: for each config c and epoch count E, its advantage is
// the mean, over that profile's (stream, window, E) groups, of c's measured
// accuracy minus the group's mean. This is the same offline knowledge the
// pinned uniform baselines are chosen from (docs/decisions/0004), never the
// streams being run.
//
// The micro-profiler keeps the level of its estimates and moves their spread
// towards the prior: within each epoch count, over the configs the prior
// knows,
//   a'_c = m + (1 − w)·(a_c − m) + w·(p_c − p̄),
// m the mean estimate, p̄ the mean advantage of those configs, w the weight
// (profiler.prior_weight). The group's mean is unchanged; w = 0 leaves the
// estimates alone, w = 1 ranks them by the prior alone. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/profile_table.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/sched/estimates.h"

namespace ekya {

struct ConfigPrior {
  // (base id "all-h1024-f0.1", epochs) -> advantage over its group's mean.
  std::map<std::pair<std::string, int>, double> advantage;
  int groups = 0;  // (stream, window, epochs) groups it was learnt from

  bool empty() const { return advantage.empty(); }
  std::optional<double> Of(const RetrainConfig& config) const;
};

// The prior of the measured accuracies in `rows` (config rows with a
// measured_accuracy; "none" rows and groups of one config are skipped).
ConfigPrior LearnConfigPrior(const std::vector<ProfileRow>& rows);

// The prior learnt from DIR/profiles.csv written by `ekya profile`.
// NotFound or Corrupt from reading it; InvalidArgument when it has no
// group of two or more measured configs.
Result<ConfigPrior> LoadConfigPrior(const std::string& dir);

// Moves estimates.all towards the prior (above; clamped to [0, 1]) and
// re-selects the candidates against the deployed accuracy. Nothing moves
// for an empty prior or weight 0. InvalidArgument for a weight outside
// [0, 1].
Status ApplyConfigPrior(StreamEstimates& estimates, const ConfigPrior& prior, double weight);

}  // namespace ekya
