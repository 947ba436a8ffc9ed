// `replay` (SPEC §7.5) and the run-directory reader it uses.
#include "ekya/sched/policies/replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ekya/sched/policies/fair.h"
#include "ekya/sched/run_record.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

namespace fs = std::filesystem;
using testing::ExpectPackable;
using testing::SameAllocation;

constexpr char kWindowsHeader[] =
    "stream,window,retrain_config,inference_share,retrain_share,accuracy_before,accuracy_after,retrain_done_"
    "s,"
    "window_accuracy\n";
constexpr char kAllocationsHeader[] = "window,time_s,stream,job,device,share,reason\n";

fs::path FreshDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("ekya_replay_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A run directory with the two files (headers prepended).
std::string RunDir(const std::string& name, const std::string& windows, const std::string& allocations) {
  const fs::path dir = FreshDir(name);
  std::ofstream(dir / "windows.csv") << kWindowsHeader << windows;
  std::ofstream(dir / "allocations.csv") << kAllocationsHeader << allocations;
  return dir.string();
}

std::unique_ptr<Policy> MakeReplay(const std::string& dir) {
  auto policy = MakePolicy("replay:run=" + dir, Settings());
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? std::move(policy).value() : nullptr;
}

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

// Window 1 of a two-stream run on one device: stream 0 retrained, stream 1
// did not; a job finished at 37.21837 s and the re-plan gave its share away.
const char* kWindows =
    "0,0,none,0.5,0,0.6,,,0.6\n"
    "1,0,none,0.5,0,0.7,,,0.7\n"
    "0,1,all-h1024-f0.5-e15,0.3,0.2,0.6,0.85,37.2184,0.75\n"
    "1,1,none,0.5,0,0.7,,,0.68\n";
const char* kAllocations =
    "1,0,0,inference,0,0.5,window_start\n"
    "1,0,1,inference,0,0.5,window_start\n"
    "1,0,0,inference,0,0.3,plan\n"
    "1,0,0,retraining,0,0.2,plan\n"
    "1,12.5,1,inference,0,0.45,replan\n"
    "1,12.5,0,retraining,0,0.25,replan\n"
    "1,37.2184,0,retraining,0,0,done\n"
    "1,37.2184,0,inference,0,0.5,replan\n"
    "1,200,0,inference,0,0,window_end\n"
    "1,200,1,inference,0,0,window_end\n";

Snapshot WindowOne(int streams = 2, int devices = 1) {
  Snapshot snapshot = testing::MakeSnapshot(streams, devices);
  snapshot.window = 1;
  return snapshot;
}

TEST(ReplayTest, WindowStartReproducesConfigsAndShares) {
  auto replay = MakeReplay(RunDir("start", kWindows, kAllocations));
  ASSERT_NE(replay, nullptr);
  EXPECT_FALSE(replay->NeedsEstimates());
  const Snapshot snapshot = WindowOne();
  auto decided = replay->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(snapshot, *decided);
  const StreamAllocation& a = decided->streams[0];
  ASSERT_TRUE(a.retrain.has_value());
  EXPECT_EQ(a.retrain->Id(), "all-h1024-f0.5-e15");
  EXPECT_DOUBLE_EQ(a.inference_share, 0.3);
  EXPECT_DOUBLE_EQ(a.retrain_share, 0.2);
  EXPECT_EQ(a.device, 0);
  const StreamAllocation& b = decided->streams[1];
  EXPECT_FALSE(b.retrain.has_value());
  EXPECT_DOUBLE_EQ(b.inference_share, 0.5);
  EXPECT_DOUBLE_EQ(b.retrain_share, 0);
}

// Window 1 of the same run recorded by a policy that plans with the
// micro-profiler: a profiling job per stream from 0 s, the plan when both
// have ended (at 4 s).
const char* kProfiledAllocations =
    "1,0,0,inference,0,0.5,window_start\n"
    "1,0,1,inference,0,0.5,window_start\n"
    "1,0,0,inference,0,0.25,profile\n"
    "1,0,0,profiling,0,0.25,profile\n"
    "1,0,1,inference,0,0.25,profile\n"
    "1,0,1,profiling,0,0.25,profile\n"
    "1,4,0,profiling,0,0,profiled\n"
    "1,4,1,profiling,0,0,profiled\n"
    "1,4,0,inference,0,0.3,plan\n"
    "1,4,0,labelling,0,0.2,plan\n"
    "1,4,1,inference,0,0.5,plan\n"
    "1,5,0,labelling,0,0,labelled\n"
    "1,5,0,retraining,0,0.2,labelled\n"
    "1,37.2184,0,retraining,0,0,done\n"
    "1,37.2184,0,inference,0,0.5,replan\n"
    "1,200,0,inference,0,0,window_end\n"
    "1,200,1,inference,0,0,window_end\n";

TEST(ReplayTest, NeedsEstimatesExactlyWhenTheRunHadAProfilingPhase) {
  auto parsed = RunRecord::Parse(std::string(kWindowsHeader) + kWindows,
                                 std::string(kAllocationsHeader) + kProfiledAllocations);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->profiled());
  auto plain = RunRecord::Parse(std::string(kWindowsHeader) + kWindows,
                                std::string(kAllocationsHeader) + kAllocations);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->profiled());

  // A run that profiled: the window loop must run the same phase, so that
  // replay is asked at the recorded moments.
  auto profiled = MakeReplay(RunDir("profiled", kWindows, kProfiledAllocations));
  ASSERT_NE(profiled, nullptr);
  EXPECT_TRUE(profiled->NeedsEstimates());
  // Without a profiling phase (fair, noretrain): asked at the window's start.
  auto unprofiled = MakeReplay(RunDir("unprofiled", kWindows, kAllocations));
  ASSERT_NE(unprofiled, nullptr);
  EXPECT_FALSE(unprofiled->NeedsEstimates());
  // Only rows of job `profiling` count: labelling or a reason that mentions
  // profiling does not.
  auto labelled = MakeReplay(RunDir("labelled", kWindows,
                                    "1,0,0,inference,0,0.5,profiled\n"
                                    "1,0,0,labelling,0,0.2,plan\n"));
  ASSERT_NE(labelled, nullptr);
  EXPECT_FALSE(labelled->NeedsEstimates());

  // The plan, asked when profiling ends (4 s), is the recorded one; the
  // re-plan at the recorded time matches as in a run without profiling.
  Snapshot snapshot = WindowOne();
  snapshot.time_s = 4;
  auto decided = profiled->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ASSERT_TRUE(decided->streams[0].retrain.has_value());
  EXPECT_EQ(decided->streams[0].retrain->Id(), "all-h1024-f0.5-e15");
  EXPECT_DOUBLE_EQ(decided->streams[0].inference_share, 0.3);
  EXPECT_DOUBLE_EQ(decided->streams[0].retrain_share, 0.2);
  EXPECT_DOUBLE_EQ(decided->streams[1].inference_share, 0.5);
  Snapshot replan = WindowOne();
  replan.replan = true;
  replan.time_s = 37.21837;
  replan.streams[0].inference_share = 0.3;
  replan.streams[0].retrained_this_window = true;
  replan.streams[1].inference_share = 0.5;
  auto replanned = profiled->Decide(replan);
  ASSERT_TRUE(replanned.ok()) << replanned.status().ToString();
  EXPECT_DOUBLE_EQ(replanned->streams[0].inference_share, 0.5);
  EXPECT_DOUBLE_EQ(replanned->streams[1].inference_share, 0.5);
}

