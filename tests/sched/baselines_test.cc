// The thief's ablations and the released simulator's stronger baselines:
// thief-fixedres, thief-fixedconfig, fair-sco, fair-naive.
#include <gtest/gtest.h>

#include "ekya/sched/policies/fair_naive.h"
#include "ekya/sched/policies/fair_sco.h"
#include "ekya/sched/policies/thief_fixedconfig.h"
#include "ekya/sched/policies/thief_fixedres.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

using testing::ExpectPackable;

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

Snapshot Synthetic(int streams, int devices, uint64_t seed, bool replan = false) {
  SyntheticOptions options;
  options.streams = streams;
  options.devices = devices;
  options.seed = seed;
  options.replan = replan;
  return *MakeSyntheticSnapshot(options);
}

// One stream on one device with three candidates.
Snapshot OneStream(double time_s = 0) {
  Snapshot snapshot;
  snapshot.window = 1;
  snapshot.window_seconds = 200;
  snapshot.time_s = time_s;
  snapshot.devices = 1;
  StreamState st;
  st.accuracy = 0.6;
  st.candidates = {{Config("all-h1024-f1.0-e30"), 0.95, 150},
                   {Config("all-h1024-f0.5-e15"), 0.90, 80},
                   {Config("head-h64-f0.1-e5"), 0.80, 10}};
  snapshot.streams = {st};
  return snapshot;
}

TEST(ThiefFixedResTest, FairSplitOverAllJobsWithEstimatedConfigs) {
  const Snapshot snapshot = Synthetic(7, 3, 9);
  auto policy = ThiefFixedResPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  auto plan = (*policy)->Plan(snapshot);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ExpectPackable(snapshot, plan->allocation);
  int retraining = 0;
  for (const StreamAllocation& a : plan->allocation.streams) {
    const double n = a.device == 0 ? 3 : 2;  // 7 streams on 3 devices: 3, 2, 2
    if (a.retrain.has_value()) {
      ++retraining;
      EXPECT_NEAR(a.inference_share, 0.5 / n, 1e-12);
      EXPECT_NEAR(a.retrain_share, 0.5 / n, 1e-12);
    } else {
      EXPECT_NEAR(a.inference_share, 1 / n, 1e-12);
    }
  }
  EXPECT_GT(retraining, 0);
  EXPECT_EQ((*policy)->spec(), "thief-fixedres");
}

TEST(ThiefFixedConfigTest, UsesOnlyTheFixedConfig) {
  const Snapshot snapshot = Synthetic(6, 2, 4);
  auto policy = MakePolicy("thief-fixedconfig:config=head-h64-f0.5-e5", Settings());
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ((*policy)->spec(), "thief-fixedconfig:config=head-h64-f0.5-e5");
  auto allocation = (*policy)->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  ExpectPackable(snapshot, *allocation);
  int retraining = 0;
  for (const StreamAllocation& a : allocation->streams) {
    if (!a.retrain.has_value()) continue;
    ++retraining;
    EXPECT_EQ(a.retrain->Id(), "head-h64-f0.5-e5");
  }
  EXPECT_GT(retraining, 0);
  // The micro-profiler's pruning must keep the fixed config's base.
  EXPECT_EQ((*policy)->ProfiledBases(), std::set<std::string>{"head-h64-f0.5"});
  EXPECT_TRUE((*MakePolicy("thief", Settings()))->ProfiledBases().empty());
  EXPECT_FALSE(MakePolicy("thief-fixedconfig:config=head-h64-f0.5", Settings()).ok());
}

