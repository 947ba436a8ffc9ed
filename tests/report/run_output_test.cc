#include "ekya/report/run_output.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace ekya {
namespace {

namespace fs = std::filesystem;

// Splits CSV text into rows of fields, honouring double-quoted fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "CSV text must end with a newline";
  return rows;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ChunkRecord Chunk(int stream, int window, int chunk, int total = 100, int correct = 87) {
  ChunkRecord r;
  r.stream = stream;
  r.window = window;
  r.chunk = chunk;
  r.time_s = 10.0 * chunk;
  r.model_version = window;
  r.inference_share = 0.25;
  r.frames_total = total;
  r.frames_analysed = total / 2;
  r.correct = correct;
  r.accuracy_mode = "measured";
  return r;
}

WindowRecord Window(int stream, int window, double acc) {
  WindowRecord r;
  r.stream = stream;
  r.window = window;
  r.retrain_config = "all-h1024-f0.5-e15";
  r.inference_share = 0.5;
  r.retrain_share = 0.5;
  r.accuracy_before = 0.6;
  r.accuracy_after = 0.8;
  r.retrain_done_s = 123.5;
  r.window_accuracy = acc;
  return r;
}

// A small run, fed in a scrambled order.
void Feed(RunRecorder& rec) {
  for (int stream : {1, 0}) {
    for (int window : {2, 0, 1}) {
      for (int chunk : {1, 0}) rec.OnChunk(Chunk(stream, window, chunk, 100 + chunk, 50 + stream + window));
      rec.OnWindow(Window(stream, window, 0.1 * (window + 1) + 0.01 * stream));
    }
  }
  AllocationRecord a;
  a.window = 1;
  a.time_s = 0;
  a.stream = 1;
  a.job = JobKind::kRetraining;
  a.device = 0;
  a.share = 0.5;
  a.reason = "plan";
  rec.OnAllocation(a);
  a.window = 0;
  a.stream = 0;
  a.job = JobKind::kLabelling;
  a.reason = "window_start";
  rec.OnAllocation(a);
  rec.OnDecision({2, 0.0, false, 0.001});
  rec.OnDecision({1, 42.5, true, 0.0002});
}

RunInfo Info() {
  RunInfo info;
  info.policy = "thief";
  info.clock = "virtual";
  info.seed = 7;
  info.streams = 2;
  info.windows = 3;
  info.devices = 1;
  info.window_seconds = 200;
  info.usage[JobKind::kInference] = 100;
  info.usage[JobKind::kRetraining] = 50.5;
  info.usage[JobKind::kProfiling] = 2;
  info.usage[JobKind::kLabelling] = 7.25;
  info.wall_seconds = 3.5;
  return info;
}

TEST(RunOutputTest, HeadersAndColumnCounts) {
  RunRecorder rec;
  Feed(rec);
  struct Case {
    std::string text;
    std::string header;
    size_t rows;
  };
  const Case cases[] = {
      {ChunksCsv(rec.chunks()),
       "stream,window,chunk,time_s,model_version,inference_share,frames_total,frames_analysed,correct,"
       "accuracy,"
       "accuracy_mode",
       12},
      {WindowsCsv(rec.windows()),
       "stream,window,retrain_config,inference_share,retrain_share,accuracy_before,accuracy_after,retrain_"
       "done_s,"
       "window_accuracy",
       6},
      {AllocationsCsv(rec.allocations()), "window,time_s,stream,job,device,share,reason", 2},
      {DecisionsCsv(rec.decisions()), "window,time_s,replan,seconds", 2},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FirstLine(c.text), c.header);
    auto rows = ParseCsv(c.text);
    ASSERT_EQ(rows.size(), c.rows + 1);
    const size_t columns = rows[0].size();
    for (const auto& row : rows) EXPECT_EQ(row.size(), columns) << c.header;
  }
  // Headers are written for empty tables too.
  EXPECT_EQ(ChunksCsv({}), FirstLine(cases[0].text) + "\n");
  EXPECT_EQ(DecisionsCsv({}), "window,time_s,replan,seconds\n");
}