TEST(ReplayTest, ConfigTakesTheRunsRecipeFromTheSnapshot) {
  auto replay = MakeReplay(RunDir("recipe", kWindows, kAllocations));
  ASSERT_NE(replay, nullptr);
  Snapshot snapshot = WindowOne();
  RetrainConfig config = Config("all-h1024-f0.5-e15");
  config.learning_rate = 0.05;
  snapshot.configs = {config};
  auto decided = replay->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ASSERT_TRUE(decided->streams[0].retrain.has_value());
  EXPECT_TRUE(*decided->streams[0].retrain == config);
}

Snapshot ReplanAt(double time_s) {
  Snapshot snapshot = WindowOne(3, 1);
  snapshot.replan = true;
  snapshot.time_s = time_s;
  snapshot.streams[0].running = Config("all-h1024-f0.5-e15");
  snapshot.streams[0].running_remaining_seconds = 20;
  snapshot.streams[0].inference_share = 0.2;
  snapshot.streams[0].retrain_share = 0.3;
  snapshot.streams[1].inference_share = 0.3;
  snapshot.streams[2].inference_share = 0.1;
  return snapshot;
}

TEST(ReplayTest, ReplanReproducesTheRecordedReplanRows) {
  auto replay = MakeReplay(RunDir("replan", kWindows, kAllocations));
  ASSERT_NE(replay, nullptr);
  // 12.5 s: stream 1's inference and stream 0's job have rows; stream 0's
  // inference and stream 2 keep their current shares.
  const Snapshot snapshot = ReplanAt(12.5);
  auto decided = replay->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(snapshot, *decided);
  ASSERT_TRUE(decided->streams[0].retrain.has_value());
  EXPECT_EQ(decided->streams[0].retrain->Id(), "all-h1024-f0.5-e15");
  EXPECT_DOUBLE_EQ(decided->streams[0].retrain_share, 0.25);
  EXPECT_DOUBLE_EQ(decided->streams[0].inference_share, 0.2);
  EXPECT_DOUBLE_EQ(decided->streams[1].inference_share, 0.45);
  EXPECT_FALSE(decided->streams[1].retrain.has_value());
  EXPECT_DOUBLE_EQ(decided->streams[2].inference_share, 0.1);
}

