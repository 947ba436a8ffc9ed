// Shared command-line plumbing of the `ekya` command: the common options
// (--config, --set, --seed, --out), loading the effective settings, and
// turning settings into the option structs of the components. The app parses
// and wires; it holds no logic of its own.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"

namespace ekya::app {

struct CommonArgs {
  std::string config;
  std::vector<std::string> sets;
  std::optional<int64_t> seed;
  std::string out;
};

// Adds --config, --set (repeatable), --seed and, when with_out, --out
// (required unless out_required is false).
void AddCommonOptions(CLI::App* cmd, CommonArgs* args, bool with_out, bool out_required = true);

// Defaults, then the scenario file, then every --set, then --seed.
Result<Settings> LoadSettings(const CommonArgs& args);

// Prints "ekya: error: ..." and returns the exit status (2 for bad input, 1 otherwise).
int ReportError(const Status& status);

}  // namespace ekya::app
