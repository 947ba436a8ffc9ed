// SimWorkload (sim/sim_workload.h) and ProfilerCosts on a small hand-written
// recording: windows and recycling of recorded streams, the deployed
// model's accuracy (base, same window, carried-over gain), chunk scores
// (inference-profile factor, credit sampling, whole counts), retraining and
// profiling jobs (labelling first, recorded costs), deployment, estimates
// and the refusals.
#include "ekya/sim/sim_workload.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/sim_fixture.h"

namespace ekya {
namespace {

using testing::kBelow;
using testing::kCheap;
using testing::kExpensive;
using testing::SimCosts;
using testing::SimOptions;
using testing::SimTable;

constexpr double kEps = 1e-12;

std::unique_ptr<SimWorkload> Make(const SimWorkloadOptions& o, const ProfilerCosts& costs = SimCosts()) {
  Result<std::unique_ptr<SimWorkload>> w = SimWorkload::Create(SimTable(), costs, o);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(w).value() : nullptr;
}

RetrainConfig Config(const std::string& id) { return *RetrainConfig::Parse(id); }

// Every step of a job, run to the end.
std::vector<JobStep> RunAll(Job& job) {
  std::vector<JobStep> steps;
  for (int i = 0; i < 1000; ++i) {
    Result<JobStep> step = job.RunStep();
    EXPECT_TRUE(step.ok()) << step.status().ToString();
    if (!step.ok()) break;
    steps.push_back(*step);
    if (step->last) break;
  }
  return steps;
}

double Sum(const std::vector<JobStep>& steps, JobKind kind) {
  double total = 0;
  for (const JobStep& s : steps) total += s.kind == kind ? s.device_seconds : 0.0;
  return total;
}

// Retrains `stream` with `config` in the current window and deploys it.
double RetrainAndDeploy(SimWorkload& w, int stream, const std::string& config) {
  Result<std::unique_ptr<Job>> job = w.MakeRetrainingJob(stream, Config(config));
  EXPECT_TRUE(job.ok()) << job.status().ToString();
  if (!job.ok()) return -1;
  RunAll(**job);
  Result<double> acc = w.Deploy(stream, **job);
  EXPECT_TRUE(acc.ok()) << acc.status().ToString();
  return acc.ok() ? *acc : -1;
}

TEST(ProfilerCostsTest, ParsesFindsAndRefuses) {
  Result<ProfilerCosts> c = ProfilerCosts::Parse("stream,window,seconds\n0,1,4.5\n3,2,0\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->size(), 2u);
  EXPECT_DOUBLE_EQ(*c->Find(0, 1), 4.5);
  EXPECT_DOUBLE_EQ(*c->Find(3, 2), 0.0);
  EXPECT_FALSE(c->Find(1, 1).has_value());

  EXPECT_EQ(ProfilerCosts::Parse("stream,window,cost\n0,1,4\n").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ProfilerCosts::Parse("stream,window,seconds\n0,1,-4\n").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ProfilerCosts::Parse("stream,window,seconds\n0,1\n").status().code(), StatusCode::kCorrupt);
  Result<ProfilerCosts> repeated = ProfilerCosts::Parse("stream,window,seconds\n0,1,4\n0,1,5\n", "dir");
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("dir/profiler_costs.csv line 3"), std::string::npos)
      << repeated.status().message();
}

TEST(ProfilerCostsTest, MissingFileIsAnEmptyTable) {
  Result<ProfilerCosts> c = ProfilerCosts::Load("/nonexistent-ekya-profile-dir");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->empty());
}

TEST(SimWorkloadTest, WindowsFollowTheRecordingUnlessFewerAreAsked) {
  SimWorkloadOptions o = SimOptions();
  EXPECT_EQ(Make(o)->windows(), 3);
  o.windows = 2;
  EXPECT_EQ(Make(o)->windows(), 2);
  o.windows = 50;
  EXPECT_EQ(Make(o)->windows(), 3);
  auto w = Make(o);
  EXPECT_EQ(w->BeginWindow(3).code(), StatusCode::kInvalidArgument);
}

TEST(SimWorkloadTest, RefusesWhatCannotBeReplayed) {
  // A "none" row missing.
  Result<ProfileTable> no_none = ProfileTable::Parse(
      "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n"
      "0,1,none,0,0.6,0,0.6,0\n"
      "0,2,head-h64-f0.1,5,0.7,10,0.72,11\n",
      "");
  ASSERT_TRUE(no_none.ok());
  Result<std::unique_ptr<SimWorkload>> w = SimWorkload::Create(*no_none, ProfilerCosts(), SimOptions());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("recorded stream 0 window 2"), std::string::npos)
      << w.status().message();