TEST(RunOutputTest, SortsChunksAndWindowsKeepsEventOrder) {
  RunRecorder rec;
  Feed(rec);
  auto chunks = ParseCsv(ChunksCsv(rec.chunks()));
  for (size_t i = 2; i < chunks.size(); ++i) {
    auto key = [&](size_t k) {
      return std::make_tuple(std::stoi(chunks[k][0]), std::stoi(chunks[k][1]), std::stoi(chunks[k][2]));
    };
    EXPECT_LT(key(i - 1), key(i));
  }
  EXPECT_EQ(chunks[1][0], "0");
  EXPECT_EQ(chunks[1][1], "0");
  EXPECT_EQ(chunks[1][2], "0");
  auto windows = ParseCsv(WindowsCsv(rec.windows()));
  std::vector<std::string> order;
  for (size_t i = 1; i < windows.size(); ++i) order.push_back(windows[i][0] + ":" + windows[i][1]);
  EXPECT_EQ(order, (std::vector<std::string>{"0:0", "0:1", "0:2", "1:0", "1:1", "1:2"}));

  auto allocs = ParseCsv(AllocationsCsv(rec.allocations()));
  EXPECT_EQ(allocs[1], (std::vector<std::string>{"1", "0", "1", "retraining", "0", "0.5", "plan"}));
  EXPECT_EQ(allocs[2], (std::vector<std::string>{"0", "0", "0", "labelling", "0", "0.5", "window_start"}));
  auto decisions = ParseCsv(DecisionsCsv(rec.decisions()));
  EXPECT_EQ(decisions[1], (std::vector<std::string>{"2", "0", "0", "0.001"}));
  EXPECT_EQ(decisions[2], (std::vector<std::string>{"1", "42.5", "1", "0.0002"}));
}

TEST(RunOutputTest, ChunkRowValues) {
  ChunkRecord c = Chunk(3, 4, 5, 100, 87);
  c.time_s = 12.3456789;
  auto rows = ParseCsv(ChunksCsv({c}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"3", "4", "5", "12.3457", "4", "0.25", "100", "50", "87",
                                               "0.87", "measured"}));
  // No frames: accuracy 0.
  rows = ParseCsv(ChunksCsv({Chunk(0, 0, 0, 0, 0)}));
  EXPECT_EQ(rows[1][9], "0");
}

TEST(RunOutputTest, EmptyOptionalFields) {
  WindowRecord w = Window(0, 1, 0.5);
  w.retrain_config = "none";
  w.accuracy_after = std::nullopt;
  w.retrain_done_s = std::nullopt;
  auto rows = ParseCsv(WindowsCsv({w, Window(1, 1, 0.75)}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"0", "1", "none", "0.5", "0.5", "0.6", "", "", "0.5"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "1", "all-h1024-f0.5-e15", "0.5", "0.5", "0.6", "0.8",
                                               "123.5", "0.75"}));
}

TEST(RunOutputTest, AccuracyTimesFramesIsWhole) {
  std::vector<ChunkRecord> chunks;
  // Every fraction with up to 300 frames, and a few large totals.
  for (int total = 1; total <= 300; ++total) {
    for (int correct = 0; correct <= total; ++correct)
      chunks.push_back(Chunk(0, total, correct, total, correct));
  }
  for (int total : {999, 1000, 4321, 123457, 1000003, 99999989}) {
    for (int correct : {0, 1, total / 3, total / 7, total - 1, total}) {
      chunks.push_back(Chunk(1, total, correct, total, correct));
    }
  }
  auto rows = ParseCsv(ChunksCsv(chunks));
  ASSERT_EQ(rows.size(), chunks.size() + 1);
  for (size_t i = 1; i < rows.size(); ++i) {
    const double total = std::stod(rows[i][6]);
    const double correct = std::stod(rows[i][8]);
    const double acc = std::strtod(rows[i][9].c_str(), nullptr);
    ASSERT_EQ(std::round(acc * total), correct) << rows[i][9] << " x " << total;
    ASSERT_LT(std::fabs(acc * total - correct), 1e-6) << rows[i][9] << " x " << total;
  }
  // Short, readable text for simple fractions.
  EXPECT_EQ(ParseCsv(ChunksCsv({Chunk(0, 0, 0, 100, 87)}))[1][9], "0.87");
  EXPECT_EQ(ParseCsv(ChunksCsv({Chunk(0, 0, 0, 4, 3)}))[1][9], "0.75");
  EXPECT_EQ(ParseCsv(ChunksCsv({Chunk(0, 0, 0, 4, 4)}))[1][9], "1");
  const std::string third = ParseCsv(ChunksCsv({Chunk(0, 0, 0, 999, 333)}))[1][9];
  EXPECT_EQ(std::round(std::stod(third) * 999), 333);
}

