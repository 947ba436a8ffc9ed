// The window loop (SPEC §2, §7.6, §8) driven by a FakeWorkload on the
// VirtualExecutor and a ManualClock: model swaps at chunk boundaries,
// stopping at the window's end, hand-out and re-plan of freed shares,
// conservation and placement read back from the allocation rows, window 0,
// noretrain, failed jobs, invalid allocations and determinism.
#include "ekya/runtime/controller.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ekya/config/settings.h"
#include "ekya/exec/virtual_executor.h"
#include "ekya/report/run_output.h"
#include "ekya/sched/policies/fair.h"
#include "support/fakes.h"

namespace ekya {
namespace {

using testing::FakeJobScript;
using testing::FakeWorkload;
using testing::FakeWorkloadOptions;
using testing::LabelThenRetrain;
using testing::ScriptedPolicy;
using testing::UniformScript;

constexpr double kTimeEps = 1e-6;
constexpr char kFairConfig[] = "head-h64-f0.1-e5";
constexpr char kFair[] = "fair:config=head-h64-f0.1-e5,inference_fraction=0.5";

// A RunRecorder that can also watch the window rows as they arrive.
class WatchingRecorder : public RunRecorder {
 public:
  void OnWindow(const WindowRecord& r) override {
    RunRecorder::OnWindow(r);
    if (on_window) on_window(r);
  }
  std::function<void(const WindowRecord&)> on_window;
};

ControllerOptions Options(int streams, int devices, int windows = 2, int chunks = 4, double P = 100) {
  ControllerOptions o;
  o.streams = streams;
  o.devices = devices;
  o.windows = windows;
  o.chunks = chunks;
  o.window_seconds = P;
  o.r_max = 0.25;
  o.on_completion = OnCompletion::kToInference;
  o.configs = {*RetrainConfig::Parse(kFairConfig)};
  return o;
}

std::unique_ptr<Policy> Make(const std::string& spec) {
  Result<std::unique_ptr<Policy>> policy = MakePolicy(spec, Settings());
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? std::move(policy).value() : nullptr;
}

// One run: the clock, the virtual executor, the fake workload and the recorder.
struct Harness {
  Harness(const ControllerOptions& o, FakeWorkloadOptions w)
      : options(o), workload(Prepare(o, std::move(w))) {
    VirtualExecutorOptions eo;
    eo.devices = o.devices;
    eo.r_max = o.r_max;
    Result<std::unique_ptr<VirtualExecutor>> ex = VirtualExecutor::Create(clock, eo);
    EXPECT_TRUE(ex.ok()) << ex.status().ToString();
    executor = std::move(ex).value();
  }
  static FakeWorkloadOptions Prepare(const ControllerOptions& o, FakeWorkloadOptions w) {
    w.streams = o.streams;
    w.r_max = o.r_max;
    return w;
  }
  Status Run(const Policy& policy) {
    Result<std::unique_ptr<Controller>> c =
        Controller::Create(options, clock, *executor, workload, policy, sink);
    if (!c.ok()) return c.status();
    return (*c)->Run();
  }

  // Rows of one window, stream and job kind, in the order recorded.
  std::vector<AllocationRecord> Rows(int window, int stream, JobKind kind) const {
    std::vector<AllocationRecord> out;
    for (const AllocationRecord& r : sink.allocations())
      if (r.window == window && r.stream == stream && r.job == kind) out.push_back(r);
    return out;
  }
  std::vector<AllocationRecord> RowsAt(int window, double time_s) const {
    std::vector<AllocationRecord> out;
    for (const AllocationRecord& r : sink.allocations())
      if (r.window == window && std::abs(r.time_s - time_s) < kTimeEps) out.push_back(r);
    return out;
  }
  std::vector<ChunkRecord> Chunks(int window, int stream) const {
    std::vector<ChunkRecord> out;
    for (const ChunkRecord& r : sink.chunks())
      if (r.window == window && r.stream == stream) out.push_back(r);
    return out;
  }
  const WindowRecord* Window(int window, int stream) const {
    for (const WindowRecord& r : sink.windows())
      if (r.window == window && r.stream == stream) return &r;
    return nullptr;
  }

