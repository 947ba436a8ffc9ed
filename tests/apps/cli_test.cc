// Runs the real `ekya` binary: bad inputs are refused with a message that
// names the problem and leave no result file; a tiny scenario runs end to end
// (pretrain, then drift) and gives the same drift.json twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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
  for (const char* key : {"streams", "windows", "seed", "dataset.path", "labels", "benchmark.frames_per_window"}) {
    EXPECT_NE(o.output.find(key), std::string::npos) << key;
  }
}

TEST_F(CliTest, MissingDatasetIsRefusedAndWritesNothing) {
  fs::path out = dir_ / "out";
  Outcome o = RunEkya("drift --config configs/quick.yaml --set dataset.path=/nonexistent --out " + out.string());
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
  for (const char* key : {"base_model_clean_accuracy", "noretrain_model_accuracy", "best_retraining_accuracy",
                          "stale_gap", "specialisation_gap", "retrain_once_gap", "golden_accuracy_drifted",
                          "streams", "windows", "seed"}) {
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
  EXPECT_EQ(csv.rfind("stream,window,appearance,noretrain_accuracy,retrained_accuracy,golden_accuracy\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 2) << "a row per stream and window t >= 1";
  EXPECT_NE(a.output.find("best_retraining_accuracy"), std::string::npos) << "the table is printed";
}

}  // namespace