  // A profiler cost missing from a non-empty costs table.
  Result<ProfilerCosts> partial = ProfilerCosts::Parse("stream,window,seconds\n0,1,4\n");
  ASSERT_TRUE(partial.ok());
  w = SimWorkload::Create(SimTable(), *partial, SimOptions());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("profiler_costs.csv"), std::string::npos) << w.status().message();

  // Bad options.
  SimWorkloadOptions o = SimOptions();
  o.chunks = 101;
  EXPECT_EQ(SimWorkload::Create(SimTable(), SimCosts(), o).status().code(), StatusCode::kInvalidArgument);
  o = SimOptions(0);
  EXPECT_EQ(SimWorkload::Create(SimTable(), SimCosts(), o).status().code(), StatusCode::kInvalidArgument);
}

TEST(SimWorkloadTest, DeployedAccuracyOfTheBaseModelIsTheRecordedNoneRow) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  const std::vector<std::vector<double>> none = {{0.6, 0.6, 0.48}, {0.8, 0.8, 0.76}};  // window 0 = window 1
  for (int t = 0; t < 3; ++t) {
    ASSERT_TRUE(w->BeginWindow(t).ok());
    for (int s = 0; s < 2; ++s) EXPECT_NEAR(*w->DeployedAccuracy(s), none[s][t], kEps) << s << " " << t;
  }
}

TEST(SimWorkloadTest, RetrainedModelScoresItsWindowThenCarriesItsGainOver) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(0).ok());
  ASSERT_TRUE(w->BeginWindow(1).ok());
  EXPECT_NEAR(RetrainAndDeploy(*w, 0, kCheap), 0.72, kEps);
  EXPECT_NEAR(RetrainAndDeploy(*w, 1, kExpensive), 0.92, kEps);
  // Same window: the measured accuracy of the config.
  EXPECT_NEAR(*w->DeployedAccuracy(0), 0.72, kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(1), 0.92, kEps);
  // Later window: none(2) + (measured(c, 1) − none(1)).
  ASSERT_TRUE(w->BeginWindow(2).ok());
  EXPECT_NEAR(*w->DeployedAccuracy(0), 0.48 + (0.72 - 0.6), kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(1), 0.76 + (0.92 - 0.8), kEps);
  // A new swap replaces the carried-over model.
  EXPECT_NEAR(RetrainAndDeploy(*w, 0, kExpensive), 0.84, kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(0), 0.84, kEps);
}

TEST(SimWorkloadTest, ChunkAccuracyIsTheModelTimesTheInferenceFactorInWholeFrames) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  // Share 0.125 = half of r_max: f = 0.5. Stream 0's profile gives factor
  // 0.48 / 0.6 = 0.8; stream 1 has none recorded: factor = f.
  Result<std::vector<ChunkScore>> half = w->InferChunk(0, {0.125, 0.125});
  ASSERT_TRUE(half.ok()) << half.status().ToString();
  EXPECT_EQ((*half)[0].frames_total, 25);
  EXPECT_EQ((*half)[0].frames_analysed, 13);  // ceil(25 × 0.5)
  EXPECT_EQ((*half)[0].correct, 12);          // 0.6 × 0.8 × 25
  EXPECT_EQ((*half)[1].correct, 10);          // 0.8 × 0.5 × 25
  // The credit carries over to the next chunk: 25 of 50 frames in all.
  Result<std::vector<ChunkScore>> next = w->InferChunk(1, {0.125, 0.125});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0].frames_analysed, 12);
  // Full rate (share >= r_max), and no share at all.
  Result<std::vector<ChunkScore>> full = w->InferChunk(2, {0.5, 0.0});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)[0].frames_analysed, 25);
  EXPECT_EQ((*full)[0].correct, 15);
  EXPECT_EQ((*full)[1].frames_analysed, 0);
  EXPECT_EQ((*full)[1].correct, 0);
  // Window 2 of stream 0: factors 0.5 / 0.75 / 1 at f = 0.25 / 0.5 / 1.
  ASSERT_TRUE(w->BeginWindow(2).ok());
  Result<std::vector<ChunkScore>> quarter = w->InferChunk(0, {0.0625, 0.25});
  ASSERT_TRUE(quarter.ok());
  EXPECT_EQ((*quarter)[0].correct, 6);   // 0.48 × 0.5 × 25
  EXPECT_EQ((*quarter)[1].correct, 19);  // 0.76 × 25
  EXPECT_EQ(w->accuracy_mode(), "simulated");
}

