// Whole simulated runs (sim/simulation.h): the controller, the virtual
// executor and the SimWorkload on the hand-written recording. noretrain
// scores exactly the recorded "none" rows; fair's swap happens when its
// cost at its share says; profiling policies pay the recorded profiler
// costs and see the recorded predictions; runs are deterministic.
#include "ekya/sim/simulation.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ekya/config/settings.h"
#include "ekya/report/run_output.h"
#include "sim/sim_fixture.h"

namespace ekya {
namespace {

using testing::kCheap;
using testing::SimCosts;
using testing::SimOptions;
using testing::SimTable;

constexpr double kEps = 1e-9;

std::unique_ptr<Policy> Make(const std::string& spec) {
  Result<std::unique_ptr<Policy>> policy = MakePolicy(spec, Settings());
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? std::move(policy).value() : nullptr;
}

SimulationOptions Options(int streams, int devices) {
  SimulationOptions o;
  o.workload = SimOptions(streams);
  o.devices = devices;
  o.window_seconds = 100;
  o.on_completion = OnCompletion::kToInference;
  o.profiler_share = 0.5;
  return o;
}

struct Run {
  RunRecorder recorder;
  SimulationResult result;
  Status status;
  RunSummary Summary() const {
    RunInfo info;
    info.streams = result.streams;
    info.windows = result.windows;
    info.usage = result.usage;
    return Summarise(recorder, info);
  }
  const WindowRecord* Window(int window, int stream) const {
    for (const WindowRecord& r : recorder.windows())
      if (r.window == window && r.stream == stream) return &r;
    return nullptr;
  }
};

std::unique_ptr<Run> Simulate(const SimulationOptions& o, const std::string& policy_spec,
                              const ProfilerCosts& costs = SimCosts()) {
  auto run = std::make_unique<Run>();
  std::unique_ptr<Policy> policy = Make(policy_spec);
  if (policy == nullptr) {
    run->status = Status::InvalidArgument("no policy");
    return run;
  }
  Result<SimulationResult> r = RunSimulation(SimTable(), costs, o, *policy, run->recorder);
  if (r.ok()) {
    run->result = *r;
  } else {
    run->status = r.status();
  }
  return run;
}

TEST(SimulationTest, NoRetrainScoresExactlyTheRecordedNoneRows) {
  // Four streams on one device: a quarter each = r_max, every frame analysed.
  auto run = Simulate(Options(4, 1), "noretrain");
  ASSERT_TRUE(run->status.ok()) << run->status.ToString();
  EXPECT_EQ(run->result.windows, 3);
  EXPECT_EQ(run->recorder.chunks().size(), 4u * 3 * 4);
  for (const ChunkRecord& c : run->recorder.chunks()) {
    EXPECT_NEAR(c.inference_share, 0.25, kEps);
    EXPECT_EQ(c.frames_analysed, c.frames_total);
    EXPECT_EQ(c.model_version, 0);
    EXPECT_EQ(c.accuracy_mode, "simulated");
  }
  // Streams 0..3 replay recorded streams 0, 1, 0, 1; windows 1 and 2.
  const double expected = (0.6 + 0.48 + 0.8 + 0.76) / 4;
  EXPECT_NEAR(run->Summary().mean_accuracy, expected, kEps);
  EXPECT_NEAR(run->Window(2, 3)->window_accuracy, 0.76, kEps);
  EXPECT_NEAR(run->Window(0, 0)->window_accuracy, 0.6, kEps);  // window 0 scored like window 1
  EXPECT_EQ(run->result.usage[JobKind::kRetraining], 0.0);
  EXPECT_EQ(run->result.usage[JobKind::kLabelling], 0.0);
}

TEST(SimulationTest, FairSwapsWhenCostOverShareSays) {
  // One stream: inference 0.25 (= r_max, nothing lent), retraining 0.75.
  // Window 1: labelling 1 s + 11.75 s of retraining at speed 0.75 → done at
  // 17 s, swapped in at the next chunk (25 s). Window 2: (1 + 12) / 0.75.
  SimulationOptions o = Options(1, 1);
  auto run = Simulate(o, std::string("fair:config=") + kCheap + ",inference_fraction=0.25");
  ASSERT_TRUE(run->status.ok()) << run->status.ToString();
  const WindowRecord* w1 = run->Window(1, 0);
  ASSERT_NE(w1, nullptr);
  EXPECT_EQ(w1->retrain_config, kCheap);
  ASSERT_TRUE(w1->retrain_done_s.has_value());
  EXPECT_NEAR(*w1->retrain_done_s, 17.0, 1e-6);
  EXPECT_NEAR(*w1->accuracy_after, 0.72, kEps);
  EXPECT_NEAR(w1->accuracy_before, 0.6, kEps);
  EXPECT_NEAR(w1->window_accuracy, (0.6 + 3 * 0.72) / 4, kEps);
  const WindowRecord* w2 = run->Window(2, 0);
  ASSERT_NE(w2, nullptr);
  EXPECT_NEAR(w2->accuracy_before, 0.48 + (0.72 - 0.6), kEps);  // the gain carried over
  EXPECT_NEAR(*w2->retrain_done_s, 13.0 / 0.75, 1e-6);
  EXPECT_NEAR(*w2->accuracy_after, 0.64, kEps);
  EXPECT_NEAR(w2->window_accuracy, (0.6 + 3 * 0.64) / 4, kEps);
  int last_version = -1;
  for (const ChunkRecord& c : run->recorder.chunks()) {
    if (c.window == 1 && c.chunk == 1) EXPECT_EQ(c.model_version, 1);
    last_version = c.model_version;
  }
  EXPECT_EQ(last_version, 2);
  // Device-seconds: exactly the recorded costs.
  EXPECT_NEAR(run->result.usage[JobKind::kLabelling], 2.0, 1e-6);
  EXPECT_NEAR(run->result.usage[JobKind::kRetraining], 11.75 + 12.0, 1e-6);
  EXPECT_EQ(run->result.usage[JobKind::kProfiling], 0.0);
}

TEST(SimulationTest, ProfilingPoliciesPayTheRecordedProfilerAndSeeItsPredictions) {
  auto run = Simulate(Options(3, 2), "thief");
  ASSERT_TRUE(run->status.ok()) << run->status.ToString();
  // 3 streams × windows 1, 2 × 4 device-seconds; labelling once per stream and window.
  EXPECT_NEAR(run->result.usage[JobKind::kProfiling], 3 * 2 * 4.0, 1e-6);
  EXPECT_NEAR(run->result.usage[JobKind::kLabelling], 3 * 2 * 1.0, 1e-6);
  EXPECT_EQ(run->recorder.profiles().size(), 3u * 2 * 3);
  for (const ProfileRecord& p : run->recorder.profiles()) {
    if (p.stream == 2 && p.window == 1 && p.config == "all-h1024-f0.5") {
      EXPECT_NEAR(p.predicted_accuracy, 0.85, kEps);  // stream 2 replays recorded stream 0
    }
  }
  EXPECT_FALSE(run->recorder.inference_profiles().empty());
  // The thief retrains where the predictions promise a gain, paying the recorded measurements.
  int retrained = 0;
  for (const WindowRecord& w : run->recorder.windows()) retrained += w.retrain_config != "none" ? 1 : 0;
  EXPECT_GT(retrained, 0);
  EXPECT_GT(run->result.usage[JobKind::kRetraining], 0.0);
  EXPECT_GT(run->Summary().mean_accuracy, (2 * (0.6 + 0.48) + (0.8 + 0.76)) / 6);  // noretrain's
}

TEST(SimulationTest, SameInputsGiveIdenticalRecords) {
  for (const char* spec : {"thief", "fair:config=all-h1024-f0.5-e15,inference_fraction=0.5"}) {
    SimulationOptions o = Options(5, 2);
    o.on_completion = OnCompletion::kReplan;
    auto a = Simulate(o, spec);
    auto b = Simulate(o, spec);
    ASSERT_TRUE(a->status.ok()) << a->status.ToString();
    ASSERT_TRUE(b->status.ok()) << b->status.ToString();
    EXPECT_EQ(ChunksCsv(a->recorder.chunks()), ChunksCsv(b->recorder.chunks())) << spec;
    EXPECT_EQ(WindowsCsv(a->recorder.windows()), WindowsCsv(b->recorder.windows())) << spec;
    EXPECT_EQ(AllocationsCsv(a->recorder.allocations()), AllocationsCsv(b->recorder.allocations())) << spec;
    EXPECT_EQ(ProfilesCsv(a->recorder.profiles()), ProfilesCsv(b->recorder.profiles())) << spec;
    EXPECT_EQ(a->result.usage.seconds, b->result.usage.seconds) << spec;
  }
}

TEST(SimulationTest, FewerWindowsWhenAsked) {
  SimulationOptions o = Options(2, 1);
  o.workload.windows = 2;
  auto run = Simulate(o, "noretrain");
  ASSERT_TRUE(run->status.ok()) << run->status.ToString();
  EXPECT_EQ(run->result.windows, 2);
  EXPECT_EQ(run->recorder.windows().size(), 2u * 2);
}

TEST(SimulationTest, AnUnrecordedConfigFailsTheRunNamingIt) {
  auto run = Simulate(Options(1, 1), "fair:config=all-h1024-f1.0-e30,inference_fraction=0.5");
  ASSERT_FALSE(run->status.ok());
  EXPECT_NE(run->status.message().find("all-h1024-f1.0-e30"), std::string::npos) << run->status.message();
}

}  // namespace
}  // namespace ekya
