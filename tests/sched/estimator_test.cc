#include "ekya/sched/estimator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ekya/sched/policies/thief.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

// One stream of a hand-made case: its accuracy, one candidate and its shares.
struct Case {
  double accuracy = 0.6;
  double new_accuracy = 0.9;
  double cost = 50;
  double inference = 0.25;
  double retrain = 0;  // 0: no job
  int device = 0;
};

struct Built {
  Snapshot snapshot;
  Allocation allocation;
};

// A window-start snapshot (P = 200, r_max = 0.25, identity profile) and the
// allocation of the cases.
Built Build(const std::vector<Case>& cases, int devices = 1) {
  Built b;
  b.snapshot.window = 1;
  b.snapshot.window_seconds = 200;
  b.snapshot.devices = devices;
  b.snapshot.r_max = 0.25;
  for (size_t s = 0; s < cases.size(); ++s) {
    const Case& c = cases[s];
    StreamState st;
    st.stream = static_cast<int>(s);
    st.device = c.device;
    st.accuracy = c.accuracy;
    st.candidates.push_back({Config("head-h64-f0.1-e5"), c.new_accuracy, c.cost});
    b.snapshot.streams.push_back(st);
    StreamAllocation a;
    a.stream = static_cast<int>(s);
    a.device = c.device;
    a.inference_share = c.inference;
    if (c.retrain > 0) {
      a.retrain = Config("head-h64-f0.1-e5");
      a.retrain_share = c.retrain;
    }
    b.allocation.streams.push_back(a);
  }
  return b;
}

Estimate Score(const Built& b, const EstimatorOptions& options = {}) {
  auto estimate = EstimateAllocation(b.snapshot, b.allocation, options);
  EXPECT_TRUE(estimate.ok()) << estimate.status().ToString();
  return estimate.ok() ? *estimate : Estimate{};
}