TEST(SimWorkloadTest, ChunksSpreadTheRemainderOfTheFrames) {
  SimWorkloadOptions o = SimOptions();
  o.frames_per_window = 103;
  auto w = Make(o);
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  std::vector<int> sizes;
  for (int c = 0; c < 4; ++c) sizes.push_back((*w->InferChunk(c, {0.25, 0.25}))[0].frames_total);
  EXPECT_EQ(sizes, (std::vector<int>{25, 26, 26, 26}));
  EXPECT_EQ(w->InferChunk(4, {0.25, 0.25}).status().code(), StatusCode::kInvalidArgument);
}

TEST(SimWorkloadTest, RetrainingJobLabelsFirstThenCostsTheRecordedMeasurement) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(0).ok());
  EXPECT_EQ(w->MakeRetrainingJob(0, Config(kCheap)).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  Result<std::unique_ptr<Job>> job = w->MakeRetrainingJob(0, Config(kCheap));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ((*job)->NextKind(), JobKind::kLabelling);
  EXPECT_EQ(w->Deploy(0, **job).status().code(), StatusCode::kInvalidArgument);  // not finished
  const std::vector<JobStep> steps = RunAll(**job);
  ASSERT_EQ(steps.size(), 21u);  // one labelling step, 20 retraining steps
  EXPECT_EQ(steps[0].kind, JobKind::kLabelling);
  EXPECT_NEAR(steps[0].device_seconds, 1.0, kEps);  // window 0: 100 frames × 0.01 s
  for (size_t i = 1; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].kind, JobKind::kRetraining);
    EXPECT_EQ(steps[i].last, i + 1 == steps.size());
    EXPECT_NEAR(steps[i].device_seconds, 11.75 / 20, 1e-9);
  }
  EXPECT_NEAR(Sum(steps, JobKind::kRetraining), 11.75, 1e-9);
  EXPECT_EQ(w->Deploy(1, **job).status().code(), StatusCode::kInvalidArgument);  // another stream's job
  EXPECT_NEAR(*w->Deploy(0, **job), 0.72, kEps);

  // The history is labelled now: a second job of the stream starts retraining.
  Result<std::unique_ptr<Job>> again = w->MakeRetrainingJob(0, Config(kExpensive));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->NextKind(), JobKind::kRetraining);
  const std::vector<JobStep> more = RunAll(**again);
  EXPECT_EQ(more.size(), 20u);
  EXPECT_NEAR(Sum(more, JobKind::kRetraining), 70.0, 1e-9);
  EXPECT_EQ(Sum(more, JobKind::kLabelling), 0.0);
  EXPECT_FALSE((*again)->RunStep().ok());  // past its last step

  // A config nobody recorded.
  Result<std::unique_ptr<Job>> missing = w->MakeRetrainingJob(0, Config("all-h1024-f1.0-e30"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("all-h1024-f1.0-e30"), std::string::npos)
      << missing.status().message();
}

TEST(SimWorkloadTest, GroundTruthLabelsCostNothing) {
  SimWorkloadOptions o = SimOptions();
  o.labelling_seconds_per_frame = 0;
  auto w = Make(o);
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  Result<std::unique_ptr<Job>> job = w->MakeRetrainingJob(1, Config(kCheap));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)->NextKind(), JobKind::kRetraining);
  const std::vector<JobStep> steps = RunAll(**job);
  EXPECT_EQ(steps.size(), 20u);
  EXPECT_NEAR(Sum(steps, JobKind::kRetraining), 12.0, 1e-9);
}

TEST(SimWorkloadTest, SimulatedStreamsRecycleTheRecordedOnes) {
  auto w = Make(SimOptions(5));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->streams(), 5);
  std::vector<int> recorded;
  for (int s = 0; s < 5; ++s) recorded.push_back(w->RecordedStream(s));
  EXPECT_EQ(recorded, (std::vector<int>{0, 1, 0, 1, 0}));
  ASSERT_TRUE(w->BeginWindow(1).ok());
  EXPECT_NEAR(*w->DeployedAccuracy(2), 0.6, kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(3), 0.8, kEps);
  // Each simulated stream has its own model and its own labelled history.
  EXPECT_NEAR(RetrainAndDeploy(*w, 2, kCheap), 0.72, kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(2), 0.72, kEps);
  EXPECT_NEAR(*w->DeployedAccuracy(0), 0.6, kEps);
  Result<std::unique_ptr<Job>> job = w->MakeRetrainingJob(4, Config(kCheap));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)->NextKind(), JobKind::kLabelling);
  Result<std::vector<ChunkScore>> scores = w->InferChunk(0, {0.25, 0.25, 0.25, 0.25, 0.25});
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->size(), 5u);
  EXPECT_EQ((*scores)[4].correct, 15);
  EXPECT_EQ((*scores)[2].correct, 18);
}