TEST(ReplayTest, ReplanMatchesTimesPrintedWithSixDigits) {
  auto replay = MakeReplay(RunDir("digits", kWindows, kAllocations));
  ASSERT_NE(replay, nullptr);
  // The job finished at 37.21837 s, printed 37.2184; now no job runs.
  Snapshot snapshot = ReplanAt(37.21837);
  snapshot.streams[0].running.reset();
  snapshot.streams[0].retrain_share = 0;
  snapshot.streams[0].retrained_this_window = true;
  auto decided = replay->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(snapshot, *decided);
  EXPECT_DOUBLE_EQ(decided->streams[0].inference_share, 0.5);
  EXPECT_FALSE(decided->streams[0].retrain.has_value());
  EXPECT_DOUBLE_EQ(decided->streams[1].inference_share, 0.3);
}

TEST(ReplayTest, ReplanWithoutRecordedRowsKeepsTheCurrentShares) {
  auto replay = MakeReplay(RunDir("keep", kWindows, kAllocations));
  ASSERT_NE(replay, nullptr);
  for (double time_s : {12.6, 37.3, 150.0}) {
    const Snapshot snapshot = ReplanAt(time_s);
    auto decided = replay->Decide(snapshot);
    ASSERT_TRUE(decided.ok()) << decided.status().ToString();
    for (size_t s = 0; s < 3; ++s) {
      EXPECT_EQ(decided->streams[s].inference_share, snapshot.streams[s].inference_share) << time_s;
      EXPECT_EQ(decided->streams[s].retrain_share, snapshot.streams[s].retrain_share) << time_s;
      EXPECT_EQ(decided->streams[s].device, snapshot.streams[s].device);
    }
    ASSERT_TRUE(decided->streams[0].retrain.has_value());
  }
  // A window with no rows at all.
  Snapshot later = ReplanAt(12.5);
  later.window = 9;
  auto decided = replay->Decide(later);
  ASSERT_TRUE(decided.ok());
  EXPECT_DOUBLE_EQ(decided->streams[1].inference_share, 0.3);
}

