#include "ekya/sched/policies/fair.h"

#include <gtest/gtest.h>

#include "sched/sched_test_util.h"

namespace ekya {
namespace {

using testing::DeviceSums;
using testing::ExpectPackable;
using testing::MakeSnapshot;
using testing::SameAllocation;

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

std::unique_ptr<FairPolicy> MakeFair(double x, const char* config = "all-h1024-f0.5-e15") {
  auto policy = FairPolicy::Create({Config(config), x});
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return std::move(policy).value();
}

TEST(FairTest, CreateRefusesAFractionOutsideZeroOne) {
  for (double x : {-0.1, 1.1}) {
    auto policy = FairPolicy::Create({Config("head-h64-f0.5-e5"), x});
    ASSERT_FALSE(policy.ok()) << x;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  }
}

class FairWindowStartTest : public ::testing::TestWithParam<double> {};

TEST_P(FairWindowStartTest, EveryStreamRetrainsAndSharesSplitByFraction) {
  const double x = GetParam();
  auto policy = MakeFair(x);
  Snapshot snapshot = MakeSnapshot(5, 2);  // 3 streams on device 0, 2 on device 1
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok()) << allocation.status().ToString();
  ASSERT_EQ(allocation->streams.size(), 5u);
  for (int s = 0; s < 5; ++s) {
    const StreamAllocation& a = allocation->streams[s];
    const double n = s % 2 == 0 ? 3 : 2;
    EXPECT_EQ(a.stream, s);
    EXPECT_EQ(a.device, s % 2);
    EXPECT_DOUBLE_EQ(a.inference_share, x / n) << s;
    EXPECT_DOUBLE_EQ(a.retrain_share, (1 - x) / n) << s;
    ASSERT_TRUE(a.retrain.has_value());
    EXPECT_EQ(a.retrain->Id(), "all-h1024-f0.5-e15");
  }
  for (double sum : DeviceSums(snapshot, *allocation)) EXPECT_NEAR(sum, 1.0, 1e-12);
  ExpectPackable(snapshot, *allocation);
}

INSTANTIATE_TEST_SUITE_P(Fractions, FairWindowStartTest, ::testing::Values(0.3, 0.5, 0.9, 0.0));

TEST(FairTest, FractionZeroLeavesInferenceNothing) {
  auto policy = MakeFair(0.0);
  Snapshot snapshot = MakeSnapshot(2, 1);
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (const StreamAllocation& a : allocation->streams) {
    EXPECT_EQ(a.inference_share, 0.0);
    EXPECT_DOUBLE_EQ(a.retrain_share, 0.5);
    EXPECT_TRUE(a.retrain.has_value());
  }
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, FractionOneRetrainsNothing) {
  auto policy = MakeFair(1.0);
  Snapshot snapshot = MakeSnapshot(5, 2);
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (int s = 0; s < 5; ++s) {
    const StreamAllocation& a = allocation->streams[s];
    EXPECT_FALSE(a.retrain.has_value()) << s;
    EXPECT_EQ(a.retrain_share, 0.0);
    EXPECT_DOUBLE_EQ(a.inference_share, s % 2 == 0 ? 1.0 / 3 : 0.5);
  }
  ExpectPackable(snapshot, *allocation);
}

// 5 streams on 2 devices (0: streams 0, 2, 4; 1: streams 1, 3), re-planned
// after stream 0's job finished; the others still run.
Snapshot ReplanAfterFirstFinished(const RetrainConfig& config) {
  Snapshot snapshot = MakeSnapshot(5, 2);
  snapshot.replan = true;
  snapshot.time_s = 60;
  for (StreamState& state : snapshot.streams) {
    state.running = config;
    state.running_remaining_seconds = 30;
  }
  snapshot.streams[0].running.reset();
  snapshot.streams[0].running_remaining_seconds = 0;
  snapshot.streams[0].retrained_this_window = true;
  return snapshot;
}

TEST(FairTest, ReplanSplitsRetrainingAmongTheRunningJobs) {
  const double x = 0.3;
  auto policy = MakeFair(x);
  Snapshot snapshot = ReplanAfterFirstFinished(Config("all-h1024-f0.5-e15"));
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok()) << allocation.status().ToString();
  const auto& a = allocation->streams;
  // Device 0: three inference jobs at x/3, two running jobs at (1-x)/2.
  EXPECT_FALSE(a[0].retrain.has_value());
  EXPECT_EQ(a[0].retrain_share, 0.0);
  EXPECT_DOUBLE_EQ(a[0].inference_share, x / 3);
  for (int s : {2, 4}) {
    ASSERT_TRUE(a[s].retrain.has_value());
    EXPECT_EQ(a[s].retrain->Id(), "all-h1024-f0.5-e15");
    EXPECT_DOUBLE_EQ(a[s].retrain_share, (1 - x) / 2);
    EXPECT_DOUBLE_EQ(a[s].inference_share, x / 3);
  }
  // Device 1 is unchanged: both still run.
  for (int s : {1, 3}) {
    EXPECT_DOUBLE_EQ(a[s].retrain_share, (1 - x) / 2);
    EXPECT_DOUBLE_EQ(a[s].inference_share, x / 2);
  }
  for (double sum : DeviceSums(snapshot, *allocation)) EXPECT_NEAR(sum, 1.0, 1e-12);
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, ReplanKeepsTheRunningJobsConfig) {
  // Even a config other than the policy's own (the job was started earlier).
  auto policy = MakeFair(0.5, "head-h64-f0.5-e5");
  Snapshot snapshot = ReplanAfterFirstFinished(Config("all-h1024-f1.0-e30"));
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (int s = 1; s < 5; ++s) EXPECT_EQ(allocation->streams[s].retrain->Id(), "all-h1024-f1.0-e30");
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, ReplanWithEveryJobFinishedGivesTheDeviceToInference) {
  auto policy = MakeFair(0.3);
  Snapshot snapshot = ReplanAfterFirstFinished(Config("all-h1024-f0.5-e15"));
  for (StreamState& state : snapshot.streams) {
    state.running.reset();
    state.retrained_this_window = true;
  }
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (int s = 0; s < 5; ++s) {
    const StreamAllocation& a = allocation->streams[s];
    EXPECT_FALSE(a.retrain.has_value());
    EXPECT_EQ(a.retrain_share, 0.0);
    EXPECT_DOUBLE_EQ(a.inference_share, s % 2 == 0 ? 1.0 / 3 : 0.5);
  }
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, ReplanWithOneDeviceFinishedGivesOnlyThatDeviceToInference) {
  const double x = 0.5;
  auto policy = MakeFair(x);
  Snapshot snapshot = ReplanAfterFirstFinished(Config("all-h1024-f0.5-e15"));
  for (int s : {1, 3}) {  // device 1 is done, device 0 still runs 2 and 4
    snapshot.streams[s].running.reset();
    snapshot.streams[s].retrained_this_window = true;
  }
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  const auto& a = allocation->streams;
  EXPECT_DOUBLE_EQ(a[1].inference_share, 0.5);
  EXPECT_DOUBLE_EQ(a[3].inference_share, 0.5);
  EXPECT_DOUBLE_EQ(a[2].inference_share, x / 3);
  EXPECT_DOUBLE_EQ(a[4].retrain_share, (1 - x) / 2);
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, ReplanStartsNoJobForAStreamWithoutOne) {
  auto policy = MakeFair(0.5);
  Snapshot snapshot = ReplanAfterFirstFinished(Config("all-h1024-f0.5-e15"));
  snapshot.streams[0].retrained_this_window = false;  // never had a job
  auto allocation = policy->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  EXPECT_FALSE(allocation->streams[0].retrain.has_value());
  EXPECT_DOUBLE_EQ(allocation->streams[0].inference_share, 0.5 / 3);
  ExpectPackable(snapshot, *allocation);
}

