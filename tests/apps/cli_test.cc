// Runs the real `ekya` binary: bad inputs are refused with a message that
// names the problem and leave no result file; a tiny scenario runs end to end
// (pretrain, then drift) and gives the same drift.json twice; `run` and
// `compare` on a tiny scenario write the run directory with its contract
// (columns, whole frame counts, conservation, determinism); a simulated run
// saves its snapshots and `bench scheduler --snapshot` times one of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/sim_fixture.h"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string output;  // stdout and stderr together
};

Outcome RunEkya(const std::string& args) {
  std::string cmd = std::string(EKYA_BINARY) + " " + args + " 2>&1";
  Outcome out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.output.append(buf.data(), n);
  int raw = pclose(pipe);
  out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ekya_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// A scenario small enough to pretrain and measure in seconds.
std::string TinyScenario(const fs::path& models) {
  return "--config configs/quick.yaml --set models.dir=" + models.string() +
         " --set benchmark.base_train_size=600 --set benchmark.base_test_size=200"
         " --set benchmark.frames_per_window=60 --set pretrain.epochs=1 --set golden.epochs=1"
         " --set train.base_sample=50 --set streams=2 --set windows=3";
}

TEST_F(CliTest, ListSettingsPrintsEveryKey) {
  Outcome o = RunEkya("list settings");
  ASSERT_EQ(o.status, 0) << o.output;
  for (const char* key :
       {"streams", "windows", "seed", "dataset.path", "labels", "benchmark.frames_per_window"}) {
    EXPECT_NE(o.output.find(key), std::string::npos) << key;
  }
}

TEST_F(CliTest, MissingDatasetIsRefusedAndWritesNothing) {
  fs::path out = dir_ / "out";
  Outcome o =
      RunEkya("drift --config configs/quick.yaml --set dataset.path=/nonexistent --out " + out.string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.output.find("/nonexistent"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("dataset.path"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out / "drift.json"));
}

TEST_F(CliTest, BadValueIsRefusedByName) {
  fs::path out = dir_ / "out";
  Outcome o = RunEkya("drift --config configs/quick.yaml --set streams=0 --out " + out.string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.output.find("'streams'"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("integer in [1,"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out / "drift.json"));
}

TEST_F(CliTest, UnknownKeyIsRefusedByName) {
  fs::path out = dir_ / "out";
  Outcome o = RunEkya("drift --config configs/quick.yaml --set no_such_key=1 --out " + out.string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.output.find("unknown setting 'no_such_key'"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out / "drift.json"));
  std::ofstream(dir_ / "bad.yaml") << "streams: 2\nstreems: 3\n";
  o = RunEkya("drift --config " + (dir_ / "bad.yaml").string() + " --out " + out.string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.output.find("streems"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out / "drift.json"));
}

TEST_F(CliTest, TinyScenarioRunsEndToEndDeterministically) {
  fs::path models = dir_ / "models";
  Outcome p = RunEkya("pretrain " + TinyScenario(models));
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_TRUE(fs::exists(models / "manifest.json"));
  // A second pretrain reuses the cache.
  p = RunEkya("pretrain " + TinyScenario(models));
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_NE(p.output.find("yes"), std::string::npos) << p.output;

  Outcome a = RunEkya("drift " + TinyScenario(models) + " --out " + (dir_ / "a").string());
  ASSERT_EQ(a.status, 0) << a.output;
  Outcome b = RunEkya("drift " + TinyScenario(models) + " --out " + (dir_ / "b").string());
  ASSERT_EQ(b.status, 0) << b.output;
  std::string ja = ReadFile(dir_ / "a" / "drift.json");
  EXPECT_EQ(ja, ReadFile(dir_ / "b" / "drift.json")) << "the same seed must give the same drift.json";

  auto j = nlohmann::json::parse(ja);
  for (const char* key :
       {"base_model_clean_accuracy", "noretrain_model_accuracy", "best_retraining_accuracy", "stale_gap",
        "specialisation_gap", "retrain_once_gap", "golden_accuracy_drifted", "streams", "windows", "seed"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 10u) << "drift.json holds exactly the ten keys";
  EXPECT_EQ(j["streams"], 2);
  EXPECT_EQ(j["windows"], 3);
  double acc = j["best_retraining_accuracy"];
  EXPECT_GT(acc, 0.0);
  EXPECT_LE(acc, 1.0);
  EXPECT_TRUE(fs::exists(dir_ / "a" / "settings.yaml"));
  std::string csv = ReadFile(dir_ / "a" / "drift_windows.csv");
  EXPECT_EQ(csv.rfind("stream,window,appearance,noretrain_accuracy,retrained_accuracy,golden_accuracy\n", 0),
            0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 2) << "a row per stream and window t >= 1";
  EXPECT_NE(a.output.find("best_retraining_accuracy"), std::string::npos) << "the table is printed";
}

// Splits a CSV text (no quoted commas in these files) into rows of fields;
// the header row comes first.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::stringstream ls(line);
    while (std::getline(ls, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

TEST_F(CliTest, RunRefusesBadInputsAndWritesNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--policy nosuch", "nosuch"},
      {"--set streams=0", "streams"},
      {"--set dataset.path=/nonexistent", "/nonexistent"},
      {"--set clock=wall", "wall"},
      {"--policy fair:config=bogus", "bogus"},
      {"--policy fair:inference_fraction=2", "inference_fraction"},
      {"--set on_completion=later", "on_completion"},
      // The scenario's prior was profiled on the streams of seed 4.
      {"--seed 4 --policy thief", "profiler.prior"},
      {"--policy thief --set profiler.prior=/nonexistent-profile", "profiler.prior"},
  };
  for (const auto& [args, named] : cases) {
    fs::path out = dir_ / "out";
    Outcome o = RunEkya("run --config configs/quick.yaml " + args + " --out " + out.string());
    EXPECT_NE(o.status, 0) << args;
    EXPECT_NE(o.output.find(named), std::string::npos) << args << ": " << o.output;
    EXPECT_FALSE(fs::exists(out / "summary.json")) << args;
  }
  Outcome o = RunEkya("compare --config configs/quick.yaml --policy noretrain --policy nosuch --out " +
                      (dir_ / "cmp").string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.output.find("known policies"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(dir_ / "cmp"));
}

TEST_F(CliTest, ListPoliciesNamesTheBaselines) {
  Outcome o = RunEkya("list policies");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("noretrain"), std::string::npos);
  EXPECT_NE(o.output.find("fair"), std::string::npos);
}

TEST_F(CliTest, RunWritesTheRunDirectoryDeterministically) {
  fs::path models = dir_ / "models";
  ASSERT_EQ(RunEkya("pretrain " + TinyScenario(models)).status, 0);
  const std::string scenario = TinyScenario(models) + " --set devices=2 --set streams=3 --set chunks=5";
  Outcome a = RunEkya("run " + scenario + " --policy fair --seed 1 --out " + (dir_ / "a").string());
  ASSERT_EQ(a.status, 0) << a.output;
  Outcome b = RunEkya("run " + scenario + " --policy fair --seed 1 --out " + (dir_ / "b").string());
  ASSERT_EQ(b.status, 0) << b.output;
  for (const char* f : {"chunks.csv", "windows.csv", "allocations.csv", "snapshots.jsonl"}) {
    EXPECT_EQ(ReadFile(dir_ / "a" / f), ReadFile(dir_ / "b" / f)) << f << " differs between identical runs";
  }
  for (const char* f : {"settings.yaml", "chunks.csv", "windows.csv", "allocations.csv", "summary.json"}) {
    EXPECT_TRUE(fs::exists(dir_ / "a" / f)) << f;
  }
  // snapshots.jsonl: a line per row of decisions.csv.
  const std::string snapshots = ReadFile(dir_ / "a" / "snapshots.jsonl");
  const std::string decisions = ReadFile(dir_ / "a" / "decisions.csv");
  EXPECT_GT(std::count(snapshots.begin(), snapshots.end(), '\n'), 0);
  EXPECT_EQ(std::count(snapshots.begin(), snapshots.end(), '\n') + 1,
            std::count(decisions.begin(), decisions.end(), '\n'));

  // chunks.csv: the columns, and accuracy × frames_total is a whole number.
  auto chunks = ParseCsv(ReadFile(dir_ / "a" / "chunks.csv"));
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks[0], (std::vector<std::string>{"stream", "window", "chunk", "time_s", "model_version",
                                                 "inference_share", "frames_total", "frames_analysed",
                                                 "correct", "accuracy", "accuracy_mode"}));
  EXPECT_EQ(chunks.size(), 1u + 3 * 3 * 5) << "one row per stream, window and chunk";
  for (size_t i = 1; i < chunks.size(); ++i) {
    const double acc = std::stod(chunks[i][9]);
    const int total = std::stoi(chunks[i][6]);
    const int correct = std::stoi(chunks[i][8]);
    EXPECT_NEAR(acc * total, correct, 1e-6) << "row " << i;
    EXPECT_LE(std::stoi(chunks[i][7]), total);
  }

  // windows.csv: the columns; a window-0 row says none.
  auto windows = ParseCsv(ReadFile(dir_ / "a" / "windows.csv"));
  EXPECT_EQ(windows[0], (std::vector<std::string>{"stream", "window", "retrain_config", "inference_share",
                                                  "retrain_share", "accuracy_before", "accuracy_after",
                                                  "retrain_done_s", "window_accuracy"}));
  EXPECT_EQ(windows.size(), 1u + 3 * 3);
  EXPECT_EQ(windows[1][2], "none");
  EXPECT_EQ(windows[2][2], "all-h1024-f0.1-e5") << "fair retrains from window 1";

  // allocations.csv: per device and window the shares integrate to at most P,
  // and stream s always sits on device s mod 2.
  auto alloc = ParseCsv(ReadFile(dir_ / "a" / "allocations.csv"));
  EXPECT_EQ(alloc[0],
            (std::vector<std::string>{"window", "time_s", "stream", "job", "device", "share", "reason"}));
  const double P = 200;
  std::map<std::pair<int, std::string>, std::pair<double, double>> open;  // (stream, job) -> (time, share)
  std::map<std::pair<int, int>, double> integral;                         // (window, device) -> share·s
  for (size_t i = 1; i < alloc.size(); ++i) {
    const int window = std::stoi(alloc[i][0]);
    const double t = std::stod(alloc[i][1]);
    const int stream = std::stoi(alloc[i][2]);
    const int device = std::stoi(alloc[i][4]);
    const double share = std::stod(alloc[i][5]);
    EXPECT_EQ(device, stream % 2);
    auto key = std::make_pair(stream, alloc[i][3]);
    if (open.count(key)) integral[{window, device}] += open[key].second * (t - open[key].first);
    open[key] = {t, share};
    if (alloc[i][6] == "window_end") {
      EXPECT_EQ(share, 0.0);
      open.erase(key);
    }
  }
  EXPECT_TRUE(open.empty()) << "every job has a closing row";
  for (const auto& [wd, v] : integral)
    EXPECT_LE(v, P + 1e-6) << "window " << wd.first << " device " << wd.second;

  // summary.json: the keys, and the device-seconds fit the devices' time.
  auto j = nlohmann::json::parse(ReadFile(dir_ / "a" / "summary.json"));
  for (const char* key : {"policy", "clock", "seed", "streams", "windows", "devices", "mean_accuracy",
                          "per_stream", "device_seconds", "wall_seconds"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  double used = 0;
  for (const char* kind : {"inference", "retraining", "profiling", "labelling"})
    used += j["device_seconds"][kind].get<double>();
  EXPECT_LE(used, 2 * P * 3 + 1e-6);
  EXPECT_GT(j["device_seconds"]["retraining"].get<double>(), 0.0);
  EXPECT_GT(j["device_seconds"]["labelling"].get<double>(), 0.0) << "golden labels are charged";
  EXPECT_EQ(j["devices"], 2);
  EXPECT_NE(a.output.find("mean accuracy"), std::string::npos) << "the table is printed";

  // compare: one directory per policy and comparison.csv.
  Outcome c =
      RunEkya("compare " + scenario + " --policy noretrain --policy fair:inference_fraction=0.3 --out " +
              (dir_ / "cmp").string());
  ASSERT_EQ(c.status, 0) << c.output;
  auto cmp = ParseCsv(ReadFile(dir_ / "cmp" / "comparison.csv"));
  ASSERT_EQ(cmp.size(), 3u);
  EXPECT_EQ(cmp[0],
            (std::vector<std::string>{"policy", "mean_accuracy", "device_seconds_total", "wall_seconds"}));
  EXPECT_TRUE(fs::exists(dir_ / "cmp" / "noretrain" / "summary.json"));
  int dirs = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "cmp")) dirs += e.is_directory() ? 1 : 0;
  EXPECT_EQ(dirs, 2);
}

// Issue 4: `ekya profile` records every config in full, and `ekya simulate`
// on those profiles reproduces real runs of the same streams and devices
// (mean accuracy within 0.02) for noretrain and fair.
TEST_F(CliTest, SimulatorReproducesRealRuns) {
  fs::path models = dir_ / "models";
  // Models trained a little longer than TinyScenario's, so that accuracies
  // are not all near zero.
  const std::string scenario =
      "--config configs/quick.yaml --set models.dir=" + models.string() +
      " --set benchmark.base_train_size=3000 --set benchmark.base_test_size=200"
      " --set benchmark.frames_per_window=100 --set pretrain.epochs=3 --set golden.epochs=2"
      " --set train.base_sample=50 --set streams=2 --set windows=3"
      " --set on_completion=to_inference";
  ASSERT_EQ(RunEkya("pretrain " + scenario).status, 0);
  Outcome p = RunEkya("profile " + scenario + " --out " + (dir_ / "prof").string());
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_NE(p.output.find("median_abs_error="), std::string::npos) << p.output;
  auto rows = ParseCsv(ReadFile(dir_ / "prof" / "profiles.csv"));
  EXPECT_EQ(rows[0], (std::vector<std::string>{"stream", "window", "config", "epochs", "predicted_accuracy",
                                               "predicted_cost_s", "measured_accuracy", "measured_cost_s"}));
  EXPECT_EQ(rows.size(), 1u + 2 * 2 * 19) << "18 configs and none, per stream and window t >= 1";
  // Every estimator is assessed on the same micro-profiles; the scenario's
  // profiler.prior adds the prior's rows.
  auto estimators = ParseCsv(ReadFile(dir_ / "prof" / "estimators.csv"));
  ASSERT_EQ(estimators.size(), 8u);
  EXPECT_EQ(estimators[0],
            (std::vector<std::string>{"estimator", "median_abs_error", "top1_hit_rate", "mean_regret"}));
  EXPECT_EQ(estimators[1][0], "calibrated");
  EXPECT_EQ(estimators[2][0], "optimus/samples");
  EXPECT_EQ(estimators[4][0], "prior");
  EXPECT_EQ(estimators[5][0], "prior-ranking");
  EXPECT_EQ(estimators[7][0], "released/steps");
  EXPECT_NE(p.output.find("optimus/steps"), std::string::npos) << p.output;
  auto held_out = ParseCsv(ReadFile(dir_ / "prof" / "held_out.csv"));
  ASSERT_EQ(held_out.size(), 1u + 2 * 2 * 18) << "18 configs per stream and window t >= 1";
  EXPECT_EQ(held_out[0],
            (std::vector<std::string>{"stream", "window", "config", "epochs", "held_out_accuracy"}));
  for (size_t i = 1; i < held_out.size(); ++i) {
    const double a = std::stod(held_out[i][4]);
    EXPECT_GE(a, 0.0);
    EXPECT_LE(a, 1.0);
  }

  const std::string fair = "fair:config=head-h64-f0.5-e5,inference_fraction=0.5";
  Outcome real = RunEkya("compare " + scenario + " --policy noretrain --policy " + fair + " --out " +
                         (dir_ / "real").string());
  ASSERT_EQ(real.status, 0) << real.output;
  Outcome sim = RunEkya("simulate --profiles " + (dir_ / "prof").string() + " " +
                        scenario.substr(scenario.find("--set")) + " --policy noretrain --policy " + fair +
                        " --out " + (dir_ / "sim").string());
  ASSERT_EQ(sim.status, 0) << sim.output;
  auto real_rows = ParseCsv(ReadFile(dir_ / "real" / "comparison.csv"));
  auto sim_rows = ParseCsv(ReadFile(dir_ / "sim" / "comparison.csv"));
  ASSERT_EQ(real_rows.size(), 3u);
  ASSERT_EQ(sim_rows.size(), 3u);
  for (size_t i = 1; i < 3; ++i) {
    // The policy may be quoted and hold commas: count from the end.
    const double r = std::stod(real_rows[i][real_rows[i].size() - 3]);
    const double s = std::stod(sim_rows[i][sim_rows[i].size() - 3]);
    std::printf("%s: real %.4f simulated %.4f (%zu fields)\n", real_rows[i][0].c_str(), r, s,
                real_rows[i].size());
    EXPECT_NEAR(r, s, 0.02) << real_rows[i][0];
  }
}

// Issue 4: a run directory holds snapshots.jsonl, one line per row of
// decisions.csv (the snapshot that policy call saw), and `ekya bench
// scheduler --snapshot` times the policy on one of them.
TEST_F(CliTest, BenchSchedulerTimesASnapshotSavedByARun) {
  const fs::path prof = dir_ / "prof";
  fs::create_directories(prof);
  std::ofstream(prof / "profiles.csv") << ekya::testing::kSimProfilesCsv;
  std::ofstream(prof / "inference_profile.csv") << ekya::testing::kSimInferenceCsv;
  std::ofstream(prof / "profiler_costs.csv") << ekya::testing::kSimProfilerCostsCsv;
  const fs::path run = dir_ / "run";
  Outcome sim = RunEkya("simulate --profiles " + prof.string() +
                        " --set streams=3 --set devices=2 --set on_completion=replan --policy thief --out " +
                        run.string());
  ASSERT_EQ(sim.status, 0) << sim.output;

  auto decisions = ParseCsv(ReadFile(run / "decisions.csv"));
  ASSERT_GE(decisions.size(), 3u) << "a plan per window t >= 1";
  EXPECT_EQ(decisions[0], (std::vector<std::string>{"window", "time_s", "replan", "seconds"}));
  std::vector<std::string> lines;
  {
    std::stringstream text(ReadFile(run / "snapshots.jsonl"));
    std::string line;
    while (std::getline(text, line)) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), decisions.size() - 1) << "one line per row of decisions.csv";
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(j["window"].get<int>(), std::stoi(decisions[i + 1][0])) << "line " << i;
    EXPECT_EQ(j["replan"].get<bool>(), decisions[i + 1][2] == "1") << "line " << i;
    EXPECT_EQ(j["snapshot"]["window"], j["window"]);
    EXPECT_EQ(j["snapshot"]["streams"].size(), 3u);
    EXPECT_EQ(j["snapshot"]["devices"], 2);
  }

  const std::string file = (run / "snapshots.jsonl").string();
  Outcome bench = RunEkya("bench scheduler --snapshot " + file + " --repeats 3");
  ASSERT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find("snapshot " + file + " index "), std::string::npos) << bench.output;
  EXPECT_NE(bench.output.find("3 streams, 2 devices"), std::string::npos) << bench.output;
  EXPECT_NE(bench.output.find("thief"), std::string::npos) << "the run's policy by default: " << bench.output;
  EXPECT_NE(bench.output.find("retraining_jobs="), std::string::npos) << bench.output;
  EXPECT_NE(bench.output.find("estimator_calls="), std::string::npos) << bench.output;
  const size_t median = bench.output.rfind("median_ms=");
  ASSERT_NE(median, std::string::npos) << bench.output;
  EXPECT_EQ(bench.output.find('\n', median), bench.output.size() - 1) << "median_ms= is the last line";

  // Another snapshot, another policy; a single-snapshot .json file.
  const std::string last = std::to_string(lines.size() - 1);
  bench = RunEkya("bench scheduler --snapshot " + file + " --snapshot-index " + last +
                  " --policy fair --repeats 2");
  ASSERT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find("index " + last + " of " + std::to_string(lines.size())), std::string::npos)
      << bench.output;
  EXPECT_NE(bench.output.find("median_ms="), std::string::npos) << bench.output;
  std::ofstream(dir_ / "one.json") << nlohmann::json::parse(lines[0])["snapshot"].dump(2);
  bench = RunEkya("bench scheduler --snapshot " + (dir_ / "one.json").string() + " --repeats 2");
  ASSERT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find("index 0 of 1"), std::string::npos) << bench.output;
  EXPECT_NE(bench.output.find("default settings"), std::string::npos) << bench.output;

  // A run whose policy plans without estimates: its score is unknown, not 1.
  const fs::path plain = dir_ / "plain";
  sim = RunEkya("simulate --profiles " + prof.string() + " --set streams=3 --set devices=2 --policy noretrain --out " +
                plain.string());
  ASSERT_EQ(sim.status, 0) << sim.output;
  bench = RunEkya("bench scheduler --snapshot " + (plain / "snapshots.jsonl").string() + " --repeats 2");
  ASSERT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find(" n/a "), std::string::npos) << bench.output;
  EXPECT_EQ(bench.output.find(".accuracy,"), std::string::npos) << bench.output;

  // Refused: synthetic options with a file, an index out of range or without a file.
  Outcome o = RunEkya("bench scheduler --snapshot " + file + " --streams 4");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("cannot be combined with --streams"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("median_ms="), std::string::npos) << o.output;
  o = RunEkya("bench scheduler --snapshot " + file + " --snapshot-index " + std::to_string(lines.size()));
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("--snapshot-index"), std::string::npos) << o.output;
  o = RunEkya("bench scheduler --snapshot-index 0");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("--snapshot-index needs --snapshot"), std::string::npos) << o.output;
}

TEST_F(CliTest, BenchSchedulerRefusesABadSnapshotFile) {
  const fs::path missing = dir_ / "nope.jsonl";
  Outcome o = RunEkya("bench scheduler --snapshot " + missing.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("ekya: error:"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find(missing.string()), std::string::npos) << o.output;

  const fs::path garbage = dir_ / "garbage.jsonl";
  std::ofstream(garbage) << "{\"window\": 1}\nnot json\n";
  o = RunEkya("bench scheduler --snapshot " + garbage.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find(garbage.string() + ": line 1: snapshot: "), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("median_ms="), std::string::npos) << o.output;

  const fs::path bad = dir_ / "bad.json";
  std::ofstream(bad) << "{\"window\": 1, \"window_seconds\": 200, \"time_s\": 0, \"devices\": 1, "
                        "\"r_max\": 0.25, \"replan\": false, \"configs\": [], "
                        "\"streams\": [{\"stream\": 0, \"device\": 3}]}";
  o = RunEkya("bench scheduler --snapshot " + bad.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("streams[0]"), std::string::npos) << o.output;
}

}  // namespace