TEST(SimWorkloadTest, ProfilingJobCostsTheRecordedProfilerSeconds) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  Result<std::unique_ptr<Job>> job = w->MakeProfilingJob(0);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)->NextKind(), JobKind::kLabelling);
  const std::vector<JobStep> steps = RunAll(**job);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_NEAR(Sum(steps, JobKind::kLabelling), 1.0, kEps);
  EXPECT_NEAR(Sum(steps, JobKind::kProfiling), 4.0, 1e-9);
  EXPECT_EQ(w->Deploy(0, **job).status().code(), StatusCode::kInvalidArgument);  // not a retraining job

  // Without profiler_costs.csv profiling is free (one empty step).
  auto free = Make(SimOptions(), ProfilerCosts());
  ASSERT_TRUE(free->BeginWindow(1).ok());
  Result<std::unique_ptr<Job>> cheap = free->MakeProfilingJob(1);
  ASSERT_TRUE(cheap.ok());
  EXPECT_NEAR(Sum(RunAll(**cheap), JobKind::kProfiling), 0.0, kEps);
}

TEST(SimWorkloadTest, EstimatesOfferOnlyConfigsPredictedToBeatTheDeployedModel) {
  auto w = Make(SimOptions());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->BeginWindow(1).ok());
  Result<std::unique_ptr<Job>> job = w->MakeProfilingJob(0);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(w->Estimates(0, **job).status().code(), StatusCode::kInvalidArgument);  // not finished
  RunAll(**job);
  EXPECT_EQ(w->Estimates(1, **job).status().code(), StatusCode::kInvalidArgument);  // another stream's
  Result<StreamEstimates> e = w->Estimates(0, **job);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_NEAR(e->accuracy, 0.62, kEps);  // the predicted "none"
  ASSERT_EQ(e->all.size(), 3u);
  EXPECT_EQ(e->all[1].config.Id(), kBelow);
  EXPECT_NEAR(e->all[2].accuracy, 0.85, kEps);
  EXPECT_NEAR(e->all[2].cost_seconds, 60, kEps);
  ASSERT_EQ(e->candidates.size(), 2u);
  EXPECT_EQ(e->candidates[0].config.Id(), kCheap);
  EXPECT_EQ(e->candidates[1].config.Id(), kExpensive);
  EXPECT_NEAR(e->inference_profile.At(0.5), 0.8, kEps);
  EXPECT_NEAR(e->inference_profile.At(1.0), 1.0, kEps);

  // After a swap the deployed model's estimate carries its predicted gain:
  // 0.5 + (0.7 − 0.62) in window 2, so only configs above 0.58 remain.
  EXPECT_NEAR(RetrainAndDeploy(*w, 0, kCheap), 0.72, kEps);
  ASSERT_TRUE(w->BeginWindow(2).ok());
  Result<std::unique_ptr<Job>> next = w->MakeProfilingJob(0);
  ASSERT_TRUE(next.ok());
  RunAll(**next);
  Result<StreamEstimates> later = w->Estimates(0, **next);
  ASSERT_TRUE(later.ok());
  EXPECT_NEAR(later->accuracy, 0.5 + (0.7 - 0.62), kEps);
  ASSERT_EQ(later->candidates.size(), 2u);
  for (const ConfigEstimate& c : later->candidates) EXPECT_GT(c.accuracy, later->accuracy);
  EXPECT_NEAR(later->inference_profile.At(0.25), 0.5, kEps);

  // Stream 1 after a costly swap: 0.74 + (0.9 − 0.78) = 0.86 in window 2;
  // only the config predicted at 0.88 still beats it.
  auto other = Make(SimOptions());
  ASSERT_TRUE(other->BeginWindow(1).ok());
  EXPECT_NEAR(RetrainAndDeploy(*other, 1, kExpensive), 0.92, kEps);
  ASSERT_TRUE(other->BeginWindow(2).ok());
  Result<std::unique_ptr<Job>> top = other->MakeProfilingJob(1);
  ASSERT_TRUE(top.ok());
  RunAll(**top);
  Result<StreamEstimates> few = other->Estimates(1, **top);
  ASSERT_TRUE(few.ok());
  EXPECT_NEAR(few->accuracy, 0.74 + (0.9 - 0.78), kEps);
  ASSERT_EQ(few->candidates.size(), 1u);
  EXPECT_EQ(few->candidates[0].config.Id(), kExpensive);
  EXPECT_EQ(few->all.size(), 3u);
  EXPECT_TRUE(few->inference_profile.points.empty());  // none recorded: the identity
}

}  // namespace
}  // namespace ekya
