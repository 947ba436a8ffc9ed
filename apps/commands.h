// One function per subcommand of `ekya`; each returns the process exit status.
#pragma once

#include <string>
#include <vector>

#include "cli_common.h"

namespace ekya::app {

int RunList(const std::string& what);
int RunPretrain(const CommonArgs& args, bool force);
int RunDrift(const CommonArgs& args);
int RunProfile(const CommonArgs& args);
// policy_flag: --policy (empty: the setting `policy`).
int RunRun(const CommonArgs& args, const std::string& policy_flag);
// policy_flags: every --policy (none: the setting `compare`).
int RunCompare(const CommonArgs& args, const std::vector<std::string>& policy_flags);

struct BenchTrainArgs {
  std::string model = "resnet8";
  int width = 16;
  int input_size = 0;  // 0: the model's usual size
  int batch = 32;
  int threads = 2;
  double seconds = 5.0;
};
int RunBenchTrain(const BenchTrainArgs& args);

}  // namespace ekya::app