  ControllerOptions options;
  ManualClock clock;
  std::unique_ptr<VirtualExecutor> executor;
  FakeWorkload workload;
  WatchingRecorder sink;
};

void ExpectRow(const AllocationRecord& r, double time_s, int stream, JobKind kind, double share,
               const std::string& reason) {
  EXPECT_NEAR(r.time_s, time_s, kTimeEps) << reason;
  EXPECT_EQ(r.stream, stream) << reason;
  EXPECT_EQ(r.job, kind) << reason << " " << JobKindName(r.job);
  EXPECT_NEAR(r.share, share, 1e-12) << reason;
  EXPECT_EQ(r.reason, reason);
}

// Replays the allocation rows: at every distinct (window, time), after all its
// rows, the shares in force on each device sum to at most 1.
void ExpectDevicesNeverOverCapacity(const std::vector<AllocationRecord>& rows, int devices) {
  std::map<std::pair<int, JobKind>, std::pair<int, double>> current;  // (stream, kind) -> (device, share)
  for (size_t i = 0; i < rows.size(); ++i) {
    const AllocationRecord& r = rows[i];
    if (i > 0 && rows[i - 1].window != r.window) current.clear();
    current[{r.stream, r.job}] = {r.device, r.share};
    const bool moment_ends = i + 1 == rows.size() || rows[i + 1].window != r.window ||
                             std::abs(rows[i + 1].time_s - r.time_s) > kTimeEps;
    if (!moment_ends) continue;
    std::vector<double> sum(devices, 0.0);
    for (const auto& [key, value] : current) sum.at(value.first) += value.second;
    for (int d = 0; d < devices; ++d)
      EXPECT_LE(sum[d], 1.0 + 1e-9) << "window " << r.window << " t=" << r.time_s << " device " << d;
  }
}

// Integrates every (window, stream, job) share from its row to the next row
// of the same job; checks the closing rows and the per-device budget P.
void ExpectConservedByRows(const std::vector<AllocationRecord>& rows, int windows, int devices, double P) {
  std::map<std::tuple<int, int, JobKind>, std::vector<AllocationRecord>> by_job;
  for (const AllocationRecord& r : rows) by_job[{r.window, r.stream, r.job}].push_back(r);
  std::vector<std::vector<double>> used(windows, std::vector<double>(devices, 0.0));
  for (const auto& [key, job_rows] : by_job) {
    const auto& [window, stream, kind] = key;
    SCOPED_TRACE("window " + std::to_string(window) + " stream " + std::to_string(stream) + " " +
                 JobKindName(kind));
    ASSERT_FALSE(job_rows.empty());
    const AllocationRecord& last = job_rows.back();
    EXPECT_EQ(last.reason, "window_end");
    EXPECT_EQ(last.share, 0.0);
    EXPECT_NEAR(last.time_s, P, kTimeEps);
    for (size_t i = 0; i + 1 < job_rows.size(); ++i) {
      const double dt = job_rows[i + 1].time_s - job_rows[i].time_s;
      EXPECT_GE(dt, -kTimeEps) << "rows out of time order";
      used[window][job_rows[i].device] += job_rows[i].share * dt;
    }
  }
  for (int t = 0; t < windows; ++t)
    for (int d = 0; d < devices; ++d) EXPECT_LE(used[t][d], P + 1e-6) << "window " << t << " device " << d;
}

TEST(ControllerTest, RefusesBadOptions) {
  ManualClock clock;
  auto executor = std::move(VirtualExecutor::Create(clock, {})).value();
  FakeWorkload workload({});
  RunRecorder sink;
  auto policy = Make("noretrain");
  ASSERT_NE(policy, nullptr);
  auto refused = [&](ControllerOptions o, const std::string& word) {
    Result<std::unique_ptr<Controller>> c = Controller::Create(o, clock, *executor, workload, *policy, sink);
    ASSERT_FALSE(c.ok()) << word;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(word), std::string::npos) << c.status().ToString();
  };
  ControllerOptions o = Options(1, 1);
  o.streams = 0;
  refused(o, "streams");
  o = Options(1, 1);
  o.windows = 0;
  refused(o, "windows");
  o = Options(1, 1);
  o.chunks = 0;
  refused(o, "chunks");
  o = Options(1, 1);
  o.devices = 0;
  refused(o, "devices");
  o = Options(1, 1);
  o.window_seconds = 0;
  refused(o, "window_seconds");
  o = Options(1, 1);
  o.r_max = 1.5;
  refused(o, "r_max");
}

// Job of 30 device-seconds at 0.5 + 0.25 lent: done at 40 s, inside chunk 1
// (25–50 s) of window 1.
TEST(ControllerTest, ModelSwapsAtTheNextChunkStart) {
  FakeWorkloadOptions w;
  w.base_accuracy = {0.5};
  w.accuracy_after = 0.9;
  w.default_script = LabelThenRetrain(3.0, 9, 3.0);
  Harness h(Options(1, 1, /*windows=*/3), w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  const std::vector<ChunkRecord> w1 = h.Chunks(1, 0);
  ASSERT_EQ(w1.size(), 4u);
  EXPECT_EQ(w1[0].model_version, 0);
  EXPECT_EQ(w1[1].model_version, 0);
  EXPECT_EQ(w1[2].model_version, 1);
  EXPECT_EQ(w1[3].model_version, 1);
  // The workload scored chunk 2 with the new model (0.9 of 100 frames, full rate).
  EXPECT_EQ(w1[1].correct, 50);
  EXPECT_EQ(w1[2].correct, 90);
  EXPECT_DOUBLE_EQ(w1[2].inference_share, 1.0);  // the freed 0.5 was handed to inference
  ASSERT_FALSE(h.workload.deployments().empty());
  EXPECT_EQ(h.workload.deployments()[0].window, 1);
  EXPECT_EQ(h.workload.deployments()[0].chunks_inferred, 2);

  const WindowRecord* row = h.Window(1, 0);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->retrain_config, kFairConfig);
  EXPECT_DOUBLE_EQ(row->inference_share, 0.5);
  EXPECT_DOUBLE_EQ(row->retrain_share, 0.5);
  EXPECT_DOUBLE_EQ(row->accuracy_before, 0.5);
  ASSERT_TRUE(row->accuracy_after.has_value());
  EXPECT_DOUBLE_EQ(*row->accuracy_after, 0.9);
  ASSERT_TRUE(row->retrain_done_s.has_value());
  EXPECT_NEAR(*row->retrain_done_s, 40.0, kTimeEps);
  EXPECT_NEAR(row->window_accuracy, (0.5 + 0.5 + 0.9 + 0.9) / 4, 1e-12);

  // Window 1's allocation rows, in order.
  std::vector<AllocationRecord> rows;
  for (const AllocationRecord& r : h.sink.allocations())
    if (r.window == 1) rows.push_back(r);
  ASSERT_EQ(rows.size(), 10u);
  ExpectRow(rows[0], 0, 0, JobKind::kInference, 1.0, "window_start");
  ExpectRow(rows[1], 0, 0, JobKind::kInference, 0.5, "plan");
  ExpectRow(rows[2], 0, 0, JobKind::kLabelling, 0.5, "plan");
  ExpectRow(rows[3], 4, 0, JobKind::kLabelling, 0.0, "labelled");
  ExpectRow(rows[4], 4, 0, JobKind::kRetraining, 0.5, "labelled");
  ExpectRow(rows[5], 40, 0, JobKind::kRetraining, 0.0, "done");
  ExpectRow(rows[6], 40, 0, JobKind::kInference, 1.0, "handout");
  ExpectRow(rows[7], 100, 0, JobKind::kInference, 0.0, "window_end");
  ExpectRow(rows[8], 100, 0, JobKind::kRetraining, 0.0, "window_end");
  ExpectRow(rows[9], 100, 0, JobKind::kLabelling, 0.0, "window_end");

  // Window 2 starts with the retrained model and retrains again.
  const WindowRecord* next = h.Window(2, 0);
  ASSERT_NE(next, nullptr);
  EXPECT_DOUBLE_EQ(next->accuracy_before, 0.9);
  const std::vector<ChunkRecord> w2 = h.Chunks(2, 0);
  ASSERT_EQ(w2.size(), 4u);
  EXPECT_EQ(w2[0].model_version, 1);
  EXPECT_EQ(w2[2].model_version, 2);
}

// Job of 60 device-seconds at 0.75: done at 80 s, in the last chunk (75–100 s).
TEST(ControllerTest, JobDoneInTheLastChunkIsDeployedForTheNextWindow) {
  FakeWorkloadOptions w;
  w.default_script = LabelThenRetrain(3.0, 19, 3.0);
  Harness h(Options(1, 1, /*windows=*/3), w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  for (const ChunkRecord& c : h.Chunks(1, 0)) EXPECT_EQ(c.model_version, 0) << "chunk " << c.chunk;
  const WindowRecord* row = h.Window(1, 0);
  ASSERT_NE(row, nullptr);
  ASSERT_TRUE(row->retrain_done_s.has_value());
  EXPECT_NEAR(*row->retrain_done_s, 80.0, kTimeEps);
  ASSERT_TRUE(row->accuracy_after.has_value());
  EXPECT_DOUBLE_EQ(*row->accuracy_after, 0.9);

  ASSERT_FALSE(h.workload.deployments().empty());
  EXPECT_EQ(h.workload.deployments()[0].window, 1);
  EXPECT_EQ(h.workload.deployments()[0].chunks_inferred, 4);
  const std::vector<ChunkRecord> w2 = h.Chunks(2, 0);
  ASSERT_EQ(w2.size(), 4u);
  EXPECT_EQ(w2[0].model_version, 1);
  EXPECT_EQ(w2[0].correct, 90);
  EXPECT_DOUBLE_EQ(h.Window(2, 0)->accuracy_before, 0.9);
}

// 200 steps of 5 device-seconds at 0.75: 75 are paid by the window's end.
TEST(ControllerTest, UnfinishedJobIsStoppedAtTheWindowEnd) {
  FakeWorkloadOptions w;
  w.default_script = UniformScript(200, 5.0);
  Harness h(Options(1, 1, /*windows=*/3), w);
  std::optional<int> steps_at_window1_end;
  std::optional<bool> destroyed_at_window1_end;
  h.sink.on_window = [&](const WindowRecord& r) {
    if (r.window != 1) return;
    ASSERT_FALSE(h.workload.made().empty());
    steps_at_window1_end = h.workload.made()[0].log->steps_run.load();
    destroyed_at_window1_end = h.workload.made()[0].log->destroyed.load();
  };
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  for (const AllocationRecord& r : h.sink.allocations()) EXPECT_NE(r.reason, "done");
  for (int t : {1, 2}) {
    const WindowRecord* row = h.Window(t, 0);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->retrain_config, kFairConfig);
    EXPECT_EQ(row->retrain_done_s, std::nullopt);
    EXPECT_EQ(row->accuracy_after, std::nullopt);
    for (const ChunkRecord& c : h.Chunks(t, 0)) EXPECT_EQ(c.model_version, 0);
  }
  EXPECT_TRUE(h.workload.deployments().empty());
  EXPECT_EQ(h.workload.model_version(0), 0);

  // Stopped and discarded before the window's row; it ran no more than one
  // step beyond what its share paid for (0.75 × 100 = 75 = 15 steps).
  ASSERT_EQ(h.workload.made().size(), 2u);
  ASSERT_TRUE(destroyed_at_window1_end.has_value());
  EXPECT_TRUE(*destroyed_at_window1_end);
  const int steps = h.workload.made()[0].log->steps_run;
  EXPECT_EQ(steps, *steps_at_window1_end);
  EXPECT_GE(steps, 15);
  EXPECT_LE(steps, 16);
  EXPECT_FALSE(h.workload.made()[0].log->finished);
  // The devices were charged for the two windows of retraining.
  EXPECT_NEAR(h.executor->Usage()[0][JobKind::kRetraining], 2 * 75.0, 1e-6);
}

// Device 0: streams 0 and 2 (inference 0.25, retraining 0.25 each); device 1:
// stream 1 (0.5 and 0.5). Stream 0's 10 device-seconds are done at 40 s.
TEST(ControllerTest, FreedShareIsHandedToTheDevicesInferenceJobs) {
  FakeWorkloadOptions w;
  w.stream_scripts[0] = UniformScript(2, 5.0);
  w.default_script = UniformScript(100, 10.0);
  Harness h(Options(3, 2), w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  const std::vector<AllocationRecord> at40 = h.RowsAt(1, 40);
  ASSERT_EQ(at40.size(), 3u);
  ExpectRow(at40[0], 40, 0, JobKind::kRetraining, 0.0, "done");
  ExpectRow(at40[1], 40, 0, JobKind::kInference, 0.25 + 0.25 / 2, "handout");
  ExpectRow(at40[2], 40, 2, JobKind::kInference, 0.25 + 0.25 / 2, "handout");
  EXPECT_EQ(at40[1].device, 0);
  EXPECT_EQ(at40[2].device, 0);

  // Stream 1 (device 1) and stream 2's retraining are untouched until the end.
  for (const AllocationRecord& r : h.sink.allocations()) {
    if (r.window != 1 || r.reason == "window_end" || r.time_s < kTimeEps) continue;
    EXPECT_NE(r.stream, 1) << r.reason << " at " << r.time_s;
    if (r.stream == 2) EXPECT_EQ(r.job, JobKind::kInference);
  }
  const std::vector<ChunkRecord> s1 = h.Chunks(1, 1);
  for (const ChunkRecord& c : s1) EXPECT_DOUBLE_EQ(c.inference_share, 0.5);
  const std::vector<ChunkRecord> s2 = h.Chunks(1, 2);
  ASSERT_EQ(s2.size(), 4u);
  EXPECT_DOUBLE_EQ(s2[1].inference_share, 0.25);
  EXPECT_DOUBLE_EQ(s2[2].inference_share, 0.375);
  ExpectDevicesNeverOverCapacity(h.sink.allocations(), 2);
}

// Three streams on one device, inference 1/6 and retraining 1/6 each; stream
// 0's 10 device-seconds are done at 60 s; fair then gives the two running
// jobs (1 − 0.5)/2 each.
TEST(ControllerTest, ReplanGrowsTheRunningJobsShares) {
  FakeWorkloadOptions w;
  w.stream_scripts[0] = UniformScript(2, 5.0);
  w.default_script = UniformScript(100, 10.0);
  ControllerOptions o = Options(3, 1);
  o.on_completion = OnCompletion::kReplan;
  Harness h(o, w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  const std::vector<AllocationRecord> at60 = h.RowsAt(1, 60);
  ASSERT_EQ(at60.size(), 3u);
  ExpectRow(at60[0], 60, 0, JobKind::kRetraining, 0.0, "done");
  ExpectRow(at60[1], 60, 1, JobKind::kRetraining, 0.25, "replan");
  ExpectRow(at60[2], 60, 2, JobKind::kRetraining, 0.25, "replan");

  std::vector<DecisionRecord> replans;
  for (const DecisionRecord& d : h.sink.decisions())
    if (d.replan) replans.push_back(d);
  ASSERT_EQ(replans.size(), 1u);
  EXPECT_EQ(replans[0].window, 1);
  EXPECT_NEAR(replans[0].time_s, 60, kTimeEps);
  // The window rows keep the plan of the window's start.
  EXPECT_NEAR(h.Window(1, 1)->retrain_share, 1.0 / 6, 1e-12);
  ExpectDevicesNeverOverCapacity(h.sink.allocations(), 1);
}

// Issue 4: every decision hands its snapshot to the sink (snapshots.jsonl),
// the window-start ones and the re-plan with the jobs running then.
TEST(ControllerTest, EveryDecisionRecordsItsSnapshot) {
  FakeWorkloadOptions w;
  w.stream_scripts[0] = UniformScript(2, 5.0);
  w.default_script = UniformScript(100, 10.0);
  ControllerOptions o = Options(3, 1, /*windows=*/3);
  o.on_completion = OnCompletion::kReplan;
  Harness h(o, w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  const std::vector<DecisionRecord>& decisions = h.sink.decisions();
  const std::vector<SnapshotRecord>& snapshots = h.sink.snapshots();
  ASSERT_EQ(snapshots.size(), decisions.size());
  ASSERT_GE(decisions.size(), 3u);
  int replans = 0;
  for (size_t i = 0; i < decisions.size(); ++i) {
    EXPECT_EQ(decisions[i].snapshot, nullptr) << "the recorder keeps a copy, not the pointer";
    EXPECT_EQ(snapshots[i].window, decisions[i].window);
    EXPECT_EQ(snapshots[i].time_s, decisions[i].time_s);
    EXPECT_EQ(snapshots[i].replan, decisions[i].replan);
    const Snapshot& snap = snapshots[i].snapshot;
    EXPECT_EQ(snap.window, decisions[i].window);
    EXPECT_EQ(snap.replan, decisions[i].replan);
    EXPECT_EQ(snap.streams.size(), 3u);
    EXPECT_EQ(snap.devices, 1);
    EXPECT_EQ(snap.window_seconds, o.window_seconds);
    EXPECT_EQ(snap.configs.size(), o.configs.size());
    if (snap.replan) {
      ++replans;
      EXPECT_TRUE(snap.streams[0].retrained_this_window);
      EXPECT_TRUE(snap.streams[1].running.has_value());
      EXPECT_GT(snap.streams[1].retrain_share, 0.0);
    } else {
      EXPECT_EQ(snap.time_s, 0.0);
      for (const StreamState& st : snap.streams) EXPECT_FALSE(st.running.has_value());
    }
  }
  EXPECT_GE(replans, 1);
}

// A ScriptedPolicy over fair: the re-plan snapshot shows what runs and what finished.
TEST(ControllerTest, ReplanSnapshotDescribesTheRunningJobs) {
  FairOptions fo;
  fo.config = *RetrainConfig::Parse(kFairConfig);
  fo.inference_fraction = 0.5;
  std::unique_ptr<FairPolicy> fair = std::move(FairPolicy::Create(fo)).value();
  ScriptedPolicy policy("scripted:fair", [&](const Snapshot& s) { return fair->Decide(s); });
  FakeWorkloadOptions w;
  w.stream_scripts[0] = UniformScript(2, 5.0);
  w.default_script = UniformScript(100, 10.0);
  ControllerOptions o = Options(3, 1);
  o.on_completion = OnCompletion::kReplan;
  Harness h(o, w);
  ASSERT_TRUE(h.Run(policy).ok());

  const std::vector<Snapshot> seen = policy.seen();
  ASSERT_EQ(seen.size(), 2u);  // window 1's start and one re-plan; none for window 0
  EXPECT_FALSE(seen[0].replan);
  EXPECT_EQ(seen[0].window, 1);
  EXPECT_NEAR(seen[0].time_s, 0, kTimeEps);
  EXPECT_EQ(seen[0].configs.size(), 1u);
  for (const StreamState& st : seen[0].streams) {
    EXPECT_FALSE(st.running.has_value());
    EXPECT_FALSE(st.retrained_this_window);
  }
  const Snapshot& re = seen[1];
  EXPECT_TRUE(re.replan);
  EXPECT_NEAR(re.time_s, 60, kTimeEps);
  ASSERT_EQ(re.streams.size(), 3u);
  EXPECT_TRUE(re.streams[0].retrained_this_window);
  EXPECT_FALSE(re.streams[0].running.has_value());
  EXPECT_EQ(re.streams[0].retrain_share, 0.0);
  for (int s : {1, 2}) {
    ASSERT_TRUE(re.streams[s].running.has_value());
    EXPECT_EQ(re.streams[s].running->Id(), kFairConfig);
    EXPECT_NEAR(re.streams[s].retrain_share, 1.0 / 6, 1e-12);
    EXPECT_GT(re.streams[s].running_remaining_seconds, 0.0);
  }
}

// Regression (found by this suite): policy.h says StreamState::inference_share is "current shares (replan); 0
// at the window start".
TEST(ControllerTest, WindowStartSnapshotHasNoCurrentShares) {
  FairOptions fo;
  fo.config = *RetrainConfig::Parse(kFairConfig);
  std::unique_ptr<FairPolicy> fair = std::move(FairPolicy::Create(fo)).value();
  ScriptedPolicy policy("scripted:fair", [&](const Snapshot& s) { return fair->Decide(s); });
  Harness h(Options(3, 2), {});
  ASSERT_TRUE(h.Run(policy).ok());
  const std::vector<Snapshot> seen = policy.seen();
  ASSERT_FALSE(seen.empty());
  ASSERT_FALSE(seen[0].replan);
  for (const StreamState& st : seen[0].streams) {
    EXPECT_EQ(st.inference_share, 0.0) << "stream " << st.stream;
    EXPECT_EQ(st.retrain_share, 0.0) << "stream " << st.stream;
  }
}

// Window and chunk lengths that are not exact in binary: rows stay in the
// window, budgets hold, and every chunk is scored once.
TEST(ControllerTest, AwkwardTimesKeepTheInvariants) {
  for (OnCompletion oc : {OnCompletion::kToInference, OnCompletion::kReplan}) {
    FakeWorkloadOptions w;
    w.stream_scripts[0] = LabelThenRetrain(0.1, 3, 0.3);
    w.stream_scripts[1] = UniformScript(7, 0.11);
    w.default_script = LabelThenRetrain(0.2, 9, 0.17);
    ControllerOptions o = Options(3, 2, /*windows=*/5, /*chunks=*/7, /*P=*/7.3);
    o.on_completion = oc;
    Harness h(o, w);
    auto policy = Make(kFair);
    ASSERT_NE(policy, nullptr);
    ASSERT_TRUE(h.Run(*policy).ok());
    EXPECT_EQ(h.sink.chunks().size(), 5u * 3u * 7u);
    for (const AllocationRecord& r : h.sink.allocations()) {
      EXPECT_GE(r.time_s, -1e-9);
      EXPECT_LE(r.time_s, 7.3 + 1e-9);
    }
    ExpectConservedByRows(h.sink.allocations(), 5, 2, 7.3);
    ExpectDevicesNeverOverCapacity(h.sink.allocations(), 2);
    for (const DeviceUsage& u : h.executor->Usage()) EXPECT_LE(u.Total(), 5 * 7.3 + 1e-9);
    EXPECT_NEAR(h.clock.NowSeconds(), 5 * 7.3, 1e-9);
    int done = 0;
    for (const WindowRecord& r : h.sink.windows()) done += r.retrain_done_s.has_value() ? 1 : 0;
    EXPECT_GE(done, 4);
  }
}

void RunMixedScenario(OnCompletion on_completion, Harness** out_harness, std::unique_ptr<Harness>& keep) {
  FakeWorkloadOptions w;
  w.stream_scripts[0] = LabelThenRetrain(2.0, 4, 2.0);
  w.stream_scripts[1] = UniformScript(3, 4.0);
  FakeJobScript failing = LabelThenRetrain(1.0, 5, 1.0);
  failing.fail_at = 3;
  w.stream_scripts[2] = failing;
  w.stream_scripts[3] = LabelThenRetrain(5.0, 50, 5.0);  // never finishes
  w.default_script = LabelThenRetrain(1.0, 6, 1.5);
  ControllerOptions o = Options(5, 2, /*windows=*/3, /*chunks=*/5);
  o.on_completion = on_completion;
  keep = std::make_unique<Harness>(o, w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(keep->Run(*policy).ok());
  *out_harness = keep.get();
}

TEST(ControllerTest, AllocationRowsConserveEachDevicesWindow) {
  for (OnCompletion oc : {OnCompletion::kToInference, OnCompletion::kReplan}) {
    SCOPED_TRACE(oc == OnCompletion::kReplan ? "replan" : "to_inference");
    std::unique_ptr<Harness> keep;
    Harness* h = nullptr;
    RunMixedScenario(oc, &h, keep);
    ASSERT_NE(h, nullptr);
    const auto& rows = h->sink.allocations();
    std::set<std::string> reasons;
    for (const AllocationRecord& r : rows) reasons.insert(r.reason);
    for (const char* reason : {"done", "failed", "labelled", "window_end"})
      EXPECT_TRUE(reasons.count(reason)) << "scenario never produced " << reason;
    ExpectConservedByRows(rows, 3, 2, 100);
    ExpectDevicesNeverOverCapacity(rows, 2);
    for (const DeviceUsage& u : h->executor->Usage()) EXPECT_LE(u.Total(), 3 * 100 + 1e-6);
  }
}

TEST(ControllerTest, StreamsArePlacedRoundRobin) {
  std::unique_ptr<Harness> keep;
  Harness* h = nullptr;
  RunMixedScenario(OnCompletion::kToInference, &h, keep);
  ASSERT_NE(h, nullptr);
  std::set<int> streams_seen;
  for (const AllocationRecord& r : h->sink.allocations()) {
    EXPECT_EQ(r.device, r.stream % 2) << "stream " << r.stream;
    streams_seen.insert(r.stream);
  }
  EXPECT_EQ(streams_seen, (std::set<int>{0, 1, 2, 3, 4}));
  // Window starts: device 0 holds 3 streams, device 1 holds 2.
  for (const AllocationRecord& r : h->sink.allocations()) {
    if (r.reason != "window_start") continue;
    EXPECT_NEAR(r.share, r.stream % 2 == 0 ? 1.0 / 3 : 0.5, 1e-12);
  }
}

TEST(ControllerTest, WindowZeroOnlyCollectsAndEveryWindowHasItsChunks) {
  FakeWorkloadOptions w;
  w.default_script = LabelThenRetrain(1.0, 4, 2.0);
  ControllerOptions o = Options(3, 2, /*windows=*/3, /*chunks=*/6, /*P=*/90);
  Harness h(o, w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());

  ASSERT_EQ(h.sink.decisions().size(), 2u);
  for (const DecisionRecord& d : h.sink.decisions()) {
    EXPECT_GE(d.window, 1);
    EXPECT_FALSE(d.replan);
  }
  for (const AllocationRecord& r : h.sink.allocations())
    if (r.window == 0) EXPECT_EQ(r.job, JobKind::kInference) << r.reason;
  for (const FakeWorkload::MadeJob& m : h.workload.made()) EXPECT_GE(m.window, 1);
  EXPECT_EQ(h.workload.made().size(), 2u * 3u);

  EXPECT_EQ(h.sink.chunks().size(), 3u * 3u * 6u);
  EXPECT_EQ(h.sink.windows().size(), 3u * 3u);
  for (int t = 0; t < 3; ++t) {
    for (int s = 0; s < 3; ++s) {
      const std::vector<ChunkRecord> chunks = h.Chunks(t, s);
      ASSERT_EQ(chunks.size(), 6u);
      for (int c = 0; c < 6; ++c) {
        EXPECT_EQ(chunks[c].chunk, c);
        EXPECT_NEAR(chunks[c].time_s, c * 90.0 / 6, 1e-9);
        EXPECT_EQ(chunks[c].frames_total, 100);
        EXPECT_EQ(chunks[c].accuracy_mode, "table");
      }
      const WindowRecord* row = h.Window(t, s);
      ASSERT_NE(row, nullptr);
      if (t == 0) {
        EXPECT_EQ(row->retrain_config, "none");
        EXPECT_EQ(row->retrain_share, 0.0);
        EXPECT_EQ(row->retrain_done_s, std::nullopt);
      }
    }
  }
}

TEST(ControllerTest, NoRetrainGivesInferenceOnlyAFairSplit) {
  Harness h(Options(3, 2, /*windows=*/3), {});
  auto policy = Make("noretrain");
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE(h.Run(*policy).ok());
  ASSERT_FALSE(h.sink.allocations().empty());
  for (const AllocationRecord& r : h.sink.allocations()) {
    EXPECT_EQ(r.job, JobKind::kInference);
    if (r.reason == "window_end") {
      EXPECT_EQ(r.share, 0.0);
    } else {
      EXPECT_NEAR(r.share, r.device == 0 ? 0.5 : 1.0, 1e-12) << r.reason;
    }
  }
  EXPECT_TRUE(h.workload.made().empty());
  EXPECT_TRUE(h.workload.deployments().empty());
  for (const ChunkRecord& c : h.sink.chunks()) EXPECT_EQ(c.model_version, 0);
  EXPECT_EQ(h.sink.decisions().size(), 2u);
  for (const DeviceUsage& u : h.executor->Usage()) EXPECT_EQ(u[JobKind::kRetraining], 0.0);
}

// Stream 0's job fails at its third step (2 × 5 device-seconds paid at 0.75).
TEST(ControllerTest, FailedJobKeepsTheModelAndTheRunGoesOn) {
  FakeWorkloadOptions w;
  FakeJobScript failing = UniformScript(10, 5.0);
  failing.fail_at = 2;
  w.stream_scripts[0] = failing;
  Harness h(Options(1, 1, /*windows=*/3), w);
  auto policy = Make(kFair);
  ASSERT_NE(policy, nullptr);
  Status status = h.Run(*policy);
  ASSERT_TRUE(status.ok()) << status.ToString();

  const double fail_s = 10.0 / 0.75;
  const std::vector<AllocationRecord> at_fail = h.RowsAt(1, fail_s);
  ASSERT_EQ(at_fail.size(), 2u);
  ExpectRow(at_fail[0], fail_s, 0, JobKind::kRetraining, 0.0, "failed");
  ExpectRow(at_fail[1], fail_s, 0, JobKind::kInference, 1.0, "handout");
  for (const ChunkRecord& c : h.sink.chunks()) EXPECT_EQ(c.model_version, 0);
  EXPECT_TRUE(h.workload.deployments().empty());
  for (int t : {1, 2}) {
    const WindowRecord* row = h.Window(t, 0);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->retrain_done_s, std::nullopt);
    EXPECT_EQ(row->accuracy_after, std::nullopt);
    EXPECT_DOUBLE_EQ(row->accuracy_before, 0.5);
  }
  EXPECT_EQ(h.workload.made().size(), 2u);  // window 2 tried again
  EXPECT_EQ(h.sink.windows().size(), 3u);
}

TEST(ControllerTest, InvalidAllocationFailsTheRunNamingThePolicy) {
  Allocation over;
  StreamAllocation a;
  a.stream = 0;
  a.device = 0;
  a.inference_share = 0.8;
  a.retrain = *RetrainConfig::Parse(kFairConfig);
  a.retrain_share = 0.5;
  over.streams.push_back(a);
  std::unique_ptr<ScriptedPolicy> policy = ScriptedPolicy::Fixed("scripted:overfull", over);
  Harness h(Options(1, 1, /*windows=*/3), {});
  Status status = h.Run(*policy);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("scripted:overfull"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("window 1"), std::string::npos) << status.ToString();
  EXPECT_TRUE(h.workload.made().empty());  // nothing was started

  ScriptedPolicy refusing("scripted:refusing",
                          [](const Snapshot&) -> Result<Allocation> { return Status::Internal("no plan"); });
  Harness h2(Options(1, 1), {});
  status = h2.Run(refusing);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("scripted:refusing"), std::string::npos) << status.ToString();
}

bool SameAllocations(const std::vector<AllocationRecord>& a, const std::vector<AllocationRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].window != b[i].window || a[i].time_s != b[i].time_s || a[i].stream != b[i].stream ||
        a[i].job != b[i].job || a[i].device != b[i].device || a[i].share != b[i].share ||
        a[i].reason != b[i].reason)
      return false;
  }
  return true;
}