TEST(EstimatorTest, JobOfCost50AtHalfShareWithLentIdleInference) {
  // Inference 0.5 with r_max 0.25 lends 0.25 to the job: it runs at 0.75 and
  // finishes at 50 / 0.75 s; then the stream's model is at 0.9.
  const Built b = Build({{0.6, 0.9, 50, 0.5, 0.5}});
  const double done = 50 / 0.75;
  const double expected = (0.6 * done + 0.9 * (200 - done)) / 200;  // = 0.8
  const Estimate e = Score(b);
  EXPECT_NEAR(e.accuracy, expected, 1e-12);
  EXPECT_NEAR(e.accuracy, 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(e.score, e.accuracy);
  EXPECT_TRUE(e.feasible);
}

TEST(EstimatorTest, CarryOverCountsTheFinalModelIntoTheNextWindow) {
  // As above, plus 100 s of the next window at the final model (0.9) and
  // the end-of-window share (all of it is inference again: factor 1).
  const Built b = Build({{0.6, 0.9, 50, 0.5, 0.5}});
  EstimatorOptions options;
  options.carryover_seconds = 100;
  const double done = 50 / 0.75;
  EXPECT_NEAR(Score(b, options).accuracy, (0.6 * done + 0.9 * (200 - done) + 0.9 * 100) / 300, 1e-12);
  // A stream that does not retrain scores its accuracy either way.
  const Built idle = Build({{0.6, 0.9, 50, 0.25, 0}});
  EXPECT_NEAR(Score(idle, options).accuracy, 0.6, 1e-12);
  // A job that ends late (share 0.25, nothing lent: 180 s) while inference
  // analyses half the frames: with the carry-over its gain counts for the
  // next window's first 200 s, at the end-of-window share (0.375: all frames).
  const Built late = Build({{0.6, 0.65, 45, 0.125, 0.25}});
  EXPECT_NEAR(Score(late).accuracy, (0.6 * 0.5 * 180 + 0.65 * 20) / 200, 1e-12);
  options.carryover_seconds = 200;
  EXPECT_NEAR(Score(late, options).accuracy, (0.6 * 0.5 * 180 + 0.65 * 20 + 0.65 * 200) / 400, 1e-12);
}

TEST(EstimatorTest, CarryOverIsASettingInTheUnitInterval) {
  Settings settings;
  ASSERT_TRUE(settings.Set("thief.carryover", "0.25").ok());
  Result<EstimatorOptions> options = EstimatorOptionsFromSettings(settings);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_DOUBLE_EQ(options->carryover, 0.25);
  EXPECT_DOUBLE_EQ(options->carryover_seconds, 0.25 * settings.Double("window_seconds"));
  EXPECT_DOUBLE_EQ(EstimatorOptionsFromSettings(Settings())->carryover_seconds, 0.0) << "the paper's score";
  EXPECT_FALSE(settings.Set("thief.carryover", "1.5").ok());
}

TEST(EstimatorTest, ReportsPerStreamOutcomes) {
  Built b = Build({{0.6, 0.9, 50, 0.5, 0.5, 0}, {0.7, 0.8, 1000, 0.25, 0.5, 1}}, 2);
  b.snapshot.time_s = 20;  // 180 s left
  std::vector<StreamOutcome> outcomes;
  const Estimate e = *EstimateAllocation(b.snapshot, b.allocation, {}, &outcomes);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_NEAR(outcomes[0].done_s, 20 + 50 / 0.75, 1e-9);
  EXPECT_DOUBLE_EQ(outcomes[0].final_model_accuracy, 0.9);
  EXPECT_NEAR(outcomes[0].accuracy, (0.6 * 50 / 0.75 + 0.9 * (180 - 50 / 0.75)) / 180, 1e-12);
  EXPECT_EQ(outcomes[1].done_s, -1);
  EXPECT_DOUBLE_EQ(outcomes[1].final_model_accuracy, 0.7);
  EXPECT_NEAR(e.accuracy, (outcomes[0].accuracy + outcomes[1].accuracy) / 2, 1e-15);
}

TEST(EstimatorTest, NoLendingWhenInferenceIsAtMostRMax) {
  // Inference 0.25 = r_max: nothing idle; the job runs at 0.5, done at 100 s.
  EXPECT_NEAR(Score(Build({{0.6, 0.9, 50, 0.25, 0.5}})).accuracy, (0.6 * 100 + 0.9 * 100) / 200, 1e-12);
  // Inference 0.125 analyses half the frames (identity profile) until the
  // freed 0.5 brings it to 0.625 (all frames).
  EXPECT_NEAR(Score(Build({{0.6, 0.9, 50, 0.125, 0.5}})).accuracy, (0.3 * 100 + 0.9 * 100) / 200, 1e-12);
}

TEST(EstimatorTest, IdleShareIsLentToJobsInProportionToTheirShares) {
  // A lends 0.3 (0.55 - 0.25); B (job 0.1) and C (job 0.1) get 0.15 each and
  // run at 0.25. B (cost 20) finishes at 80 s and its 0.1 is split over the
  // three inference jobs; C's job then gets all the idle share: what A has
  // above r_max (0.3 + 0.1/3) and what B has (0.1/3).
  const Built b = Build({{0.7, 0.7, 1, 0.55, 0}, {0.5, 0.8, 20, 0.25, 0.1}, {0.6, 0.9, 40, 0.0, 0.1}});
  const double b_done = 20 / 0.25;
  const double c_left = 40 - 0.25 * b_done;
  const double c_share = 0.1 + (0.55 + 0.1 / 3 - 0.25) + (0.25 + 0.1 / 3 - 0.25);
  const double c_done = b_done + c_left / c_share;
  const double a_avg = 0.7;
  const double b_avg = (0.5 * b_done + 0.8 * (200 - b_done)) / 200;
  const double c_avg =
      (0.0 * b_done + 0.6 * (0.1 / 3 / 0.25) * (c_done - b_done) + 0.9 * (0.2 / 3 / 0.25) * (200 - c_done)) /
      200;
  EXPECT_NEAR(Score(b).accuracy, (a_avg + b_avg + c_avg) / 3, 1e-12);
}

TEST(EstimatorTest, FreedShareIsSplitEquallyOverTheDevicesInferenceJobs) {
  // A's job (0.5, cost 25) ends at 50 s; A and B each get 0.25 more: B goes
  // from 0.125 (half its frames) to 0.375 (all of them).
  const Built b = Build({{0.6, 0.9, 25, 0.25, 0.5}, {0.8, 0.8, 1, 0.125, 0}});
  const double a_avg = (0.6 * 50 + 0.9 * 150) / 200;
  const double b_avg = (0.4 * 50 + 0.8 * 150) / 200;
  EXPECT_NEAR(Score(b).accuracy, (a_avg + b_avg) / 2, 1e-12);
}

TEST(EstimatorTest, AJobThatDoesNotFinishChangesNothing) {
  const Built slow = Build({{0.6, 0.9, 1000, 0.25, 0.5}});
  EXPECT_NEAR(Score(slow).accuracy, 0.6, 1e-12);
  EstimatorOptions linear;
  linear.training_accuracy = TrainingAccuracy::kLinear;
  EXPECT_NEAR(Score(slow, linear).accuracy, 0.6, 1e-12);
  // Finishing exactly at the window's end changes nothing either.
  EXPECT_NEAR(Score(Build({{0.6, 0.9, 100, 0.25, 0.5}})).accuracy, 0.6, 1e-12);
}

TEST(EstimatorTest, ConfigWithoutACandidateNeverFinishes) {
  Built b = Build({{0.6, 0.9, 10, 0.25, 0.5}});
  b.allocation.streams[0].retrain = Config("all-h1024-f1.0-e30");
  EXPECT_NEAR(Score(b).accuracy, 0.6, 1e-12);
}

TEST(EstimatorTest, LinearTrainingAccuracyRisesDuringTraining) {
  EstimatorOptions linear;
  linear.training_accuracy = TrainingAccuracy::kLinear;
  // Done at 100 s: the mean of 0.6 and 0.9 for 100 s, then 0.9.
  EXPECT_NEAR(Score(Build({{0.6, 0.9, 50, 0.25, 0.5}}), linear).accuracy, (0.75 * 100 + 0.9 * 100) / 200,
              1e-12);
}

TEST(EstimatorTest, LinearAccuracyOfARunningJobStartsFromItsProgress) {
  Built b = Build({{0.6, 0.9, 100, 0.25, 0.5}});
  b.snapshot.replan = true;
  b.snapshot.time_s = 100;
  b.snapshot.streams[0].running = Config("head-h64-f0.1-e5");
  b.snapshot.streams[0].running_remaining_seconds = 25;  // 75% of 100 done
  EstimatorOptions linear;
  linear.training_accuracy = TrainingAccuracy::kLinear;
  // 75% done: accuracy 0.825 rising to 0.9 over 50 s, then 0.9 for 50 s.
  EXPECT_NEAR(Score(b, linear).accuracy, ((0.825 + 0.9) / 2 * 50 + 0.9 * 50) / 100, 1e-12);
  // Old accuracy while training: 0.6 for 50 s, then 0.9.
  EXPECT_NEAR(Score(b).accuracy, (0.6 * 50 + 0.9 * 50) / 100, 1e-12);
}

TEST(EstimatorTest, SubLinearSpeedCurve) {
  EstimatorOptions mps;
  mps.curve = SpeedCurve::kMps;
  // At share 0.5 the job runs at 0.83: cost 41.5 takes 50 s.
  EXPECT_NEAR(Score(Build({{0.6, 0.9, 41.5, 0.25, 0.5}}), mps).accuracy, (0.6 * 50 + 0.9 * 150) / 200, 1e-12);
}

TEST(EstimatorTest, AMinInfeasibleRanksBelowEveryFeasibleAllocation) {
  EstimatorOptions options;
  options.a_min = 0.5;
  // Inference 0.125: 0.3 < 0.5 for 100 s, then 0.9: shortfall 0.2 · 100/200.
  const Estimate dip = Score(Build({{0.6, 0.9, 50, 0.125, 0.5}}), options);
  EXPECT_FALSE(dip.feasible);
  EXPECT_NEAR(dip.shortfall, 0.1, 1e-12);
  EXPECT_NEAR(dip.score, -1.1, 1e-12);
  EXPECT_NEAR(dip.accuracy, 0.6, 1e-12);
  // Without retraining at all the stream stays at 0.6: feasible, worse accuracy.
  const Estimate flat = Score(Build({{0.6, 0.9, 50, 1.0, 0}}), options);
  EXPECT_TRUE(flat.feasible);
  EXPECT_GT(flat.score, dip.score);
  // A deeper dip ranks lower still.
  const Estimate deeper = Score(Build({{0.6, 0.9, 50, 0.0625, 0.5}}), options);
  EXPECT_LT(deeper.score, dip.score);
}

TEST(EstimatorTest, AMinWithLinearTrainingAccuracyCountsOnlyTheDip) {
  EstimatorOptions options;
  options.a_min = 0.5;
  options.training_accuracy = TrainingAccuracy::kLinear;
  // 0.4 rising to 0.8 over 100 s crosses 0.5 at 25 s: a triangle of 0.1 × 25 / 2.
  const Estimate e = Score(Build({{0.4, 0.8, 50, 0.25, 0.5}}), options);
  EXPECT_NEAR(e.shortfall, 0.5 * 0.1 * 25 / 200, 1e-12);
  EXPECT_NEAR(e.accuracy, (0.6 * 100 + 0.8 * 100) / 200, 1e-12);
  // A job that does not finish leaves the old model's whole dip.
  const Estimate slow = Score(Build({{0.4, 0.8, 5000, 0.25, 0.5}}), options);
  EXPECT_NEAR(slow.shortfall, 0.1, 1e-12);
}

TEST(EstimatorTest, NoTimeLeftGivesTheInstantaneousAccuracy) {
  Built b = Build({{0.6, 0.9, 10, 0.125, 0.5}});
  b.snapshot.time_s = 200;
  EXPECT_NEAR(Score(b).accuracy, 0.3, 1e-12);
}

TEST(EstimatorTest, UnknownAccuracyCountsAsOne) {
  Built b = Build({{0.6, 0.9, 10, 0.125, 0}});
  b.snapshot.streams[0].accuracy = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NEAR(Score(b).accuracy, 0.5, 1e-12);
}

TEST(EstimatorTest, RefusesMismatchedAllocations) {
  Built b = Build({{0.6, 0.9, 10, 0.25, 0.5}});
  Allocation empty;
  EXPECT_EQ(EstimateAllocation(b.snapshot, empty, {}).status().code(), StatusCode::kInvalidArgument);
  b.allocation.streams[0].device = 3;
  EXPECT_EQ(EstimateAllocation(b.snapshot, b.allocation, {}).status().code(), StatusCode::kInvalidArgument);
}

// An independent whole-window simulation (all devices in one event loop) to
// check the per-device decomposition. Old-model accuracy during training.
Estimate WholeWindow(const Snapshot& snapshot, const Allocation& allocation,
                     const EstimatorOptions& options) {
  const size_t n = snapshot.streams.size();
  std::vector<double> inference(n), share(n), remaining(n), model(n), outcome(n), integral(n, 0),
      shortfall(n, 0);
  std::vector<bool> active(n, false);
  for (size_t s = 0; s < n; ++s) {
    const StreamAllocation& a = allocation.streams[s];
    const StreamState& st = snapshot.streams[s];
    model[s] = st.accuracy;
    inference[s] = a.inference_share;
    if (a.retrain.has_value()) {
      for (const ConfigEstimate& c : st.candidates) {
        if (c.config == *a.retrain) {
          active[s] = true;
          share[s] = a.retrain_share;
          remaining[s] = c.cost_seconds;
          outcome[s] = c.accuracy;
          break;
        }
      }
    }
  }
  auto factor = [&](size_t s) {
    return snapshot.streams[s].inference_profile.At(std::min(1.0, inference[s] / snapshot.r_max));
  };
  const double H = snapshot.time_left();
  double t = 0;
  while (t < H) {
    std::vector<double> idle(snapshot.devices, 0), jobs(snapshot.devices, 0), rate(n, 0);
    for (size_t s = 0; s < n; ++s) {
      const int d = allocation.streams[s].device;
      idle[d] += std::max(0.0, inference[s] - snapshot.r_max);
      if (active[s]) jobs[d] += share[s];
    }
    double dt = H - t;
    for (size_t s = 0; s < n; ++s) {
      if (!active[s]) continue;
      const int d = allocation.streams[s].device;
      rate[s] = SpeedAtShare(options.curve, std::min(1.0, share[s] + idle[d] * share[s] / jobs[d]));
      dt = std::min(dt, remaining[s] / rate[s]);
    }
    for (size_t s = 0; s < n; ++s) {
      const double acc = model[s] * factor(s);
      integral[s] += acc * dt;
      shortfall[s] += std::max(0.0, options.a_min - acc) * dt;
      if (active[s]) remaining[s] -= rate[s] * dt;
    }
    t += dt;
    std::vector<double> freed(snapshot.devices, 0);
    std::vector<int> count(snapshot.devices, 0);
    for (size_t s = 0; s < n; ++s) {
      count[allocation.streams[s].device]++;
      if (active[s] && remaining[s] <= 1e-9 && t < H) {
        active[s] = false;
        model[s] = outcome[s];
        freed[allocation.streams[s].device] += share[s];
      }
    }
    for (size_t s = 0; s < n; ++s) {
      const int d = allocation.streams[s].device;
      inference[s] += freed[d] / count[d];
    }
  }
  Estimate e;
  for (size_t s = 0; s < n; ++s) {
    e.accuracy += integral[s] / H / n;
    e.shortfall += shortfall[s] / H;
  }
  return e;
}

TEST(EstimatorTest, PerDeviceDecompositionMatchesAWholeWindowSimulation) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SyntheticOptions so;
    so.streams = 9;
    so.devices = 3;
    so.configs = 6;
    so.seed = seed;
    Snapshot snapshot = *MakeSyntheticSnapshot(so);
    ThiefOptions to;
    to.estimator.a_min = seed % 2 == 0 ? 0.45 : 0.0;
    auto thief = ThiefPolicy::Create(to);
    ASSERT_TRUE(thief.ok());
    auto plan = (*thief)->Plan(snapshot);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    // The thief's allocation, and a fair one where every stream retrains.
    std::vector<Allocation> allocations = {plan->allocation, plan->allocation};
    for (StreamAllocation& a : allocations[1].streams) {
      a.inference_share = 1.0 / 6;
      a.retrain = snapshot.streams[a.stream].candidates[seed % 6].config;
      a.retrain_share = 1.0 / 6;
    }
    for (const Allocation& allocation : allocations) {
      const Estimate e = *EstimateAllocation(snapshot, allocation, to.estimator);
      const Estimate whole = WholeWindow(snapshot, allocation, to.estimator);
      EXPECT_NEAR(e.accuracy, whole.accuracy, 1e-9) << seed;
      EXPECT_NEAR(e.shortfall, whole.shortfall, 1e-9) << seed;
    }
    EXPECT_NEAR(plan->estimate.score, EstimateAllocation(snapshot, plan->allocation, to.estimator)->score,
                1e-15);
  }
}

TEST(EstimatorTest, DeviceSimulatorCountsCalls) {
  DeviceSimulator simulator(100, 0.25, {});
  SimStream s;
  s.inference_share = 0.25;
  s.old_accuracy = 0.5;
  simulator.Run(&s, 1);
  simulator.Run(&s, 1);
  EXPECT_EQ(simulator.calls(), 2);
}

}  // namespace
}  // namespace ekya
