// Snapshots as JSON (issue 4): exact round trips (NaN, infinities, running
// jobs, configs off the default batch size and learning rate, empty
// candidates), records as JSON lines, and bad input refused by field.
#include "ekya/sched/snapshot_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ekya/common/files.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Equal, or both NaN; and the same sign of zero.
void ExpectSameDouble(double a, double b, const std::string& what) {
  if (std::isnan(a)) {
    EXPECT_TRUE(std::isnan(b)) << what;
  } else {
    EXPECT_EQ(a, b) << what;
    EXPECT_EQ(std::signbit(a), std::signbit(b)) << what;
  }
}

void ExpectSameSnapshot(const Snapshot& a, const Snapshot& b) {
  EXPECT_EQ(a.window, b.window);
  ExpectSameDouble(a.window_seconds, b.window_seconds, "window_seconds");
  ExpectSameDouble(a.time_s, b.time_s, "time_s");
  EXPECT_EQ(a.devices, b.devices);
  ExpectSameDouble(a.r_max, b.r_max, "r_max");
  EXPECT_EQ(a.replan, b.replan);
  ASSERT_EQ(a.configs.size(), b.configs.size());
  for (size_t i = 0; i < a.configs.size(); ++i)
    EXPECT_TRUE(a.configs[i] == b.configs[i]) << a.configs[i].Id();
  ASSERT_EQ(a.streams.size(), b.streams.size());
  for (size_t s = 0; s < a.streams.size(); ++s) {
    const StreamState& x = a.streams[s];
    const StreamState& y = b.streams[s];
    const std::string at = "stream " + std::to_string(s) + " ";
    EXPECT_EQ(x.stream, y.stream);
    EXPECT_EQ(x.device, y.device);
    ASSERT_EQ(x.running.has_value(), y.running.has_value()) << at;
    if (x.running) EXPECT_TRUE(*x.running == *y.running) << at;
    ExpectSameDouble(x.running_remaining_seconds, y.running_remaining_seconds, at + "remaining");
    EXPECT_EQ(x.retrained_this_window, y.retrained_this_window);
    ExpectSameDouble(x.inference_share, y.inference_share, at + "inference_share");
    ExpectSameDouble(x.retrain_share, y.retrain_share, at + "retrain_share");
    ExpectSameDouble(x.accuracy, y.accuracy, at + "accuracy");
    ASSERT_EQ(x.inference_profile.points.size(), y.inference_profile.points.size()) << at;
    for (size_t i = 0; i < x.inference_profile.points.size(); ++i) {
      ExpectSameDouble(x.inference_profile.points[i].first, y.inference_profile.points[i].first,
                       at + "fraction");
      ExpectSameDouble(x.inference_profile.points[i].second, y.inference_profile.points[i].second,
                       at + "factor");
    }
    ASSERT_EQ(x.candidates.size(), y.candidates.size()) << at;
    for (size_t i = 0; i < x.candidates.size(); ++i) {
      EXPECT_TRUE(x.candidates[i].config == y.candidates[i].config) << at << i;
      ExpectSameDouble(x.candidates[i].accuracy, y.candidates[i].accuracy, at + "candidate accuracy");
      ExpectSameDouble(x.candidates[i].cost_seconds, y.candidates[i].cost_seconds, at + "candidate cost");
    }
  }
}

Snapshot RoundTrip(const Snapshot& snapshot) {
  const std::string text = SnapshotToJson(snapshot);
  Result<Snapshot> back = SnapshotFromJson(text);
  EXPECT_TRUE(back.ok()) << back.status().ToString() << "\n" << text;
  if (!back.ok()) return {};
  EXPECT_EQ(SnapshotToJson(*back), text) << "writing what was read gives the same text";
  return *back;
}

TEST(SnapshotIoTest, SyntheticSnapshotsRoundTripExactly) {
  for (bool replan : {false, true}) {
    SyntheticOptions options;
    options.streams = 12;
    options.devices = 5;
    options.configs = 24;  // past 18: configs with more epochs
    options.replan = replan;
    const Snapshot snapshot = *MakeSyntheticSnapshot(options);
    if (replan) {
      bool running = false;
      for (const StreamState& st : snapshot.streams) running = running || st.running.has_value();
      ASSERT_TRUE(running) << "the re-plan snapshot has a running job";
    }
    const Snapshot back = RoundTrip(snapshot);
    ExpectSameSnapshot(snapshot, back);
    // The same snapshot gives the same decision.
    for (const char* spec : {"thief", "fair"}) {
      auto policy = MakePolicy(spec, Settings());
      ASSERT_TRUE(policy.ok()) << policy.status().ToString();
      Result<Allocation> a = (*policy)->Decide(snapshot);
      Result<Allocation> b = (*policy)->Decide(back);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_TRUE(testing::SameAllocation(*a, *b)) << spec << " replan " << replan;
    }
  }
}