TEST(RunOutputTest, SummaryJsonHasExactlyTheKeys) {
  RunRecorder rec;
  Feed(rec);
  RunInfo info = Info();
  info.policy = "thief, \"quoted\"";
  const std::string text = SummaryJson(Summarise(rec, info), info);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\n  \"policy\""), std::string::npos) << "two-space indent";
  nlohmann::json j = nlohmann::json::parse(text);
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  EXPECT_EQ(keys, (std::set<std::string>{"policy", "clock", "seed", "streams", "windows", "devices",
                                         "mean_accuracy", "per_stream", "device_seconds", "wall_seconds"}));
  EXPECT_EQ(j["policy"], "thief, \"quoted\"");
  EXPECT_EQ(j["clock"], "virtual");
  EXPECT_TRUE(j["seed"].is_number_integer());
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["streams"], 2);
  EXPECT_EQ(j["windows"], 3);
  EXPECT_EQ(j["devices"], 1);
  EXPECT_TRUE(j["mean_accuracy"].is_number());
  ASSERT_TRUE(j["per_stream"].is_object());
  EXPECT_EQ(j["per_stream"].size(), 2u);
  EXPECT_TRUE(j["per_stream"].contains("0"));
  EXPECT_TRUE(j["per_stream"].contains("1"));
  ASSERT_TRUE(j["device_seconds"].is_object());
  std::set<std::string> kinds;
  for (auto it = j["device_seconds"].begin(); it != j["device_seconds"].end(); ++it) kinds.insert(it.key());
  EXPECT_EQ(kinds, (std::set<std::string>{"inference", "retraining", "profiling", "labelling"}));
  EXPECT_DOUBLE_EQ(j["device_seconds"]["retraining"].get<double>(), 50.5);
  EXPECT_DOUBLE_EQ(j["device_seconds"]["labelling"].get<double>(), 7.25);
  EXPECT_DOUBLE_EQ(j["wall_seconds"].get<double>(), 3.5);
}

TEST(RunOutputTest, SummariseExcludesWindowZero) {
  RunRecorder rec;
  rec.OnWindow(Window(0, 0, 0.1));
  rec.OnWindow(Window(0, 1, 0.6));
  rec.OnWindow(Window(0, 2, 0.8));
  rec.OnWindow(Window(1, 0, 0.2));
  rec.OnWindow(Window(1, 1, 0.4));
  RunInfo info = Info();
  RunSummary s = Summarise(rec, info);
  EXPECT_NEAR(s.mean_accuracy, (0.6 + 0.8 + 0.4) / 3, 1e-12);
  ASSERT_EQ(s.per_stream.size(), 2u);
  EXPECT_NEAR(s.per_stream.at(0), 0.7, 1e-12);
  EXPECT_NEAR(s.per_stream.at(1), 0.4, 1e-12);
  EXPECT_EQ(s.usage.seconds, info.usage.seconds);
  EXPECT_EQ(s.wall_seconds, 3.5);

  // A run of window 0 alone uses window 0.
  RunRecorder only_zero;
  only_zero.OnWindow(Window(0, 0, 0.3));
  only_zero.OnWindow(Window(1, 0, 0.5));
  s = Summarise(only_zero, info);
  EXPECT_NEAR(s.mean_accuracy, 0.4, 1e-12);
  EXPECT_NEAR(s.per_stream.at(1), 0.5, 1e-12);

  // No records: zero, no streams.
  s = Summarise(RunRecorder(), info);
  EXPECT_EQ(s.mean_accuracy, 0);
  EXPECT_TRUE(s.per_stream.empty());
}