bool SameChunks(const std::vector<ChunkRecord>& a, const std::vector<ChunkRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].stream != b[i].stream || a[i].window != b[i].window || a[i].chunk != b[i].chunk ||
        a[i].time_s != b[i].time_s || a[i].model_version != b[i].model_version ||
        a[i].inference_share != b[i].inference_share || a[i].frames_total != b[i].frames_total ||
        a[i].frames_analysed != b[i].frames_analysed || a[i].correct != b[i].correct ||
        a[i].accuracy_mode != b[i].accuracy_mode)
      return false;
  }
  return true;
}

bool SameWindows(const std::vector<WindowRecord>& a, const std::vector<WindowRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].stream != b[i].stream || a[i].window != b[i].window ||
        a[i].retrain_config != b[i].retrain_config || a[i].inference_share != b[i].inference_share ||
        a[i].retrain_share != b[i].retrain_share || a[i].accuracy_before != b[i].accuracy_before ||
        a[i].accuracy_after != b[i].accuracy_after || a[i].retrain_done_s != b[i].retrain_done_s ||
        a[i].window_accuracy != b[i].window_accuracy)
      return false;
  }
  return true;
}

TEST(ControllerTest, IdenticalRunsGiveIdenticalRecords) {
  for (OnCompletion oc : {OnCompletion::kToInference, OnCompletion::kReplan}) {
    std::unique_ptr<Harness> keep_a, keep_b;
    Harness* a = nullptr;
    Harness* b = nullptr;
    RunMixedScenario(oc, &a, keep_a);
    RunMixedScenario(oc, &b, keep_b);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(SameChunks(a->sink.chunks(), b->sink.chunks()));
    EXPECT_TRUE(SameWindows(a->sink.windows(), b->sink.windows()));
    EXPECT_TRUE(SameAllocations(a->sink.allocations(), b->sink.allocations()));
    ASSERT_EQ(a->sink.decisions().size(), b->sink.decisions().size());
    for (size_t i = 0; i < a->sink.decisions().size(); ++i) {
      EXPECT_EQ(a->sink.decisions()[i].window, b->sink.decisions()[i].window);
      EXPECT_EQ(a->sink.decisions()[i].time_s, b->sink.decisions()[i].time_s);
      EXPECT_EQ(a->sink.decisions()[i].replan, b->sink.decisions()[i].replan);
    }
    for (size_t d = 0; d < a->executor->Usage().size(); ++d)
      EXPECT_EQ(a->executor->Usage()[d].seconds, b->executor->Usage()[d].seconds);
  }
}

