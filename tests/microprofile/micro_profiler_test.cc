// The micro-profiler (SPEC §6): estimates from base profiles, the Pareto
// pruning, the label-free inference profile, and a real profiling job on a
// tiny benchmark — which the label firewall holds back until the window it
// learns from has ended.
#include "ekya/microprofile/micro_profiler.h"

#include <gtest/gtest.h>

#include "../data/synthetic_pool.h"
#include "ekya/time/clock.h"

namespace ekya {
namespace {

BaseProfile Profile(const std::string& base, double a0, std::vector<double> acc) {
  BaseProfile p;
  p.base_id = base;
  p.config_samples = 100;
  p.run_samples = 10;
  p.validation_samples = 20;
  p.start_accuracy = a0;
  p.accuracy_per_epoch = std::move(acc);
  p.seconds_per_sample = 0.01;
  p.eval_seconds_per_sample = 0.004;
  return p;
}

TEST(MicroProfilerTest, EstimatesExtrapolateTheCurveAndPriceTheWork) {
  const std::vector<RetrainConfig> configs = DefaultConfigSpace();
  auto estimates = EstimateConfigs({Profile("all-h1024-f0.1", 0.5, {0.6, 0.66, 0.7, 0.72, 0.73})}, configs,
                                   CurveEstimator::kOptimus, 2.0);
  ASSERT_EQ(estimates.size(), 3u) << "the three epoch counts of the profiled base";
  for (const ConfigEstimate& e : estimates) {
    EXPECT_EQ(e.config.BaseId(), "all-h1024-f0.1");
    // start-up + E × (n × per-sample + validation × per-eval)
    EXPECT_NEAR(e.cost_seconds, 2.0 + e.config.epochs * (100 * 0.01 + 20 * 0.004), 1e-9);
    EXPECT_GT(e.accuracy, 0.5);
    EXPECT_LE(e.accuracy, 1.0);
  }
  // More epochs never predict less on a rising curve.
  EXPECT_LE(estimates[0].accuracy, estimates[1].accuracy + 1e-12);
  EXPECT_LE(estimates[1].accuracy, estimates[2].accuracy + 1e-12);
  // Five profile epochs on 10 of 100 samples are half a real epoch: e5 lies beyond them.
  EXPECT_GT(estimates[0].accuracy, 0.72);
}

TEST(MicroProfilerTest, StepProgressCountsBatchesNotSamples) {
  const std::vector<RetrainConfig> configs = DefaultConfigSpace();
  BaseProfile p = Profile("all-h1024-f0.1", 0.5, {0.6, 0.66, 0.7, 0.72, 0.73});
  // The run: 10 samples at batch 2 = 5 steps an epoch; the real config: 100
  // samples at batch 50 = 2 steps. By steps each profile epoch is 2.5 real
  // epochs, by samples 0.1: the same curve read at e5 is then a point
  // already measured (epoch 2), not an extrapolation.
  p.run_steps = 5;
  p.config_steps = 2;
  auto by_steps = EstimateConfigs({p}, configs, CurveEstimator::kOptimus, 2.0, ProfileProgress::kSteps);
  auto by_samples = EstimateConfigs({p}, configs, CurveEstimator::kOptimus, 2.0, ProfileProgress::kSamples);
  ASSERT_EQ(by_steps.size(), 3u);
  ASSERT_EQ(by_samples.size(), 3u);
  EXPECT_NEAR(by_steps[0].accuracy, 0.66, 0.02);
  EXPECT_GT(by_samples[0].accuracy, by_steps[0].accuracy);
  for (size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(by_steps[i].cost_seconds, by_samples[i].cost_seconds);
  // Unknown step counts fall back to samples.
  p.run_steps = 0;
  auto fallback = EstimateConfigs({p}, configs, CurveEstimator::kOptimus, 2.0, ProfileProgress::kSteps);
  ASSERT_EQ(fallback.size(), 3u);
  EXPECT_DOUBLE_EQ(fallback[0].accuracy, by_samples[0].accuracy);
}

TEST(MicroProfilerTest, CalibrationLearnsEachFamilysBiasAndReselectsCandidates) {
  auto estimate = [](const std::string& id, double acc) {
    ConfigEstimate c;
    c.config = *RetrainConfig::Parse(id);
    c.accuracy = acc;
    c.cost_seconds = 1;
    return c;
  };
  EXPECT_EQ(ProfileCalibration::Family(*RetrainConfig::Parse("head-h64-f0.5-e15")), "head-h64");
  EXPECT_EQ(ProfileCalibration::Family(*RetrainConfig::Parse("all-h1024-f1.0-e5")), "all-h1024");
  ProfileCalibration cal;
  EXPECT_EQ(cal.Correction("head-h64"), 0.0) << "nothing learnt: no correction";
  // Head-only retraining reached 0.1 and 0.06 less than predicted on the
  // held-out slice; all-layer retraining 0.02 more.
  cal.Record("head-h64", -0.10);
  cal.Record("head-h64", -0.06);
  cal.Record("all-h1024", 0.02);
  cal.Record("head-h64", std::nan(""));  // ignored
  EXPECT_EQ(cal.count("head-h64"), 2);
  EXPECT_NEAR(cal.Correction("head-h64"), -0.08 * 2.0 / 3.0, 1e-12);  // mean shrunk by n/(n+1)
  EXPECT_NEAR(cal.Correction("all-h1024"), 0.01, 1e-12);
  StreamEstimates e;
  e.accuracy = 0.785;
  e.all = {estimate("head-h64-f0.1-e5", 0.83), estimate("all-h1024-f0.1-e5", 0.78),
           estimate("all-h1024-f1.0-e5", 0.999)};
  e.candidates = {e.all[0], e.all[2]};
  cal.Apply(e);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.785) << "the deployed accuracy is not corrected";
  EXPECT_NEAR(e.all[0].accuracy, 0.83 - 0.08 * 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(e.all[1].accuracy, 0.79, 1e-12);
  EXPECT_DOUBLE_EQ(e.all[2].accuracy, 1.0) << "clamped to [0, 1]";
  // Candidates: the corrected configs that beat the corrected deployed accuracy.
  ASSERT_EQ(e.candidates.size(), 2u);
  EXPECT_EQ(e.candidates[0].config.Id(), "all-h1024-f0.1-e5");
  EXPECT_EQ(e.candidates[1].config.Id(), "all-h1024-f1.0-e5");
}

TEST(MicroProfilerTest, ShiftMovesEachFamilyAndTheDeployedAccuracy) {
  StreamEstimates e;
  e.accuracy = 0.8;
  for (const char* id : {"all-h1024-f0.1-e5", "head-h64-f0.5-e15", "all-h1024-f1.0-e30"}) {
    Result<RetrainConfig> c = RetrainConfig::Parse(id);
    ASSERT_TRUE(c.ok());
    e.all.push_back({*c, 0.85, 10});
  }
  StreamEstimates unchanged = e;
  ApplyShift(unchanged, ShiftEstimate{});  // not measured: nothing moves
  EXPECT_DOUBLE_EQ(unchanged.accuracy, 0.8);
  EXPECT_DOUBLE_EQ(unchanged.all[0].accuracy, 0.85);

  ShiftEstimate shift;
  shift.measured = true;
  shift.deployed_held_out = 0.8;
  shift.deployed_new = 0.6;
  shift.family["all-h1024"] = {0.9, 0.8};  // the all-layer run lost 0.1 on the new frames
  ApplyShift(e, shift);                     // the head run was not measured
  EXPECT_DOUBLE_EQ(e.accuracy, 0.6);
  EXPECT_NEAR(e.all[0].accuracy, 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(e.all[1].accuracy, 0.85);
  EXPECT_NEAR(e.all[2].accuracy, 0.75, 1e-12);
  EXPECT_EQ(e.candidates.size(), 3u) << "all beat the deployed model's 0.6 now";
}

TEST(MicroProfilerTest, ParetoKeepsTheFrontAndTheBestOfEachScope) {
  auto e = [](const std::string& id, double acc, double cost) {
    ConfigEstimate c;
    c.config = *RetrainConfig::Parse(id);
    c.accuracy = acc;
    c.cost_seconds = cost;
    return c;
  };
  std::set<std::string> keep =
      ParetoBases({e("head-h64-f0.1-e5", 0.70, 5), e("head-h64-f0.5-e5", 0.69, 20),
                   e("all-h1024-f0.1-e5", 0.80, 10), e("all-h1024-f1.0-e5", 0.79, 90)});
  EXPECT_TRUE(keep.count("head-h64-f0.1"));   // cheapest: on the front
  EXPECT_TRUE(keep.count("all-h1024-f0.1"));  // most accurate
  EXPECT_FALSE(keep.count("head-h64-f0.5"));  // dominated, not the best head config
  EXPECT_FALSE(keep.count("all-h1024-f1.0"));
}

TEST(MicroProfilerTest, InferenceProfileSeesObjectsThroughJitter) {
  // Objects of 4 frames each; frames of one object differ by a little noise,
  // different objects by a lot. Predictions flip within an object (jitter).
  ImageBatch frames;
  frames.rows = frames.cols = 4;
  std::vector<int> predictions;
  for (int object = 0; object < 25; ++object) {
    for (int k = 0; k < 4; ++k) {
      std::vector<uint8_t> img(16, static_cast<uint8_t>((object * 97) % 256));
      img[k] = static_cast<uint8_t>(img[k] ^ 1);
      frames.Append(img.data());
      predictions.push_back(k == 3 ? (object + 1) % 10 : object % 10);
    }
  }
  InferenceProfile p = EstimateInferenceProfile(frames, predictions, 0.8);
  ASSERT_EQ(p.points.size(), 20u);
  EXPECT_DOUBLE_EQ(p.At(1.0), 1.0);
  // At f = 0.5 a skipped frame follows an analysed one; one in four of them
  // starts a new object... here only frames 1 and 3 of each object are
  // skipped, never a first frame: all same-object.
  EXPECT_NEAR(p.At(0.5), 1.0, 1e-9);
  // At f = 0.25 one frame in four is analysed: the same object throughout.
  EXPECT_GT(p.At(0.25), 0.95);
  // Fewer analysed frames cross objects: the factor falls.
  EXPECT_LT(p.At(0.1), p.At(0.25));
  EXPECT_TRUE(EstimateInferenceProfile(ImageBatch{}, {}, 0.8).points.empty());
}

// A one-stream benchmark of three windows, its firewall on a manual clock,
// tiny start models and a quick profiler.
class ProfilingJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = DriftBenchmark::Create(o, testing::MakeSyntheticPool(4, 400));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    bench = std::move(b).value();
    auto f = LabelFirewall::Create(*bench, clock, FirewallOptions::FromBenchmark(*bench, LabelSource::kGroundTruth));
    ASSERT_TRUE(f.ok());
    fw = std::move(f).value();
    ModelSpec spec;
    spec.width = 4;
    spec.num_classes = 4;
    for (int hidden : {64, 1024}) {
      spec.hidden = hidden;
      auto m = Model::Create(spec, 3);
      ASSERT_TRUE(m.ok());
      starts[hidden] = *m;
    }
    po.configs = DefaultConfigSpace();
    po.epochs = 2;
    po.min_samples = 16;
    po.min_eval = 10;
    po.base_sample = 20;
  }

  // The profiling job of stream 0 in window 2, every base config profiled.
  std::unique_ptr<MicroProfilingJob> MakeJob(const Model& deployed, const MicroProfilerOptions& options) const {
    ProfilingInputs in;
    in.firewall = fw.get();
    in.base_data = &bench->BaseTrain();
    in.stream = 0;
    in.window = 2;
    in.start_models = starts;
    in.deployed = deployed;
    for (const RetrainConfig& c : options.configs) in.bases.insert(c.BaseId());
    return std::make_unique<MicroProfilingJob>(std::move(in), options);
  }

  // Runs a job to its end (every step a profiling step): the device-seconds
  // charged, or the first step's error.
  static Result<double> RunToEnd(MicroProfilingJob& job) {
    double cost = 0;
    for (int i = 0; i < 1000; ++i) {
      EKYA_ASSIGN_OR_RETURN(JobStep s, job.RunStep());
      EXPECT_EQ(s.kind, JobKind::kProfiling);
      cost += s.device_seconds;
      if (s.last) break;
    }
    EXPECT_TRUE(job.finished());
    return cost;
  }

  DriftOptions o = testing::TinyDriftOptions(1, 3);
  std::unique_ptr<DriftBenchmark> bench;
  ManualClock clock{0};
  std::unique_ptr<LabelFirewall> fw;
  std::map<int, Model> starts;
  MicroProfilerOptions po;
};

TEST_F(ProfilingJobTest, ProfilingJobRunsAndWaitsForTheFirewall) {
  // Window 1 has not ended: its labels, and so the profile, are refused.
  clock.Set(1.5 * o.window_seconds);
  auto early = MakeJob(starts[64], po);
  Result<JobStep> step = early->RunStep();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), StatusCode::kPermissionDenied);