TEST(RunOutputTest, ByteIdenticalForIdenticalRecords) {
  RunRecorder a, b;
  Feed(a);
  Feed(b);
  const RunInfo info = Info();
  EXPECT_EQ(ChunksCsv(a.chunks()), ChunksCsv(b.chunks()));
  EXPECT_EQ(WindowsCsv(a.windows()), WindowsCsv(b.windows()));
  EXPECT_EQ(AllocationsCsv(a.allocations()), AllocationsCsv(b.allocations()));
  EXPECT_EQ(DecisionsCsv(a.decisions()), DecisionsCsv(b.decisions()));
  EXPECT_EQ(SummaryJson(Summarise(a, info), info), SummaryJson(Summarise(b, info), info));
  EXPECT_EQ(RunTable(Summarise(a, info), info), RunTable(Summarise(b, info), info));

  // Chunks and windows recorded in another order give the same files.
  std::vector<ChunkRecord> reversed(a.chunks().rbegin(), a.chunks().rend());
  EXPECT_EQ(ChunksCsv(reversed), ChunksCsv(a.chunks()));
  std::vector<WindowRecord> wrev(a.windows().rbegin(), a.windows().rend());
  EXPECT_EQ(WindowsCsv(wrev), WindowsCsv(a.windows()));
  // Negative zero prints like zero.
  ChunkRecord pos = Chunk(0, 0, 0), neg = Chunk(0, 0, 0);
  pos.time_s = 0.0;
  neg.time_s = -0.0;
  EXPECT_EQ(ChunksCsv({pos}), ChunksCsv({neg}));
}

class RunDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("ekya_report_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RunDirectoryTest, WritesEveryFile) {
  RunRecorder rec;
  Feed(rec);
  const RunInfo info = Info();
  const fs::path run = dir_ / "nested" / "run1";
  Status st = WriteRunDirectory(run.string(), "seed: 7\n", rec, info);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ReadFile(run / "settings.yaml"), "seed: 7\n");
  EXPECT_EQ(ReadFile(run / "chunks.csv"), ChunksCsv(rec.chunks()));
  EXPECT_EQ(ReadFile(run / "windows.csv"), WindowsCsv(rec.windows()));
  EXPECT_EQ(ReadFile(run / "allocations.csv"), AllocationsCsv(rec.allocations()));
  EXPECT_EQ(ReadFile(run / "decisions.csv"), DecisionsCsv(rec.decisions()));
  EXPECT_EQ(ReadFile(run / "snapshots.jsonl"), "") << "no decision came with a snapshot";
  EXPECT_EQ(ReadFile(run / "summary.json"), SummaryJson(Summarise(rec, info), info));
  EXPECT_EQ(ReadFile(run / "profiles.csv"), ProfilesCsv(rec.profiles()));
  EXPECT_EQ(ReadFile(run / "inference_profile.csv"), InferenceProfileCsv(rec.inference_profiles()));
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(run)) {
    EXPECT_NE(entry.path().extension(), ".tmp");
    ++count;
  }
  EXPECT_EQ(count, 9u);
  // Writing again over an existing directory works and gives the same bytes.
  const std::string before = ReadFile(run / "chunks.csv");
  ASSERT_TRUE(WriteRunDirectory(run.string(), "seed: 7\n", rec, info).ok());
  EXPECT_EQ(ReadFile(run / "chunks.csv"), before);
}