// SPEC §2 step 3 and §6 step 0: with a policy that plans with estimates, every
// stream's micro-profiling job runs first at the profiler share, the plan
// comes when the last one ends and sees the estimates, and profiles.csv rows
// carry what the config that ran then measured.
TEST(ControllerTest, MicroProfilerRunsBeforeThePlanAndFeedsIt) {
  ControllerOptions o = Options(/*streams=*/2, /*devices=*/1, /*windows=*/2, /*chunks=*/4, /*P=*/100);
  o.profiler_share = 0.5;
  FakeWorkloadOptions w;
  w.profiling_script = UniformScript(2, 2.5, JobKind::kProfiling);  // 5 s of work at 0.25 share: 20 s
  w.default_script = UniformScript(2, 5.0);                         // 10 s of work
  ConfigEstimate e;
  e.config = *RetrainConfig::Parse(kFairConfig);
  e.accuracy = 0.85;
  e.cost_seconds = 10;
  w.estimates.accuracy = 0.6;
  w.estimates.inference_profile.points = {{0.5, 0.8}, {1.0, 1.0}};
  w.estimates.candidates = {e};
  w.estimates.all = {e};
  Harness h(o, w);
  std::unique_ptr<Policy> fair = Make(kFair);
  ScriptedPolicy policy("scripted:fair", [&](const Snapshot& s) { return fair->Decide(s); });
  policy.set_needs_estimates(true);
  ASSERT_TRUE(h.Run(policy).ok());

  // Profiling rows at the window start, at half the device split in two.
  std::vector<AllocationRecord> prof = h.Rows(1, 0, JobKind::kProfiling);
  ASSERT_EQ(prof.size(), 3u);  // profile, profiled, window_end
  EXPECT_EQ(prof[0].reason, "profile");
  EXPECT_NEAR(prof[0].share, 0.25, kTimeEps);
  EXPECT_EQ(prof[1].reason, "profiled");
  EXPECT_NEAR(prof[1].time_s, 20.0, kTimeEps);
  // The plan came once, when both profiling jobs had ended, with the estimates.
  std::vector<Snapshot> seen = policy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NEAR(seen[0].time_s, 20.0, kTimeEps);
  EXPECT_DOUBLE_EQ(seen[0].streams[0].accuracy, 0.6);
  ASSERT_EQ(seen[0].streams[1].candidates.size(), 1u);
  EXPECT_DOUBLE_EQ(seen[0].streams[1].inference_profile.At(0.5), 0.8);
  // Retraining starts at the plan: 10 s of work at 0.25 share ends at 60 s.
  const WindowRecord* row = h.Window(1, 0);
  ASSERT_NE(row, nullptr);
  ASSERT_TRUE(row->retrain_done_s.has_value());
  EXPECT_NEAR(*row->retrain_done_s, 60.0, kTimeEps);
  // profiles.csv rows: the prediction and the measurement of the config that ran.
  ASSERT_EQ(h.sink.profiles().size(), 2u);
  const ProfileRecord& p = h.sink.profiles()[0];
  EXPECT_EQ(p.config, "head-h64-f0.1");
  EXPECT_EQ(p.epochs, 5);
  EXPECT_DOUBLE_EQ(p.predicted_accuracy, 0.85);
  ASSERT_TRUE(p.measured_accuracy.has_value());
  EXPECT_DOUBLE_EQ(*p.measured_accuracy, w.accuracy_after);
  ASSERT_TRUE(p.measured_cost_s.has_value());
  EXPECT_NEAR(*p.measured_cost_s, 10.0, kTimeEps);
  // inference_profile.csv rows: accuracy × factor.
  ASSERT_EQ(h.sink.inference_profiles().size(), 4u);
  EXPECT_NEAR(h.sink.inference_profiles()[0].accuracy, 0.6 * 0.8, 1e-12);
  // Device-seconds: profiling is charged under its own kind.
  double profiling = 0;
  for (const DeviceUsage& u : h.executor->Usage()) profiling += u[JobKind::kProfiling];
  EXPECT_NEAR(profiling, 10.0, kTimeEps);
}

}  // namespace
}  // namespace ekya