  clock.Set(2 * o.window_seconds);
  auto run = [&](const Model& deployed, double* cost) -> Result<StreamEstimates> {
    auto job = MakeJob(deployed, po);
    EKYA_ASSIGN_OR_RETURN(*cost, RunToEnd(*job));
    return job->Estimates();
  };
  double cost = 0;
  Result<StreamEstimates> e = run(starts[64], &cost);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GT(cost, 0.0);
  EXPECT_EQ(e->all.size(), po.configs.size()) << "every config of every profiled base";
  EXPECT_GE(e->accuracy, 0.0);
  for (const ConfigEstimate& c : e->candidates) EXPECT_GT(c.accuracy, e->accuracy);

  // A deployed model that is not one of the start models (the same weights,
  // cloned) gets its own evaluation on the held-out slice and is charged for
  // it; a start model's accuracy is reused for free. Estimates agree.
  double clone_cost = 0;
  Result<StreamEstimates> e2 = run(starts[64].Clone(), &clone_cost);
  ASSERT_TRUE(e2.ok()) << e2.status().ToString();
  EXPECT_DOUBLE_EQ(e2->accuracy, e->accuracy);
  ASSERT_EQ(e2->all.size(), e->all.size());
  for (size_t i = 0; i < e->all.size(); ++i) {
    EXPECT_DOUBLE_EQ(e2->all[i].accuracy, e->all[i].accuracy);
    EXPECT_DOUBLE_EQ(e2->all[i].cost_seconds, e->all[i].cost_seconds);
  }
  const double forward = po.device.Seconds(starts[64].Flops(TrainScope::kAllLayers).forward);
  const double extra = clone_cost - cost;
  EXPECT_GT(extra, 0.0);
  const double eval_samples = extra / forward;  // the held-out slice: at least min_eval
  EXPECT_NEAR(eval_samples, std::round(eval_samples), 1e-6);
  EXPECT_GE(std::round(eval_samples), po.min_eval);
}

