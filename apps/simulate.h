// `ekya simulate`: the window loop under the simulated clock (SPEC §2.1),
// replaying the profiles that `ekya profile` recorded, for one or several
// policies, at any number of streams and devices.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli_common.h"

namespace ekya::app {

struct SimulateArgs {
  CommonArgs common;                  // --config, --set, --seed, --out
  std::string profiles;               // --profiles DIR (profiles.csv, inference_profile.csv, ...)
  std::vector<std::string> policies;  // every --policy (none: the setting `compare`)
  std::optional<int> streams;         // --streams N: overrides the setting `streams`
  std::optional<int> devices;         // --devices G: overrides the setting `devices`
};

// Settings: DIR/settings.yaml when present, then --config, every --set,
// --seed, --streams and --devices. Every policy is validated, and the
// profiles are loaded and checked, before anything runs or is written. One
// policy writes its run directory to --out; several write --out/<slug>/ each
// and --out/comparison.csv. Returns the exit status (2 for bad input).
int RunSimulate(const SimulateArgs& args);

}  // namespace ekya::app