TEST(FairScoTest, EveryEligibleStreamRetrainsWithItsBestEstimatedConfig) {
  const Snapshot snapshot = OneStream();
  auto policy = FairScoPolicy::Create({0.5, {}});
  ASSERT_TRUE(policy.ok());
  auto plan = (*policy)->Plan(snapshot);
  ASSERT_TRUE(plan.ok());
  const StreamAllocation& a = plan->allocation.streams[0];
  ASSERT_TRUE(a.retrain.has_value());
  EXPECT_NEAR(a.inference_share, 0.5, 1e-12);
  EXPECT_NEAR(a.retrain_share, 0.5, 1e-12);
  // No other candidate scores better at this split.
  for (const ConfigEstimate& c : snapshot.streams[0].candidates) {
    Allocation other = plan->allocation;
    other.streams[0].retrain = c.config;
    EXPECT_LE(EstimateAllocation(snapshot, other, {})->score, plan->estimate.score + 1e-12) << c.config.Id();
  }
  EXPECT_EQ((*policy)->spec(), "fair-sco:inference_fraction=0.5");
}

TEST(FairScoTest, SharesFollowTheInferenceFraction) {
  const Snapshot snapshot = Synthetic(5, 2, 2);
  auto policy = MakePolicy("fair-sco:inference_fraction=0.3", Settings());
  ASSERT_TRUE(policy.ok());
  auto allocation = (*policy)->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  ExpectPackable(snapshot, *allocation);
  for (const StreamAllocation& a : allocation->streams) {
    const double n = a.device == 0 ? 3 : 2;
    ASSERT_TRUE(a.retrain.has_value());
    EXPECT_NEAR(a.inference_share, 0.3 / n, 1e-12);
    EXPECT_NEAR(a.retrain_share, 0.7 / n, 1e-12);
  }
}

TEST(FairNaiveTest, MostAccurateConfigThatFinishesAtItsShare) {
  auto policy = FairNaivePolicy::Create({0.5, {}});
  ASSERT_TRUE(policy.ok());
  // At share 0.5: 300 s, 160 s and 20 s of 200 s: the 0.90 config.
  auto whole = (*policy)->Decide(OneStream());
  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE(whole->streams[0].retrain.has_value());
  EXPECT_EQ(whole->streams[0].retrain->Id(), "all-h1024-f0.5-e15");
  // 100 s left: only the 0.80 config finishes.
  auto half = (*policy)->Decide(OneStream(100));
  ASSERT_TRUE(half.ok());
  ASSERT_TRUE(half->streams[0].retrain.has_value());
  EXPECT_EQ(half->streams[0].retrain->Id(), "head-h64-f0.1-e5");
  // 15 s left: none finishes; the retraining share goes to inference.
  auto late = (*policy)->Decide(OneStream(185));
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->streams[0].retrain.has_value());
  EXPECT_NEAR(late->streams[0].inference_share, 1.0, 1e-12);
  EXPECT_EQ((*policy)->spec(), "fair-naive:inference_fraction=0.5");
}

TEST(FairNaiveTest, FractionOneRetrainsNothing) {
  auto policy = MakePolicy("fair-naive:inference_fraction=1", Settings());
  ASSERT_TRUE(policy.ok());
  const Snapshot snapshot = Synthetic(4, 2, 8);
  auto allocation = (*policy)->Decide(snapshot);
  ASSERT_TRUE(allocation.ok());
  for (const StreamAllocation& a : allocation->streams) {
    EXPECT_FALSE(a.retrain.has_value());
    EXPECT_NEAR(a.inference_share, 0.5, 1e-12);
  }
}

TEST(BaselinesTest, ReplanKeepsRunningJobsOnly) {
  const Snapshot snapshot = Synthetic(8, 3, 21, /*replan=*/true);
  for (const char* name : {"thief-fixedres", "thief-fixedconfig", "fair-sco", "fair-naive"}) {
    auto policy = MakePolicy(name, Settings());
    ASSERT_TRUE(policy.ok()) << name;
    auto allocation = (*policy)->Decide(snapshot);
    ASSERT_TRUE(allocation.ok()) << name << ": " << allocation.status().ToString();
    ExpectPackable(snapshot, *allocation);
    for (const StreamAllocation& a : allocation->streams) {
      EXPECT_EQ(a.retrain.has_value(), snapshot.streams[a.stream].running.has_value()) << name;
    }
  }
}

}  // namespace
}  // namespace ekya
