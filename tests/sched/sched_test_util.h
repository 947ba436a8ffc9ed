// Helpers shared by the sched tests: snapshots placed round-robin and
// per-device share sums. Not thread-safe (plain functions over values).
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "ekya/sched/policy.h"

namespace ekya::testing {

// A window-start snapshot: `streams` streams placed round-robin on `devices`.
inline Snapshot MakeSnapshot(int streams, int devices) {
  Snapshot snapshot;
  snapshot.window = 1;
  snapshot.window_seconds = 200;
  snapshot.devices = devices;
  std::vector<int> placement = PlaceRoundRobin(streams, devices);
  for (int s = 0; s < streams; ++s) {
    StreamState state;
    state.stream = s;
    state.device = placement[s];
    snapshot.streams.push_back(state);
  }
  snapshot.configs = DefaultConfigSpace();
  return snapshot;
}

// Sum of inference and retraining shares per device.
inline std::vector<double> DeviceSums(const Snapshot& snapshot, const Allocation& allocation) {
  std::vector<double> sums(snapshot.devices, 0.0);
  for (const StreamAllocation& a : allocation.streams)
    sums.at(a.device) += a.inference_share + a.retrain_share;
  return sums;
}

// The allocation passes ValidateAllocation and no device is over capacity.
inline void ExpectPackable(const Snapshot& snapshot, const Allocation& allocation) {
  Status status = ValidateAllocation(snapshot, allocation);
  EXPECT_TRUE(status.ok()) << status.ToString();
  for (double sum : DeviceSums(snapshot, allocation)) EXPECT_LE(sum, 1.0 + 1e-9);
}

inline bool SameAllocation(const Allocation& a, const Allocation& b) {
  if (a.streams.size() != b.streams.size()) return false;
  for (size_t s = 0; s < a.streams.size(); ++s) {
    const StreamAllocation& x = a.streams[s];
    const StreamAllocation& y = b.streams[s];
    if (x.stream != y.stream || x.device != y.device || x.inference_share != y.inference_share ||
        x.retrain_share != y.retrain_share || x.retrain.has_value() != y.retrain.has_value()) {
      return false;
    }
    if (x.retrain.has_value() && !(*x.retrain == *y.retrain)) return false;
  }
  return true;
}

}  // namespace ekya::testing
