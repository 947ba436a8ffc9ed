// Properties every registered policy must have on synthetic snapshots: the
// allocation is valid and packable, streams stay with their jobs on one
// device, and the same snapshot gives the same allocation.
#include <gtest/gtest.h>

#include <algorithm>

#include "ekya/sched/policy.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

using testing::DeviceSums;
using testing::ExpectPackable;
using testing::SameAllocation;

// Policies that need external files to be built.
bool NeedsFiles(const std::string& name) { return name == "replay" || name == "oracle"; }

std::vector<Snapshot> Snapshots() {
  std::vector<Snapshot> snapshots;
  uint64_t seed = 100;
  for (bool replan : {false, true}) {
    for (int devices : {1, 2, 3, 4}) {
      for (int streams : {1, 2, 5, 10}) {
        SyntheticOptions options;
        options.streams = streams;
        options.devices = devices;
        options.configs = 18;
        options.replan = replan;
        options.seed = ++seed;
        snapshots.push_back(*MakeSyntheticSnapshot(options));
      }
    }
  }
  return snapshots;
}

TEST(PolicyPropertiesTest, EveryPolicyGivesValidDeterministicAllocations) {
  const std::vector<Snapshot> snapshots = Snapshots();
  for (const std::string& name : KnownPolicies()) {
    if (NeedsFiles(name)) {
      // Without its file setting (`oracle.profiles`, `replay.run`) it cannot be made.
      auto refused = MakePolicy(name, Settings());
      ASSERT_FALSE(refused.ok()) << name;
      EXPECT_NE(refused.status().message().find(name + "."), std::string::npos) << refused.status().message();
      continue;
    }
    auto policy = MakePolicy(name, Settings());
    ASSERT_TRUE(policy.ok()) << name << ": " << policy.status().ToString();
    for (const Snapshot& snapshot : snapshots) {
      SCOPED_TRACE(name + (snapshot.replan ? " replan" : " start") + " streams " +
                   std::to_string(snapshot.streams.size()) + " devices " + std::to_string(snapshot.devices));
      auto first = (*policy)->Decide(snapshot);
      if (!first.ok() && name == "noretrain" && snapshot.replan) {
        // noretrain never starts a job, so it is never asked with one running.
        EXPECT_EQ(first.status().code(), StatusCode::kFailedPrecondition);
        continue;
      }
      ASSERT_TRUE(first.ok()) << first.status().ToString();
      ExpectPackable(snapshot, *first);
      for (const StreamAllocation& a : first->streams) {
        EXPECT_GE(a.inference_share, 0);
        EXPECT_GE(a.retrain_share, 0);
        EXPECT_EQ(a.device, snapshot.streams[a.stream].device);
      }
      for (double sum : DeviceSums(snapshot, *first)) EXPECT_LE(sum, 1 + 1e-9);
      auto second = (*policy)->Decide(snapshot);
      ASSERT_TRUE(second.ok());
      EXPECT_TRUE(SameAllocation(*first, *second));
    }
  }
}

TEST(PolicyPropertiesTest, EstimatingPoliciesAreRegistered) {
  const std::vector<std::string> known = KnownPolicies();
  for (const char* name : {"thief", "thief-fixedres", "thief-fixedconfig", "fair-sco", "fair-naive"}) {
    EXPECT_NE(std::find(known.begin(), known.end(), name), known.end()) << name;
    auto policy = MakePolicy(name, Settings());
    ASSERT_TRUE(policy.ok()) << name;
    EXPECT_TRUE((*policy)->NeedsEstimates()) << name;
  }
}

}  // namespace
}  // namespace ekya