TEST_F(ProfilingJobTest, ShiftStepReadsOnlyTheFramesThatHaveArrived) {
  po.shift = ShiftMethod::kThreshold;
  po.shift_frames = 20;
  const Model deployed = starts[1024].Clone();
  struct Outcome {
    StreamEstimates shifted, held_out;
    ShiftEstimate shift;
    double cost = 0;
  };
  auto run = [&](const MicroProfilerOptions& options) -> Outcome {
    auto job = MakeJob(deployed, options);
    Outcome out;
    Result<double> cost = RunToEnd(*job);
    EXPECT_TRUE(cost.ok()) << cost.status().ToString();
    out.cost = cost.ok() ? *cost : 0.0;
    out.shifted = *job->Estimates();
    out.held_out = *job->HeldOutEstimates();
    out.shift = *job->Shift();
    return out;
  };
  // At the window's very start no frame of it has arrived: nothing moves.
  clock.Set(2 * o.window_seconds);
  Outcome at_start = run(po);
  EXPECT_FALSE(at_start.shift.measured);
  EXPECT_EQ(at_start.shift.frames, 0);
  EXPECT_DOUBLE_EQ(at_start.shifted.accuracy, at_start.held_out.accuracy);

  // A quarter into the window 25 frames have arrived; 20 are read.
  clock.Set(2.25 * o.window_seconds);
  Outcome later = run(po);
  ASSERT_TRUE(later.shift.measured);
  EXPECT_EQ(later.shift.frames, 20);
  EXPECT_DOUBLE_EQ(later.shift.deployed_held_out, later.held_out.accuracy);
  EXPECT_DOUBLE_EQ(later.shifted.accuracy, later.shift.deployed_new);
  ASSERT_EQ(later.shift.family.size(), 2u);
  ASSERT_EQ(later.shifted.all.size(), later.held_out.all.size());
  for (size_t i = 0; i < later.held_out.all.size(); ++i) {
    const auto& [before, after] = later.shift.family.at(ProfileCalibration::Family(later.held_out.all[i].config));
    EXPECT_NEAR(later.shifted.all[i].accuracy,
                std::clamp(later.held_out.all[i].accuracy + after - before, 0.0, 1.0), 1e-12);
  }
  // The held-out estimates do not depend on the shift; the shift step costs
  // one forward pass per frame read of the deployed model and of each run's model.
  MicroProfilerOptions no_shift = po;
  no_shift.shift = ShiftMethod::kNone;
  Outcome plain = run(no_shift);
  EXPECT_DOUBLE_EQ(plain.held_out.accuracy, later.held_out.accuracy);
  for (size_t i = 0; i < plain.held_out.all.size(); ++i) {
    EXPECT_DOUBLE_EQ(plain.held_out.all[i].accuracy, later.held_out.all[i].accuracy);
  }
  const double forwards = po.device.Seconds(deployed.Flops(TrainScope::kAllLayers).forward +
                                            starts[64].Flops(TrainScope::kAllLayers).forward +
                                            starts[1024].Flops(TrainScope::kAllLayers).forward);
  EXPECT_NEAR(later.cost - plain.cost, 20 * forwards, 1e-9 * later.cost);
}

}  // namespace
}  // namespace ekya
