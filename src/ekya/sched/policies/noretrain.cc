#include "ekya/sched/policies/noretrain.h"

#include <vector>

namespace ekya {

std::string NoRetrainPolicy::spec() const { return kName; }

Result<Allocation> NoRetrainPolicy::Decide(const Snapshot& snapshot) const {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument("noretrain: snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  std::vector<int> streams_on(snapshot.devices, 0);
  for (size_t s = 0; s < snapshot.streams.size(); ++s) {
    const StreamState& state = snapshot.streams[s];
    if (state.device < 0 || state.device >= snapshot.devices) {
      return Status::InvalidArgument("noretrain: stream " + std::to_string(s) + " is on device " +
                                     std::to_string(state.device) + ", not in [0, " +
                                     std::to_string(snapshot.devices) + ")");
    }
    if (state.running.has_value()) {
      return Status::FailedPrecondition("noretrain: stream " + std::to_string(s) +
                                        " has a running retraining job, which this policy never starts");
    }
    ++streams_on[state.device];
  }
  Allocation allocation;
  allocation.streams.reserve(snapshot.streams.size());
  for (size_t s = 0; s < snapshot.streams.size(); ++s) {
    StreamAllocation a;
    a.stream = static_cast<int>(s);
    a.device = snapshot.streams[s].device;
    a.inference_share = 1.0 / streams_on[a.device];
    allocation.streams.push_back(a);
  }
  return allocation;
}

Result<std::unique_ptr<Policy>> MakeNoRetrainPolicy(const Settings& /*settings*/) {
  return std::unique_ptr<Policy>(std::make_unique<NoRetrainPolicy>());
}

}  // namespace ekya