TEST(ReplayTest, MissingStreamsAndWindowsFallBackToNone) {
  const std::string windows =
      "0,1,head-h64-f0.1-e5,0.2,0.2,0.6,,,0.6\n"
      "1,1,none,0.3,0,0.6,,,0.6\n";
  auto replay = MakeReplay(RunDir("missing", windows, ""));
  ASSERT_NE(replay, nullptr);
  // Stream 2 was not recorded: it gets what streams 0 and 1 leave on device 0.
  const Snapshot three = WindowOne(3, 1);
  auto decided = replay->Decide(three);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(three, *decided);
  EXPECT_FALSE(decided->streams[2].retrain.has_value());
  EXPECT_NEAR(decided->streams[2].inference_share, 0.3, 1e-12);

  // Streams 3 and 4 on device 1 split it equally; a window past the record is
  // the fair inference-only split.
  const Snapshot five = WindowOne(5, 2);  // device 0: 0, 2, 4; device 1: 1, 3
  auto more = replay->Decide(five);
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  ExpectPackable(five, *more);
  EXPECT_DOUBLE_EQ(more->streams[1].inference_share, 0.3);
  EXPECT_DOUBLE_EQ(more->streams[3].inference_share, 0.7);
  EXPECT_NEAR(more->streams[2].inference_share, 0.3, 1e-12);  // (1 − 0.4) / 2
  EXPECT_NEAR(more->streams[4].inference_share, 0.3, 1e-12);

  Snapshot past = WindowOne(4, 2);
  past.window = 3;
  auto fallback = replay->Decide(past);
  ASSERT_TRUE(fallback.ok());
  for (const StreamAllocation& a : fallback->streams) {
    EXPECT_FALSE(a.retrain.has_value());
    EXPECT_DOUBLE_EQ(a.inference_share, 0.5);
    EXPECT_DOUBLE_EQ(a.retrain_share, 0);
  }
}

TEST(ReplayTest, RecordedAllocationThatDoesNotFitIsRefused) {
  // Stream 1 was planned on device 1, which a one-device run does not have.
  const std::string allocations =
      "1,0,0,inference,0,0.3,plan\n"
      "1,0,1,inference,1,0.5,plan\n";
  const std::string dir = RunDir("devices", kWindows, allocations);
  auto replay = MakeReplay(dir);
  ASSERT_NE(replay, nullptr);
  auto decided = replay->Decide(WindowOne(2, 1));
  ASSERT_FALSE(decided.ok());
  EXPECT_EQ(decided.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = decided.status().message();
  EXPECT_NE(m.find(dir), std::string::npos) << m;
  EXPECT_NE(m.find("window 1"), std::string::npos) << m;
  EXPECT_NE(m.find("stream 1"), std::string::npos) << m;

  // On two devices the recorded placement is followed.
  auto two = replay->Decide(WindowOne(2, 2));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two->streams[1].device, 1);

  // Shares over capacity.
  const std::string full =
      "0,1,none,0.7,0,0.6,,,0.6\n"
      "1,1,none,0.7,0,0.6,,,0.6\n";
  auto over = MakeReplay(RunDir("over", full, ""));
  ASSERT_NE(over, nullptr);
  auto refused = over->Decide(WindowOne(2, 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("> 1"), std::string::npos) << refused.status().message();
}

TEST(ReplayTest, MalformedOrMissingFilesAreRefusedWithTheFileName) {
  auto unset = MakePolicy("replay", Settings());
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.status().message().find("replay.run"), std::string::npos) << unset.status().message();

  struct Case {
    const char* name;
    std::string windows;
    std::string allocations;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"header", "stream,window\n0,1\n", std::string(kAllocationsHeader), "windows.csv line 1"},
      {"fields", std::string(kWindowsHeader) + "0,1,none,0.5\n", std::string(kAllocationsHeader),
       "windows.csv line 2"},
      {"config", std::string(kWindowsHeader) + "0,1,head-h64-f0.1,0.5,0.5,0.6,,,0.6\n",
       std::string(kAllocationsHeader), "windows.csv line 2"},
      {"share", std::string(kWindowsHeader) + "0,1,none,-0.5,0,0.6,,,0.6\n", std::string(kAllocationsHeader),
       "windows.csv line 2"},
      {"twice", std::string(kWindowsHeader) + "0,1,none,0.5,0,0.6,,,0.6\n0,1,none,0.5,0,0.6,,,0.6\n",
       std::string(kAllocationsHeader), "windows.csv line 3"},
      {"job", std::string(kWindowsHeader) + "0,1,none,0.5,0,0.6,,,0.6\n",
       std::string(kAllocationsHeader) + "1,0,0,inference,0,0.5,plan\n1,0,0,gpu,0,0.5,plan\n",
       "allocations.csv line 3"},
      {"time", std::string(kWindowsHeader) + "0,1,none,0.5,0,0.6,,,0.6\n",
       std::string(kAllocationsHeader) + "1,soon,0,inference,0,0.5,plan\n", "allocations.csv line 2"},
      {"empty", std::string(kWindowsHeader) + "0,1,none,0.5,0,0.6,,,0.6\n", "", "allocations.csv line 1"},
  };
  for (const Case& c : cases) {
    const fs::path dir = FreshDir(std::string("bad_") + c.name);
    std::ofstream(dir / "windows.csv") << c.windows;
    std::ofstream(dir / "allocations.csv") << c.allocations;
    auto policy = MakePolicy("replay:run=" + dir.string(), Settings());
    ASSERT_FALSE(policy.ok()) << c.name;
    EXPECT_EQ(policy.status().code(), StatusCode::kCorrupt) << c.name;
    const std::string& m = policy.status().message();
    EXPECT_NE(m.find(dir.string() + "/" + c.expected), std::string::npos) << c.name << ": " << m;
    EXPECT_NE(m.find("replay.run"), std::string::npos) << m;
  }

  const fs::path lonely = FreshDir("lonely");
  std::ofstream(lonely / "windows.csv") << kWindowsHeader << "0,1,none,0.5,0,0.6,,,0.6\n";
  auto absent = MakePolicy("replay:run=" + lonely.string(), Settings());
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(absent.status().message().find((lonely / "allocations.csv").string()), std::string::npos)
      << absent.status().message();

  auto nothing = MakePolicy("replay:run=" + RunDir("nothing", "", ""), Settings());
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nothing.status().message().find("no rows"), std::string::npos) << nothing.status().message();
}