TEST(FairTest, ManyShapesAndFractionsArePackable) {
  for (double x : {0.0, 0.1, 0.3, 0.5, 0.9, 1.0}) {
    auto policy = MakeFair(x);
    for (int devices = 1; devices <= 4; ++devices) {
      for (int streams = 0; streams <= 9; ++streams) {
        Snapshot start = MakeSnapshot(streams, devices);
        auto allocation = policy->Decide(start);
        ASSERT_TRUE(allocation.ok());
        ExpectPackable(start, *allocation);
        // Re-plan with every other stream finished, the rest running.
        Snapshot replan = start;
        replan.replan = true;
        for (int s = 0; s < streams && x < 1.0; ++s) {
          if (s % 2 == 0) {
            replan.streams[s].retrained_this_window = true;
          } else {
            replan.streams[s].running = allocation->streams[s].retrain;
          }
        }
        auto replanned = policy->Decide(replan);
        ASSERT_TRUE(replanned.ok());
        ExpectPackable(replan, *replanned);
      }
    }
  }
}

TEST(FairTest, Deterministic) {
  auto policy = MakeFair(0.3);
  Snapshot start = MakeSnapshot(7, 3);
  auto a = policy->Decide(start);
  auto b = policy->Decide(start);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(SameAllocation(*a, *b));

  Snapshot replan = ReplanAfterFirstFinished(Config("all-h1024-f0.5-e15"));
  auto c = policy->Decide(replan);
  auto d = policy->Decide(replan);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_TRUE(SameAllocation(*c, *d));
}

TEST(FairTest, RefusesAStreamOffTheDevices) {
  auto policy = MakeFair(0.5);
  Snapshot snapshot = MakeSnapshot(2, 2);
  snapshot.streams[0].device = -1;
  auto allocation = policy->Decide(snapshot);
  ASSERT_FALSE(allocation.ok());
  EXPECT_EQ(allocation.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(allocation.status().message().find("stream 0"), std::string::npos);
}

}  // namespace
}  // namespace ekya
