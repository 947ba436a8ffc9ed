#include "ekya/sched/policies/fair.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace ekya {
namespace {

// The same text form the settings store numbers in.
std::string FormatFraction(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

Result<std::unique_ptr<FairPolicy>> FairPolicy::Create(const FairOptions& options) {
  const double x = options.inference_fraction;
  if (!std::isfinite(x) || x < 0.0 || x > 1.0) {
    return Status::InvalidArgument("fair: inference_fraction " + FormatFraction(x) +
                                   " is not a number in [0, 1]");
  }
  return std::unique_ptr<FairPolicy>(new FairPolicy(options));
}

std::string FairPolicy::spec() const {
  return std::string(kName) + ":config=" + options_.config.Id() +
         ",inference_fraction=" + FormatFraction(options_.inference_fraction);
}

Result<Allocation> FairPolicy::Decide(const Snapshot& snapshot) const {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument("fair: snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  const double x = options_.inference_fraction;
  const size_t n = snapshot.streams.size();

  // Which streams retrain, and with which config.
  std::vector<std::optional<RetrainConfig>> retrain(n);
  std::vector<int> streams_on(snapshot.devices, 0);
  std::vector<int> jobs_on(snapshot.devices, 0);
  for (size_t s = 0; s < n; ++s) {
    const StreamState& state = snapshot.streams[s];
    if (state.device < 0 || state.device >= snapshot.devices) {
      return Status::InvalidArgument("fair: stream " + std::to_string(s) + " is on device " +
                                     std::to_string(state.device) + ", not in [0, " +
                                     std::to_string(snapshot.devices) + ")");
    }
    ++streams_on[state.device];
    if (state.retrained_this_window) continue;
    if (snapshot.replan) {
      retrain[s] = state.running;  // a running job keeps its config; none starts
    } else if (x < 1.0) {
      retrain[s] = options_.config;
    }
    if (retrain[s].has_value()) ++jobs_on[state.device];
  }

  Allocation allocation;
  allocation.streams.reserve(n);
  for (size_t s = 0; s < n; ++s) {
    StreamAllocation a;
    a.stream = static_cast<int>(s);
    a.device = snapshot.streams[s].device;
    const int streams = streams_on[a.device];
    const int jobs = jobs_on[a.device];
    if (jobs == 0) {
      a.inference_share = 1.0 / streams;
    } else {
      a.inference_share = x / streams;
      if (retrain[s].has_value()) {
        a.retrain = retrain[s];
        a.retrain_share = (1.0 - x) / jobs;
      }
    }
    allocation.streams.push_back(std::move(a));
  }
  return allocation;
}

Result<std::unique_ptr<Policy>> MakeFairPolicy(const Settings& settings) {
  FairOptions options;
  EKYA_ASSIGN_OR_RETURN(options.config, RetrainConfig::Parse(settings.String("fair.config")));
  options.inference_fraction = settings.Double("fair.inference_fraction");
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<FairPolicy> policy, FairPolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