TEST(SnapshotIoTest, NanAndInfinitySurvive) {
  Snapshot snapshot = testing::MakeSnapshot(2, 1);
  snapshot.replan = true;
  snapshot.time_s = 12.345678901234567;
  snapshot.streams[0].accuracy = kNaN;  // no profiler
  snapshot.streams[1].accuracy = 0.1 + 0.2;
  snapshot.streams[1].running = DefaultConfigSpace()[4];
  snapshot.streams[1].running_remaining_seconds = kInf;
  snapshot.streams[1].inference_share = 0.25;
  snapshot.streams[1].retrain_share = -0.0;
  snapshot.streams[1].candidates.push_back({DefaultConfigSpace()[0], kNaN, -kInf});
  snapshot.streams[1].inference_profile.points = {{0.5, 0.48}, {1.0 / 3.0, kNaN}};
  const std::string text = SnapshotToJson(snapshot);
  EXPECT_NE(text.find("\"accuracy\":null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"running_remaining_seconds\":\"inf\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"cost_seconds\":\"-inf\""), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line";
  ExpectSameSnapshot(snapshot, RoundTrip(snapshot));
}

TEST(SnapshotIoTest, ConfigsOffTheirIdAreStoredInFull) {
  RetrainConfig plain = *RetrainConfig::Parse("all-h1024-f0.5-e15");
  RetrainConfig tuned = plain;
  tuned.batch_size = 16;
  tuned.learning_rate = 0.05;
  RetrainConfig fine = *RetrainConfig::Parse("head-h64-f0.1-e5");
  fine.data_fraction = 0.125;  // the id prints two decimals: "f0.13"
  Snapshot snapshot = testing::MakeSnapshot(2, 2);
  snapshot.replan = true;
  snapshot.configs = {plain, tuned, fine};
  snapshot.streams[0].running = tuned;
  snapshot.streams[0].running_remaining_seconds = 17.5;
  snapshot.streams[0].retrain_share = 0.5;
  snapshot.streams[1].retrained_this_window = true;
  snapshot.streams[1].candidates.push_back({fine, 0.7, 10});
  const std::string text = SnapshotToJson(snapshot);
  EXPECT_NE(text.find("\"all-h1024-f0.5-e15\""), std::string::npos) << "a config its id names is its id";
  EXPECT_NE(text.find("\"batch_size\":16"), std::string::npos) << text;
  EXPECT_NE(text.find("\"data_fraction\":0.125"), std::string::npos) << text;
  ExpectSameSnapshot(snapshot, RoundTrip(snapshot));
}

TEST(SnapshotIoTest, EmptyCandidatesAndProfilesRoundTrip) {
  const Snapshot snapshot = testing::MakeSnapshot(3, 2);  // no estimates at all
  const Snapshot back = RoundTrip(snapshot);
  ExpectSameSnapshot(snapshot, back);
  EXPECT_TRUE(back.streams[2].candidates.empty());
  EXPECT_TRUE(back.streams[2].inference_profile.points.empty());
  EXPECT_TRUE(std::isnan(back.streams[2].accuracy));
}

TEST(SnapshotIoTest, RecordsAsJsonLines) {
  SyntheticOptions options;
  options.streams = 3;
  options.devices = 2;
  SnapshotRecord first{1, 0.0, false, *MakeSyntheticSnapshot(options)};
  options.replan = true;
  SnapshotRecord second{1, 0.0, true, *MakeSyntheticSnapshot(options)};
  second.time_s = second.snapshot.time_s;
  // Blank lines and CRLF endings are fine.
  const std::string text = SnapshotRecordToJson(first) + "\r\n\n" + SnapshotRecordToJson(second) + "\n";
  Result<std::vector<SnapshotRecord>> read = SnapshotRecordsFromJsonl(text);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_FALSE((*read)[0].replan);
  EXPECT_TRUE((*read)[1].replan);
  EXPECT_EQ((*read)[1].time_s, second.time_s);
  ExpectSameSnapshot(first.snapshot, (*read)[0].snapshot);
  ExpectSameSnapshot(second.snapshot, (*read)[1].snapshot);
  EXPECT_EQ(SnapshotRecordToJson((*read)[1]), SnapshotRecordToJson(second));
  EXPECT_EQ(
      SnapshotRecordToJson(first).rfind("{\"window\":1,\"time_s\":0.0,\"replan\":false,\"snapshot\":{", 0),
      0u);

  Result<std::vector<SnapshotRecord>> bad = SnapshotRecordsFromJsonl(SnapshotRecordToJson(first) + "\n{\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().ToString();
}

// A valid snapshot's text with `from` replaced by `to` (once).
std::string Broken(const std::string& from, const std::string& to) {
  Snapshot snapshot = testing::MakeSnapshot(2, 2);
  snapshot.streams[1].candidates.push_back({DefaultConfigSpace()[0], 0.7, 10});
  snapshot.streams[1].inference_profile.points = {{0.5, 0.4}};
  std::string text = SnapshotToJson(snapshot);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from << " in " << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SnapshotIoTest, BadInputIsRefusedNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"window\": 1,", "not valid JSON"},
      {"[1, 2]", "the top level: expected an object, got array"},
      {Broken("\"window\":1,", ""), "window: missing"},
      {Broken("\"window\":1,", "\"window\":1.5,"), "window: expected an integer, got a fraction"},
      {Broken("\"window\":1,", "\"window\":-1,"), "window: -1 is not >= 0"},
      {Broken("\"window_seconds\":200.0", "\"window_seconds\":0"),
       "window_seconds: must be a finite number > 0"},
      {Broken("\"devices\":2", "\"devices\":0"), "devices: 0 is not >= 1"},
      {Broken("\"r_max\":0.25", "\"r_max\":1.5"), "r_max: must be in (0, 1]"},
      {Broken("\"replan\":false", "\"replan\":0"), "replan: expected true or false, got number"},
      {Broken("\"configs\":[\"head-h64-f0.1-e5\"", "\"configs\":[\"bogus\""),
       "configs[0]: retraining config 'bogus'"},
      {Broken("\"streams\":[{", "\"streams\":[],\"x\":[{"), "unknown key"},
      {Broken("\"stream\":1,", "\"stream\":0,"), "streams[1].stream: 0 is not its index 1"},
      {Broken("\"stream\":1,\"device\":1", "\"stream\":1,\"device\":2"),
       "streams[1].device: 2 is not in [0, 2)"},
      {Broken("\"candidates\":[{", "\"canddiates\":[{"), "streams[1].canddiates: unknown key"},
      {Broken("\"accuracy\":0.7", "\"accuracy\":\"high\""),
       "streams[1].candidates[0].accuracy: expected a number, null"},
      {Broken("\"cost_seconds\":10.0", "\"cost_seconds\":[]"),
       "streams[1].candidates[0].cost_seconds: expected a number or null, got array"},
      {Broken("[[0.5,0.4]]", "[[0.5]]"), "streams[1].inference_profile[0]: expected a pair"},
      {Broken("\"running\":null", "\"running\":7"), "streams[0].running: expected a config id or object"},
      {Broken("\"running\":null", "\"running\":{\"scope\":\"both\"}"), "streams[0].running.hidden: missing"},
  };
  for (const auto& [text, named] : cases) {
    Result<Snapshot> read = SnapshotFromJson(text);
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(read.status().message().find(named), std::string::npos)
        << "expected '" << named << "' in: " << read.status().ToString();
  }
  Result<Snapshot> no_streams = SnapshotFromJson(SnapshotToJson(testing::MakeSnapshot(0, 1)));
  ASSERT_FALSE(no_streams.ok());
  EXPECT_NE(no_streams.status().message().find("streams: must hold at least one stream"), std::string::npos)
      << no_streams.status().ToString();
  Result<SnapshotRecord> record = SnapshotRecordFromJson("{\"window\":1,\"time_s\":0,\"replan\":false}");
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("snapshot: snapshot: missing"), std::string::npos)
      << record.status().ToString();
}

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("ekya_snapshot_io_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(WriteFileWhole(path, text).ok());
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(SnapshotFileTest, LoadsJsonLinesABareSnapshotOrARecord) {
  Snapshot snapshot = testing::MakeSnapshot(2, 1);
  snapshot.window = 4;
  snapshot.replan = true;
  snapshot.time_s = 50;
  SnapshotRecord record{4, 50.5, true, snapshot};
  const std::string line = SnapshotRecordToJson(record);

  Result<std::vector<SnapshotRecord>> lines = LoadSnapshotFile(Write("s.jsonl", line + "\n" + line + "\n"));
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(lines->size(), 2u);

  Result<std::vector<SnapshotRecord>> bare = LoadSnapshotFile(Write("bare.json", SnapshotToJson(snapshot)));
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  ASSERT_EQ(bare->size(), 1u);
  EXPECT_EQ((*bare)[0].window, 4);
  EXPECT_EQ((*bare)[0].time_s, 50.0) << "a bare snapshot's record takes its time";
  EXPECT_TRUE((*bare)[0].replan);

  Result<std::vector<SnapshotRecord>> one = LoadSnapshotFile(Write("one.json", line));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].time_s, 50.5);
}

TEST_F(SnapshotFileTest, BadFilesAreRefusedNamingThePath) {
  Result<std::vector<SnapshotRecord>> missing = LoadSnapshotFile((dir_ / "nope.jsonl").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.jsonl"), std::string::npos);

  const std::string empty = Write("empty.jsonl", "\n");
  Result<std::vector<SnapshotRecord>> none = LoadSnapshotFile(empty);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find(empty + ": holds no snapshot"), std::string::npos)
      << none.status().ToString();

  const std::string garbage = Write("garbage.json", "window=1\n");
  Result<std::vector<SnapshotRecord>> bad = LoadSnapshotFile(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(garbage + ": snapshot: not valid JSON"), std::string::npos)
      << bad.status().ToString();
}

}  // namespace
}  // namespace ekya