// Issue 4: snapshots.jsonl holds a copy of each decision's snapshot, a line
// per decision in the order recorded, that reads back as the same snapshot.
TEST_F(RunDirectoryTest, WritesTheSnapshotOfEachDecision) {
  RunRecorder rec;
  for (int t = 1; t <= 2; ++t) {
    Snapshot snap;  // gone after the call: the recorder must copy it
    snap.window = t;
    snap.window_seconds = 200;
    snap.time_s = t == 2 ? 42.5 : 0.0;
    snap.replan = t == 2;
    snap.configs = DefaultConfigSpace();
    StreamState st;
    st.accuracy = t == 1 ? std::nan("") : 0.5;
    st.candidates.push_back({DefaultConfigSpace()[3], 0.75, 33.25});
    if (snap.replan) {
      st.running = DefaultConfigSpace()[3];
      st.running_remaining_seconds = 12;
      st.retrain_share = 0.5;
    }
    snap.streams.push_back(st);
    DecisionRecord d{t, snap.time_s, snap.replan, 0.001};
    d.snapshot = &snap;
    rec.OnDecision(d);
  }
  ASSERT_EQ(rec.snapshots().size(), 2u);
  EXPECT_EQ(rec.decisions()[0].snapshot, nullptr);
  const fs::path run = dir_ / "run";
  ASSERT_TRUE(WriteRunDirectory(run.string(), "seed: 7\n", rec, Info()).ok());
  const std::string text = ReadFile(run / "snapshots.jsonl");
  EXPECT_EQ(text, SnapshotsJsonl(rec.snapshots()));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.rfind("{\"window\":1,\"time_s\":0.0,\"replan\":false,\"snapshot\":{\"window\":1,", 0), 0u)
      << text;
  Result<std::vector<SnapshotRecord>> back = SnapshotRecordsFromJsonl(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_TRUE(std::isnan((*back)[0].snapshot.streams[0].accuracy));
  EXPECT_TRUE((*back)[1].replan);
  EXPECT_EQ((*back)[1].time_s, 42.5);
  EXPECT_TRUE((*back)[1].snapshot.streams[0].running == DefaultConfigSpace()[3]);
  EXPECT_EQ((*back)[1].snapshot.streams[0].candidates[0].cost_seconds, 33.25);
}

TEST_F(RunDirectoryTest, FailsWhenTheDirectoryIsAFile) {
  fs::create_directories(dir_);
  const fs::path file = dir_ / "not_a_dir";
  { std::ofstream(file) << "x"; }
  RunRecorder rec;
  Feed(rec);
  Status st = WriteRunDirectory(file.string(), "seed: 7\n", rec, Info());
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("settings.yaml"), std::string::npos) << st.message();
  EXPECT_EQ(ReadFile(file), "x") << "the file is left alone";
}

TEST(RunOutputTest, ComparisonCsvQuotesPolicies) {
  std::vector<ComparisonRow> rows = {
      {"thief", 0.75, 1200.5, 3.25},
      {"fair,retrain=all", 0.5, 1000, 2},
      {"say \"hi\"", 0.25, 0, 0},
  };
  const std::string text = ComparisonCsv(rows);
  EXPECT_EQ(text,
            "policy,mean_accuracy,device_seconds_total,wall_seconds\n"
            "thief,0.75,1200.5,3.25\n"
            "\"fair,retrain=all\",0.5,1000,2\n"
            "\"say \"\"hi\"\"\",0.25,0,0\n");
  auto parsed = ParseCsv(text);
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_EQ(parsed[2][0], "fair,retrain=all");
  EXPECT_EQ(parsed[3][0], "say \"hi\"");
  for (const auto& row : parsed) EXPECT_EQ(row.size(), 4u);
}

