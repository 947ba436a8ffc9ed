#include "ekya/sched/synthetic.h"

#include <gtest/gtest.h>

#include <set>

namespace ekya {
namespace {

TEST(SyntheticTest, SameSeedSameSnapshot) {
  SyntheticOptions options;
  options.replan = true;
  const Snapshot a = *MakeSyntheticSnapshot(options);
  const Snapshot b = *MakeSyntheticSnapshot(options);
  ASSERT_EQ(a.streams.size(), b.streams.size());
  EXPECT_EQ(a.time_s, b.time_s);
  for (size_t s = 0; s < a.streams.size(); ++s) {
    EXPECT_EQ(a.streams[s].accuracy, b.streams[s].accuracy);
    EXPECT_EQ(a.streams[s].running.has_value(), b.streams[s].running.has_value());
    EXPECT_EQ(a.streams[s].running_remaining_seconds, b.streams[s].running_remaining_seconds);
    ASSERT_EQ(a.streams[s].candidates.size(), b.streams[s].candidates.size());
    for (size_t c = 0; c < a.streams[s].candidates.size(); ++c) {
      EXPECT_EQ(a.streams[s].candidates[c].accuracy, b.streams[s].candidates[c].accuracy);
      EXPECT_EQ(a.streams[s].candidates[c].cost_seconds, b.streams[s].candidates[c].cost_seconds);
    }
  }
  options.seed = 2;
  EXPECT_NE(MakeSyntheticSnapshot(options)->streams[0].accuracy, a.streams[0].accuracy);
}

TEST(SyntheticTest, RangesPlacementAndMonotoneEpochs) {
  SyntheticOptions options;
  options.streams = 12;
  options.devices = 5;
  const Snapshot snapshot = *MakeSyntheticSnapshot(options);
  EXPECT_EQ(snapshot.r_max, 0.25);
  EXPECT_EQ(snapshot.configs.size(), 18u);
  for (const StreamState& st : snapshot.streams) {
    EXPECT_EQ(st.device, st.stream % 5);
    EXPECT_GE(st.accuracy, 0.5);
    EXPECT_LT(st.accuracy, 0.8);
    for (const ConfigEstimate& c : st.candidates) {
      EXPECT_GE(c.accuracy, st.accuracy);
      EXPECT_LE(c.accuracy, std::min(0.99, st.accuracy + 0.3));
      EXPECT_LE(c.cost_seconds, 1.5 * 200);
      EXPECT_GE(c.cost_seconds, 1.5 * 200 / 200);
      // More epochs of the same base config: no cheaper, no less accurate.
      for (const ConfigEstimate& d : st.candidates) {
        if (d.config.BaseId() == c.config.BaseId() && d.config.epochs > c.config.epochs) {
          EXPECT_GE(d.accuracy, c.accuracy);
          EXPECT_GE(d.cost_seconds, c.cost_seconds);
        }
      }
    }
  }
}

TEST(SyntheticTest, MoreThanEighteenConfigsVaryEpochs) {
  const std::vector<RetrainConfig> configs = SyntheticConfigSpace(40);
  std::set<std::string> ids;
  for (const RetrainConfig& c : configs) ids.insert(c.Id());
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(configs[0].Id(), DefaultConfigSpace()[0].Id());
  EXPECT_EQ(configs[18].epochs, DefaultConfigSpace()[0].epochs + 30);
}

TEST(SyntheticTest, ReplanHasRunningAndFinishedStreams) {
  SyntheticOptions options;
  options.streams = 30;
  options.replan = true;
  const Snapshot snapshot = *MakeSyntheticSnapshot(options);
  EXPECT_TRUE(snapshot.replan);
  EXPECT_GT(snapshot.time_s, 0);
  int running = 0, finished = 0;
  for (const StreamState& st : snapshot.streams) {
    running += st.running.has_value();
    finished += st.retrained_this_window;
    EXPECT_FALSE(st.running.has_value() && st.retrained_this_window);
  }
  EXPECT_GT(running, 0);
  EXPECT_GT(finished, 0);
}

TEST(SyntheticTest, RefusesEmptyCases) {
  SyntheticOptions options;
  options.devices = 0;
  EXPECT_EQ(MakeSyntheticSnapshot(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ekya