TEST(ReplayTest, SpecNamesTheRunAndRebuildsThePolicy) {
  const std::string dir = RunDir("spec", kWindows, kAllocations);
  Settings settings;
  ASSERT_TRUE(settings.Set("replay.run", dir).ok());
  auto replay = MakePolicy("replay", settings);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ((*replay)->spec(), "replay:run=" + dir);
  auto rebuilt = MakePolicy((*replay)->spec(), Settings());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
}

std::string Full(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string SixDigits(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// An allocation as windows.csv rows of window `window`, numbers by `format`.
std::string AsWindowRows(const Allocation& allocation, int window, std::string (*format)(double)) {
  std::string rows;
  for (const StreamAllocation& a : allocation.streams) {
    rows += std::to_string(a.stream) + "," + std::to_string(window) + "," +
            (a.retrain ? a.retrain->Id() : std::string("none")) + "," + format(a.inference_share) + "," +
            format(a.retrain_share) + ",0.5,,,0.5\n";
  }
  return rows;
}

// The "plan" rows of allocations.csv for the same allocation.
std::string AsPlanRows(const Allocation& allocation, int window) {
  std::string rows;
  for (const StreamAllocation& a : allocation.streams) {
    rows += std::to_string(window) + ",0," + std::to_string(a.stream) + ",inference," +
            std::to_string(a.device) + "," + Full(a.inference_share) + ",plan\n";
  }
  return rows;
}

TEST(ReplayTest, RoundTripOfFairsPlanIsExact) {
  for (const char* fraction : {"0.3", "0.5"}) {
    for (int devices : {1, 2, 3}) {
      for (int streams : {1, 3, 5, 8}) {
        Snapshot snapshot = testing::MakeSnapshot(streams, devices);
        snapshot.window = 2;
        auto fair = MakePolicy(std::string("fair:config=all-h1024-f0.5-e15,inference_fraction=") + fraction,
                               Settings());
        ASSERT_TRUE(fair.ok());
        auto planned = (*fair)->Decide(snapshot);
        ASSERT_TRUE(planned.ok());
        SCOPED_TRACE(std::string("fraction ") + fraction + " streams " + std::to_string(streams) +
                     " devices " + std::to_string(devices));

        auto exact =
            MakeReplay(RunDir("roundtrip", AsWindowRows(*planned, 2, Full), AsPlanRows(*planned, 2)));
        ASSERT_NE(exact, nullptr);
        auto replayed = exact->Decide(snapshot);
        ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
        EXPECT_TRUE(SameAllocation(*planned, *replayed));

        // As a run directory prints them (6 significant digits): the shares
        // still fit and stay within the rounding.
        auto rounded = MakeReplay(RunDir("rounded", AsWindowRows(*planned, 2, SixDigits), ""));
        ASSERT_NE(rounded, nullptr);
        auto close = rounded->Decide(snapshot);
        ASSERT_TRUE(close.ok()) << close.status().ToString();
        ExpectPackable(snapshot, *close);
        for (size_t s = 0; s < planned->streams.size(); ++s) {
          EXPECT_NEAR(close->streams[s].inference_share, planned->streams[s].inference_share, 1e-5);
          EXPECT_NEAR(close->streams[s].retrain_share, planned->streams[s].retrain_share, 1e-5);
          EXPECT_EQ(close->streams[s].retrain.has_value(), planned->streams[s].retrain.has_value());
        }
      }
    }
  }
}

TEST(ReplayTest, RoundTripOfAThiefReplanIsExact) {
  SyntheticOptions options;
  options.streams = 6;
  options.devices = 2;
  options.replan = true;
  options.seed = 7;
  const Snapshot snapshot = *MakeSyntheticSnapshot(options);
  auto thief = MakePolicy("thief", Settings());
  ASSERT_TRUE(thief.ok());
  auto planned = (*thief)->Decide(snapshot);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();

  std::string allocations;
  for (const StreamAllocation& a : planned->streams) {
    const std::string prefix =
        std::to_string(snapshot.window) + "," + Full(snapshot.time_s) + "," + std::to_string(a.stream) + ",";
    allocations +=
        prefix + "inference," + std::to_string(a.device) + "," + Full(a.inference_share) + ",replan\n";
    if (a.retrain) {
      allocations +=
          prefix + "retraining," + std::to_string(a.device) + "," + Full(a.retrain_share) + ",replan\n";
    }
  }
  auto replay = MakeReplay(RunDir("thief_replan", "0,0,none,1,0,0.5,,,0.5\n", allocations));
  ASSERT_NE(replay, nullptr);
  auto replayed = replay->Decide(snapshot);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(SameAllocation(*planned, *replayed));
}

TEST(RunRecordTest, ParsesRowsAndQuotedFields) {
  auto record = RunRecord::Parse(
      std::string(kWindowsHeader) + "0,1,\"all-h1024-f1.0-e30\",0.25,0.75,0.6,nan,,0.7\r\n\n",
      std::string(kAllocationsHeader) + "1,3.5,0,labelling,0,0.75,\"replan\"\n");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  const RecordedWindow* w = record->FindWindow(0, 1);
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->retrain.has_value());
  EXPECT_EQ(w->retrain->Id(), "all-h1024-f1.0-e30");
  EXPECT_DOUBLE_EQ(w->retrain_share, 0.75);
  EXPECT_TRUE(w->accuracy_after.has_value());
  EXPECT_FALSE(w->retrain_done_s.has_value());
  EXPECT_DOUBLE_EQ(w->window_accuracy, 0.7);
  EXPECT_EQ(record->FindWindow(1, 1), nullptr);
  ASSERT_EQ(record->Allocations(1).size(), 1u);
  EXPECT_EQ(record->Allocations(1)[0]->job, RecordedJob::kLabelling);
  EXPECT_EQ(record->Allocations(1)[0]->reason, "replan");
  EXPECT_TRUE(record->Allocations(2).empty());
}

}  // namespace
}  // namespace ekya
