// Whole simulated runs (sim/simulation.h): the controller, the virtual
// executor and the SimWorkload on the hand-written recording. noretrain
// scores exactly the recorded "none" rows; fair's swap happens when its
// cost at its share says; profiling policies pay the recorded profiler
// costs and see the recorded predictions; runs are deterministic, and a
// replay of a run reproduces it.
#include "ekya/sim/simulation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ekya/config/settings.h"
#include "ekya/report/run_output.h"
#include "ekya/sched/policies/replay.h"
#include "sim/sim_fixture.h"

namespace ekya {
namespace {

using testing::kCheap;
using testing::kExpensive;
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

// Replay (sched/policies/replay.h) of a simulated run, on the same profiles
// and settings, reproduces it: the policy is asked at the same moments (after
// the same profiling phase when the run had one), and windows.csv matches row
// for row. Shares pass through allocations.csv and windows.csv with 6
// significant digits, so a replayed share may differ from the original by
// 5e-7 relative; jobs then end a hair apart (the done times are compared to
// 1e-6 relative, the decision times to replay's own matching tolerance,
// 1e-6 + 5e-6·|τ|); exact equality was seen to fail by an ulp or so (a
// retraining share of 0.05, a done time of 67 s). Accuracies are whole
// chunks of frames and come out equal.
void ExpectReplayReproduces(const SimulationOptions& o, const std::string& spec, bool profiled,
                            const std::string& name) {
  SCOPED_TRACE(name);
  auto original = Simulate(o, spec);
  ASSERT_TRUE(original->status.ok()) << original->status.ToString();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ekya_sim_replay_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "windows.csv") << WindowsCsv(original->recorder.windows());
  std::ofstream(dir / "allocations.csv") << AllocationsCsv(original->recorder.allocations());

  Result<std::unique_ptr<ReplayPolicy>> policy = ReplayPolicy::Create(dir.string());
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ((*policy)->record().profiled(), profiled);
  EXPECT_EQ((*policy)->NeedsEstimates(), profiled);
  Run replayed;
  Result<SimulationResult> r = RunSimulation(SimTable(), SimCosts(), o, **policy, replayed.recorder);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  replayed.result = *r;

  const auto& want = original->recorder.decisions();
  const auto& got = replayed.recorder.decisions();
  ASSERT_EQ(got.size(), want.size());
  int replans = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    replans += want[i].replan ? 1 : 0;
    EXPECT_EQ(got[i].window, want[i].window) << "decision " << i;
    EXPECT_EQ(got[i].replan, want[i].replan) << "decision " << i;
    EXPECT_NEAR(got[i].time_s, want[i].time_s, 1e-6 + 5e-6 * std::abs(want[i].time_s)) << "decision " << i;
  }
  if (o.on_completion == OnCompletion::kReplan) EXPECT_GT(replans, 0) << "re-plans are replayed too";

  const auto& a = original->recorder.windows();
  const auto& b = replayed.recorder.windows();
  ASSERT_EQ(b.size(), a.size());
  int retrained = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("stream " + std::to_string(a[i].stream) + " window " + std::to_string(a[i].window));
    EXPECT_EQ(b[i].stream, a[i].stream);
    EXPECT_EQ(b[i].window, a[i].window);
    EXPECT_EQ(b[i].retrain_config, a[i].retrain_config);
    EXPECT_NEAR(b[i].inference_share, a[i].inference_share, 1e-6 * a[i].inference_share);
    EXPECT_NEAR(b[i].retrain_share, a[i].retrain_share, 1e-6 * a[i].retrain_share);
    EXPECT_EQ(b[i].accuracy_before, a[i].accuracy_before);
    EXPECT_EQ(b[i].accuracy_after, a[i].accuracy_after);
    ASSERT_EQ(b[i].retrain_done_s.has_value(), a[i].retrain_done_s.has_value());
    if (a[i].retrain_done_s.has_value()) {
      ++retrained;
      EXPECT_NEAR(*b[i].retrain_done_s, *a[i].retrain_done_s, 1e-6 * *a[i].retrain_done_s);
    }
    EXPECT_EQ(b[i].window_accuracy, a[i].window_accuracy);
  }
  EXPECT_GT(retrained, 0) << "the run retrains, so the replay is tested on jobs";
  EXPECT_EQ(replayed.Summary().mean_accuracy, original->Summary().mean_accuracy);
  std::filesystem::remove_all(dir);
}

TEST(SimulationTest, ReplayReproducesAProfilingRun) {
  // The thief plans after the micro-profiler: the replay must run the same
  // profiling phase, or its plan (and every re-plan) comes at other times.
  for (OnCompletion on_completion : {OnCompletion::kReplan, OnCompletion::kToInference}) {
    SimulationOptions o = Options(3, 2);
    o.on_completion = on_completion;
    ExpectReplayReproduces(o, "thief", /*profiled=*/true,
                           on_completion == OnCompletion::kReplan ? "thief_replan" : "thief_handout");
  }
}

TEST(SimulationTest, ReplayReproducesARunWithoutProfiling) {
  for (OnCompletion on_completion : {OnCompletion::kReplan, OnCompletion::kToInference}) {
    SimulationOptions o = Options(3, 2);
    o.on_completion = on_completion;
    ExpectReplayReproduces(o, std::string("fair:config=") + kExpensive + ",inference_fraction=0.5",
                           /*profiled=*/false,
                           on_completion == OnCompletion::kReplan ? "fair_replan" : "fair_handout");
  }
}

}  // namespace
}  // namespace ekya
