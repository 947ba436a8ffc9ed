#include <cstdio>

#include "commands.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/sched/policy.h"

namespace ekya::app {

int RunList(const std::string& what) {
  if (what == "settings") {
    for (const auto& s : AllSettings()) {
      std::printf("%-32s %-20s %s\n    allowed: %s\n", s.key.c_str(), s.default_value.c_str(),
                  s.description.c_str(), s.AllowedText().c_str());
    }
    return 0;
  }
  if (what == "configs") {
    std::printf("none\n");
    for (const auto& c : DefaultConfigSpace()) std::printf("%s\n", c.Id().c_str());
    return 0;
  }
  if (what == "policies") {
    std::printf("%s", DescribePolicies().c_str());
    return 0;
  }
  return ReportError(Status::InvalidArgument("unknown list '" + what + "'; allowed: settings, configs, policies"));
}

}  // namespace ekya::app
