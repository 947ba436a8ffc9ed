#include "ekya/sched/policies/noretrain.h"

#include <gtest/gtest.h>

#include "sched/sched_test_util.h"

namespace ekya {
namespace {

using testing::DeviceSums;
using testing::ExpectPackable;
using testing::MakeSnapshot;
using testing::SameAllocation;

TEST(NoRetrainTest, OneDeviceSplitEqually) {
  NoRetrainPolicy policy;
  Snapshot snapshot = MakeSnapshot(4, 1);
  auto allocation = policy.Decide(snapshot);
  ASSERT_TRUE(allocation.ok()) << allocation.status().ToString();
  ASSERT_EQ(allocation->streams.size(), 4u);
  for (int s = 0; s < 4; ++s) {
    const StreamAllocation& a = allocation->streams[s];
    EXPECT_EQ(a.stream, s);
    EXPECT_EQ(a.device, 0);
    EXPECT_DOUBLE_EQ(a.inference_share, 0.25);
    EXPECT_FALSE(a.retrain.has_value());
    EXPECT_EQ(a.retrain_share, 0.0);
  }
  ExpectPackable(snapshot, *allocation);
}

TEST(NoRetrainTest, UnevenStreamCountsAcrossDevices) {
  NoRetrainPolicy policy;
  Snapshot snapshot = MakeSnapshot(5, 2);  // devices 0,1,0,1,0: 3 and 2 streams
  auto allocation = policy.Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (int s = 0; s < 5; ++s) {
    const StreamAllocation& a = allocation->streams[s];
    EXPECT_EQ(a.device, s % 2);
    EXPECT_DOUBLE_EQ(a.inference_share, s % 2 == 0 ? 1.0 / 3 : 0.5) << s;
    EXPECT_FALSE(a.retrain.has_value());
  }
  for (double sum : DeviceSums(snapshot, *allocation)) EXPECT_NEAR(sum, 1.0, 1e-12);
  ExpectPackable(snapshot, *allocation);
}

TEST(NoRetrainTest, KeepsTheSnapshotsPlacementAndLeavesEmptyDevicesIdle) {
  NoRetrainPolicy policy;
  Snapshot snapshot = MakeSnapshot(3, 4);
  snapshot.streams[0].device = 2;
  snapshot.streams[1].device = 2;
  snapshot.streams[2].device = 3;
  auto allocation = policy.Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  EXPECT_EQ(allocation->streams[0].device, 2);
  EXPECT_DOUBLE_EQ(allocation->streams[0].inference_share, 0.5);
  EXPECT_DOUBLE_EQ(allocation->streams[1].inference_share, 0.5);
  EXPECT_DOUBLE_EQ(allocation->streams[2].inference_share, 1.0);
  std::vector<double> sums = DeviceSums(snapshot, *allocation);
  EXPECT_EQ(sums[0], 0.0);
  EXPECT_EQ(sums[1], 0.0);
  ExpectPackable(snapshot, *allocation);
}

TEST(NoRetrainTest, ManyShapesArePackable) {
  NoRetrainPolicy policy;
  for (int devices = 1; devices <= 4; ++devices) {
    for (int streams = 0; streams <= 9; ++streams) {
      Snapshot snapshot = MakeSnapshot(streams, devices);
      auto allocation = policy.Decide(snapshot);
      ASSERT_TRUE(allocation.ok());
      ExpectPackable(snapshot, *allocation);
    }
  }
}

TEST(NoRetrainTest, ReplanGivesTheSameSplit) {
  NoRetrainPolicy policy;
  Snapshot start = MakeSnapshot(5, 2);
  Snapshot replan = start;
  replan.replan = true;
  replan.time_s = 80;
  auto a = policy.Decide(start);
  auto b = policy.Decide(replan);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(SameAllocation(*a, *b));
  ExpectPackable(replan, *b);
}

TEST(NoRetrainTest, Deterministic) {
  NoRetrainPolicy policy;
  Snapshot snapshot = MakeSnapshot(7, 3);
  auto a = policy.Decide(snapshot);
  auto b = policy.Decide(snapshot);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(SameAllocation(*a, *b));
}

TEST(NoRetrainTest, RefusesBadSnapshots) {
  NoRetrainPolicy policy;
  Snapshot off_device = MakeSnapshot(2, 2);
  off_device.streams[1].device = 2;
  auto a = policy.Decide(off_device);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("stream 1"), std::string::npos);

  Snapshot no_devices = MakeSnapshot(0, 1);
  no_devices.devices = 0;
  EXPECT_FALSE(policy.Decide(no_devices).ok());

  Snapshot running = MakeSnapshot(2, 1);
  running.replan = true;
  running.streams[0].running = *RetrainConfig::Parse("head-h64-f0.5-e5");
  auto r = policy.Decide(running);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ekya
