#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ekya/sched/policy.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

using testing::MakeSnapshot;

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

// 3 streams on 2 devices (0, 1, 0), each a fair half inference, half
// retraining with one config.
struct Fixture {
  Snapshot snapshot = MakeSnapshot(3, 2);
  Allocation allocation;
  Fixture() {
    for (const StreamState& state : snapshot.streams) {
      StreamAllocation a;
      a.stream = state.stream;
      a.device = state.device;
      const double n = state.device == 0 ? 2 : 1;
      a.inference_share = 0.5 / n;
      a.retrain = Config("head-h64-f0.5-e5");
      a.retrain_share = 0.5 / n;
      allocation.streams.push_back(a);
    }
  }
};

void ExpectRefused(const Snapshot& snapshot, const Allocation& allocation,
                   const std::vector<std::string>& fragments) {
  Status status = ValidateAllocation(snapshot, allocation);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  for (const std::string& fragment : fragments) {
    EXPECT_NE(status.message().find(fragment), std::string::npos)
        << "'" << fragment << "' not in: " << status.message();
  }
}

TEST(ValidateAllocationTest, AcceptsAFairAllocation) {
  Fixture f;
  Status status = ValidateAllocation(f.snapshot, f.allocation);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ValidateAllocationTest, AcceptsSumsWithinTolerance) {
  Fixture f;
  f.allocation.streams[1].inference_share += 0.5e-9;
  EXPECT_TRUE(ValidateAllocation(f.snapshot, f.allocation).ok());
}

TEST(ValidateAllocationTest, RefusesOverCapacity) {
  Fixture f;
  f.allocation.streams[2].inference_share = 0.7;  // device 0: 0.5 + 0.7 + 0.25 = 1.45
  ExpectRefused(f.snapshot, f.allocation, {"stream 2", "device 0", "sum to 1.45 > 1"});

  Fixture g;
  g.allocation.streams[1].retrain_share = 0.5 + 1e-6;  // device 1 alone
  ExpectRefused(g.snapshot, g.allocation, {"stream 1", "device 1", "> 1"});
}

TEST(ValidateAllocationTest, RefusesNegativeOrNonFiniteShares) {
  Fixture f;
  f.allocation.streams[1].inference_share = -0.1;
  ExpectRefused(f.snapshot, f.allocation, {"stream 1", "inference share -0.1"});

  Fixture g;
  g.allocation.streams[0].retrain_share = -0.25;
  ExpectRefused(g.snapshot, g.allocation, {"stream 0", "retraining share -0.25"});

  Fixture h;
  h.allocation.streams[2].inference_share = std::numeric_limits<double>::quiet_NaN();
  ExpectRefused(h.snapshot, h.allocation, {"stream 2", "finite"});
}

TEST(ValidateAllocationTest, RefusesARetrainShareWithoutAConfigAndTheReverse) {
  Fixture f;
  f.allocation.streams[1].retrain.reset();
  ExpectRefused(f.snapshot, f.allocation, {"stream 1", "without a retraining config"});

  Fixture g;
  g.allocation.streams[2].retrain_share = 0;
  ExpectRefused(g.snapshot, g.allocation, {"stream 2", "head-h64-f0.5-e5", "share of 0"});
}

TEST(ValidateAllocationTest, RefusesAWrongDeviceIndex) {
  Fixture f;
  f.allocation.streams[1].device = 2;
  ExpectRefused(f.snapshot, f.allocation, {"stream 1", "device 2", "[0, 2)"});

  Fixture g;
  g.allocation.streams[0].device = -1;
  ExpectRefused(g.snapshot, g.allocation, {"stream 0", "device -1"});
}

TEST(ValidateAllocationTest, RefusesAWrongStreamCountOrOrder) {
  Fixture f;
  f.allocation.streams.pop_back();
  ExpectRefused(f.snapshot, f.allocation, {"2 streams", "3"});

  Fixture g;
  std::swap(g.allocation.streams[0], g.allocation.streams[1]);
  ExpectRefused(g.snapshot, g.allocation, {"stream 0", "is for stream 1"});

  Fixture h;
  h.snapshot.devices = 0;
  ExpectRefused(h.snapshot, h.allocation, {"0 devices"});
}

// A re-plan of the fixture after stream 0's job finished; streams 1 and 2 run.
struct Replan : Fixture {
  Replan() {
    snapshot.replan = true;
    snapshot.time_s = 50;
    snapshot.streams[0].retrained_this_window = true;
    snapshot.streams[1].running = Config("head-h64-f0.5-e5");
    snapshot.streams[2].running = Config("head-h64-f0.5-e5");
    allocation.streams[0].retrain.reset();
    allocation.streams[0].retrain_share = 0;
    allocation.streams[2].retrain_share = 0.5;
  }
};

TEST(ValidateAllocationTest, AcceptsAReplanThatChangesSharesOnly) {
  Replan r;
  Status status = ValidateAllocation(r.snapshot, r.allocation);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ValidateAllocationTest, RefusesAChangedConfigOnReplan) {
  Replan r;
  r.allocation.streams[2].retrain = Config("all-h1024-f0.5-e15");
  ExpectRefused(r.snapshot, r.allocation, {"stream 2", "head-h64-f0.5-e5", "all-h1024-f0.5-e15"});

  Replan dropped;
  dropped.allocation.streams[1].retrain.reset();
  dropped.allocation.streams[1].retrain_share = 0;
  ExpectRefused(dropped.snapshot, dropped.allocation, {"stream 1", "keep the running job", "none"});
}

TEST(ValidateAllocationTest, RefusesMovingARunningJobOnReplan) {
  Replan r;
  r.allocation.streams[2].device = 1;
  r.allocation.streams[2].retrain_share = 0.25;
  r.allocation.streams[2].inference_share = 0.25;
  r.allocation.streams[1].retrain_share = 0.25;
  r.allocation.streams[1].inference_share = 0.25;
  ExpectRefused(r.snapshot, r.allocation, {"stream 2", "device 0", "device 1"});
}

TEST(ValidateAllocationTest, RefusesANewJobForARetrainedStream) {
  Replan r;
  r.allocation.streams[0].retrain = Config("head-h64-f0.5-e5");
  r.allocation.streams[0].retrain_share = 0.1;
  r.allocation.streams[2].retrain_share = 0.4;
  ExpectRefused(r.snapshot, r.allocation, {"stream 0", "already ended"});
}

TEST(ValidateAllocationTest, RefusesANewJobOnReplan) {
  Replan r;
  r.snapshot.streams[0].retrained_this_window = false;  // it never retrained
  r.allocation.streams[0].retrain = Config("head-h64-f0.5-e5");
  r.allocation.streams[0].retrain_share = 0.1;
  r.allocation.streams[2].retrain_share = 0.4;
  ExpectRefused(r.snapshot, r.allocation, {"stream 0", "cannot start a new job"});
}

}  // namespace
}  // namespace ekya