TEST(RunOutputTest, ComparisonTableMarksTheBest) {
  std::vector<ComparisonRow> rows = {
      {"noretrain", 0.5, 100, 1}, {"thief", 0.8, 300, 2}, {"fair", 0.7, 300, 2}};
  const std::string table = ComparisonTable(rows);
  std::istringstream in(table);
  std::string line;
  int marked = 0;
  bool thief_marked = false;
  while (std::getline(in, line)) {
    if (line.find("thief") != std::string::npos) thief_marked = line.find('*') != std::string::npos;
    if (line.find("noretrain") != std::string::npos || line.find("fair") != std::string::npos) {
      EXPECT_EQ(line.find('*'), std::string::npos) << line;
    }
    if (line.find('*') != std::string::npos && line.find("best") == std::string::npos) ++marked;
  }
  EXPECT_TRUE(thief_marked) << table;
  EXPECT_EQ(marked, 1) << table;
  EXPECT_NE(table.find("0.8000"), std::string::npos);
}

TEST(RunOutputTest, RunTableShowsStreamsUsageAndPolicy) {
  RunRecorder rec;
  Feed(rec);
  const RunInfo info = Info();
  const std::string table = RunTable(Summarise(rec, info), info);
  EXPECT_NE(table.find("thief"), std::string::npos);
  for (const char* word : {"inference", "retraining", "profiling", "labelling", "total", "wall", "all"}) {
    EXPECT_NE(table.find(word), std::string::npos) << word << "\n" << table;
  }
  EXPECT_NE(table.find("159.8"), std::string::npos) << "total device-seconds\n" << table;
  // One line per stream: lines starting with the stream index.
  EXPECT_NE(table.find("\n  0 "), std::string::npos) << table;
  EXPECT_NE(table.find("\n  1 "), std::string::npos) << table;
}

TEST(RunOutputTest, RecorderDrawsProgressOnlyWhenAsked) {
  Progress::SetInteractiveForTesting(1);
  {
    RunRecorder quiet(false, "quiet run");
    ::testing::internal::CaptureStderr();
    quiet.OnProgress(1, 4, 0, "retraining");
    quiet.FinishProgress("done");
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
  {
    RunRecorder shown(true, "shown run");
    ::testing::internal::CaptureStderr();
    shown.OnProgress(2, 5, 1, "retraining");
    shown.FinishProgress("finished");
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("shown run"), std::string::npos) << err;
    EXPECT_NE(err.find("2/5"), std::string::npos) << err;
    EXPECT_NE(err.find("window 2/5 \u00b7 stream 1 \u00b7 retraining"), std::string::npos) << err;
    EXPECT_NE(err.find("finished"), std::string::npos) << err;
  }
  {
    RunRecorder all(true, "all run");
    ::testing::internal::CaptureStderr();
    all.OnProgress(0, 3, -1, "planning");
    all.FinishProgress("");
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("window 0/3 \u00b7 all streams \u00b7 planning"), std::string::npos) << err;
  }
  Progress::SetInteractiveForTesting(-1);
  // Records are kept whatever the display.
  RunRecorder rec;
  Feed(rec);
  EXPECT_EQ(rec.chunks().size(), 12u);
  EXPECT_EQ(rec.windows().size(), 6u);
  EXPECT_EQ(rec.allocations().size(), 2u);
  EXPECT_EQ(rec.decisions().size(), 2u);
}

TEST(RunOutputTest, ProfilesCsvSortsAndLeavesUnmeasuredEmpty) {
  ProfileRecord a;
  a.stream = 1;
  a.window = 2;
  a.config = "head-h64-f0.1";
  a.epochs = 5;
  a.predicted_accuracy = 0.75;
  a.predicted_cost_s = 4.5;
  ProfileRecord b = a;
  b.stream = 0;
  b.config = "all-h1024-f1.0";
  b.epochs = 30;
  b.measured_accuracy = 0.8;
  b.measured_cost_s = 290.5;
  EXPECT_EQ(ProfilesCsv({a, b}),
            "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n"
            "0,2,all-h1024-f1.0,30,0.75,4.5,0.8,290.5\n"
            "1,2,head-h64-f0.1,5,0.75,4.5,,\n");
  EXPECT_EQ(InferenceProfileCsv({{0, 1, 0.5, 0.6}, {0, 1, 0.25, 0.4}}),
            "stream,window,fraction,accuracy\n0,1,0.25,0.4\n0,1,0.5,0.6\n");
}

}  // namespace
}  // namespace ekya
