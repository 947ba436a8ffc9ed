// `oracle` (SPEC §7.4): the thief planning with true profiles read from a
// profiles.csv of its own.
#include "ekya/sched/policies/oracle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ekya/sched/policies/thief.h"
#include "ekya/sched/synthetic.h"
#include "sched/sched_test_util.h"

namespace ekya {
namespace {

namespace fs = std::filesystem;
using testing::ExpectPackable;
using testing::SameAllocation;

constexpr char kHeader[] =
    "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n";

// A fresh folder holding profiles.csv with `text` (the header prepended).
std::string ProfilesDir(const std::string& name, const std::string& rows, bool header = true) {
  const fs::path dir =
      fs::temp_directory_path() / ("ekya_oracle_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "profiles.csv") << (header ? kHeader : "") << rows;
  return dir.string();
}

RetrainConfig Config(const char* id) { return *RetrainConfig::Parse(id); }

const char* kCheap = "head-h64-f0.1-e5";
const char* kGood = "all-h1024-f0.5-e15";

// One stream on one device at 0.5; the micro-profiler (wrongly) predicts the
// cheap config reaches 0.95 and the good one only 0.55.
Snapshot Misleading() {
  Snapshot snapshot;
  snapshot.window = 1;
  snapshot.window_seconds = 200;
  snapshot.devices = 1;
  snapshot.r_max = 0.25;
  snapshot.configs = {Config(kCheap), Config(kGood)};
  StreamState state;
  state.stream = 0;
  state.device = 0;
  state.accuracy = 0.5;
  state.candidates = {{Config(kCheap), 0.95, 10}, {Config(kGood), 0.55, 40}};
  snapshot.streams = {state};
  return snapshot;
}

// The truth: the cheap config reaches 0.6, the good one 0.9, for streams 0
// and 1 of window 1; window 2 has rows for stream 0 only.
const char* kTruth =
    "0,1,none,0,0.5,0,0.52,0\n"
    "0,1,head-h64-f0.1,5,0.95,10,0.6,12\n"
    "0,1,all-h1024-f0.5,15,0.55,40,0.9,45\n"
    "1,1,none,0,0.4,0,0.41,0\n"
    "1,1,head-h64-f0.1,5,0.7,10,0.8,11\n"
    "1,1,all-h1024-f0.5,15,0.6,40,0.65,\n"  // not measured: no candidate
    "0,2,head-h64-f0.1,5,0.7,10,0.7,10\n";

std::unique_ptr<Policy> MakeOracle(const std::string& dir, const Settings& settings = Settings()) {
  auto policy = MakePolicy("oracle:profiles=" + dir, settings);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? std::move(policy).value() : nullptr;
}

const OraclePolicy& AsOracle(const std::unique_ptr<Policy>& policy) {
  return dynamic_cast<const OraclePolicy&>(*policy);
}

TEST(OracleTest, PicksTheTrulyBestConfigWherePredictionsMisleadTheThief) {
  const std::string dir = ProfilesDir("best", kTruth);
  const Snapshot snapshot = Misleading();

  auto thief = MakePolicy("thief", Settings());
  ASSERT_TRUE(thief.ok());
  auto misled = (*thief)->Decide(snapshot);
  ASSERT_TRUE(misled.ok()) << misled.status().ToString();
  ASSERT_TRUE(misled->streams[0].retrain.has_value());
  EXPECT_EQ(misled->streams[0].retrain->Id(), kCheap);

  auto oracle = MakeOracle(dir);
  ASSERT_NE(oracle, nullptr);
  EXPECT_TRUE(oracle->NeedsEstimates());
  auto decided = oracle->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(snapshot, *decided);
  ASSERT_TRUE(decided->streams[0].retrain.has_value());
  EXPECT_EQ(decided->streams[0].retrain->Id(), kGood);

  // Exactly the thief's plan on the true snapshot.
  Snapshot truth = snapshot;
  truth.streams[0].candidates = {{Config(kCheap), 0.6, 12}, {Config(kGood), 0.9, 45}};
  auto expected = (*thief)->Decide(truth);
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(SameAllocation(*decided, *expected));
}

TEST(OracleTest, TrueSnapshotReplacesCandidatesAndFillsUnknownAccuracy) {
  const std::string dir = ProfilesDir("truth", kTruth);
  auto policy = MakeOracle(dir);
  ASSERT_NE(policy, nullptr);
  const OraclePolicy& oracle = AsOracle(policy);

  Snapshot snapshot = testing::MakeSnapshot(3, 2);
  snapshot.configs = {Config(kCheap), Config(kGood)};
  snapshot.streams[0].accuracy = 0.7;  // kept: the deployed model's estimate
  snapshot.streams[0].candidates = {{Config(kGood), 0.1, 1}};
  // streams 1 and 2 have NaN accuracy and no predictions.
  const Snapshot truth = oracle.TrueSnapshot(snapshot);

  ASSERT_EQ(truth.streams.size(), 3u);
  EXPECT_DOUBLE_EQ(truth.streams[0].accuracy, 0.7);
  ASSERT_EQ(truth.streams[0].candidates.size(), 2u);
  EXPECT_EQ(truth.streams[0].candidates[0].config.Id(), kCheap);
  EXPECT_DOUBLE_EQ(truth.streams[0].candidates[0].accuracy, 0.6);
  EXPECT_DOUBLE_EQ(truth.streams[0].candidates[0].cost_seconds, 12);
  EXPECT_EQ(truth.streams[0].candidates[1].config.Id(), kGood);
  EXPECT_DOUBLE_EQ(truth.streams[0].candidates[1].accuracy, 0.9);
  EXPECT_DOUBLE_EQ(truth.streams[0].candidates[1].cost_seconds, 45);

  // NaN accuracy: the measured "none" accuracy; an unmeasured config is left out.
  EXPECT_DOUBLE_EQ(truth.streams[1].accuracy, 0.41);
  ASSERT_EQ(truth.streams[1].candidates.size(), 1u);
  EXPECT_EQ(truth.streams[1].candidates[0].config.Id(), kCheap);
  EXPECT_DOUBLE_EQ(truth.streams[1].candidates[0].accuracy, 0.8);

  // Stream 2 recycles recorded stream 0 (2 mod 2).
  EXPECT_DOUBLE_EQ(truth.streams[2].accuracy, 0.52);
  ASSERT_EQ(truth.streams[2].candidates.size(), 2u);
  EXPECT_DOUBLE_EQ(truth.streams[2].candidates[1].accuracy, 0.9);

  // Placement and the rest of the snapshot are untouched.
  for (size_t s = 0; s < 3; ++s) EXPECT_EQ(truth.streams[s].device, snapshot.streams[s].device);
  EXPECT_EQ(truth.window, snapshot.window);
  EXPECT_EQ(truth.configs.size(), snapshot.configs.size());
}

TEST(OracleTest, OnlyTheSnapshotsConfigsWithItsRecipe) {
  const std::string dir = ProfilesDir("configs", kTruth);
  auto policy = MakeOracle(dir);
  ASSERT_NE(policy, nullptr);
  Snapshot snapshot = Misleading();
  RetrainConfig good = Config(kGood);
  good.batch_size = 64;  // the run's recipe is kept
  snapshot.configs = {good};
  const Snapshot truth = AsOracle(policy).TrueSnapshot(snapshot);
  ASSERT_EQ(truth.streams[0].candidates.size(), 1u);
  EXPECT_TRUE(truth.streams[0].candidates[0].config == good);

  // Without configs in the snapshot every measured config of the table counts.
  snapshot.configs.clear();
  const Snapshot all = AsOracle(policy).TrueSnapshot(snapshot);
  ASSERT_EQ(all.streams[0].candidates.size(), 2u);
  EXPECT_EQ(all.streams[0].candidates[0].config.Id(), kCheap);
  EXPECT_EQ(all.streams[0].candidates[1].config.Id(), kGood);
}

TEST(OracleTest, AWindowWithoutRowsPlansNone) {
  const std::string dir = ProfilesDir("norows", kTruth);
  auto oracle = MakeOracle(dir);
  ASSERT_NE(oracle, nullptr);
  Snapshot snapshot = Misleading();
  snapshot.window = 7;
  auto decided = oracle->Decide(snapshot);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ExpectPackable(snapshot, *decided);
  EXPECT_FALSE(decided->streams[0].retrain.has_value());
  EXPECT_DOUBLE_EQ(decided->streams[0].inference_share, 1.0);

  // Window 2 has rows for recorded stream 0 only: snapshot stream 1 maps to
  // recorded stream 1 and plans none.
  Snapshot two = testing::MakeSnapshot(2, 1);
  two.window = 2;
  two.configs = {Config(kCheap)};
  for (StreamState& s : two.streams) s.accuracy = 0.5;
  const Snapshot truth = AsOracle(oracle).TrueSnapshot(two);
  EXPECT_EQ(truth.streams[0].candidates.size(), 1u);
  EXPECT_TRUE(truth.streams[1].candidates.empty());
  auto planned = oracle->Decide(two);
  ASSERT_TRUE(planned.ok());
  EXPECT_FALSE(planned->streams[1].retrain.has_value());
}

TEST(OracleTest, RefusesAMissingEmptyOrUselessTable) {
  auto unset = MakePolicy("oracle", Settings());
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.status().message().find("oracle.profiles"), std::string::npos) << unset.status().message();
  EXPECT_NE(unset.status().message().find("policy 'oracle'"), std::string::npos) << unset.status().message();

  const std::string missing = (fs::temp_directory_path() / "ekya_oracle_test_no_such_dir").string();
  auto absent = MakePolicy("oracle:profiles=" + missing, Settings());
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(absent.status().message().find("oracle.profiles"), std::string::npos);
  EXPECT_NE(absent.status().message().find(missing + "/profiles.csv"), std::string::npos)
      << absent.status().message();

  const std::string bad = ProfilesDir("bad", "0,1,head-h64-f0.1,5,x,1,0.5,1\n");
  auto corrupt = MakePolicy("oracle:profiles=" + bad, Settings());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(corrupt.status().message().find("profiles.csv line 2"), std::string::npos)
      << corrupt.status().message();

  const std::string predicted_only =
      ProfilesDir("predicted", "0,1,head-h64-f0.1,5,0.7,10,,\n0,1,none,0,0.5,0,0.5,0\n");
  auto useless = MakePolicy("oracle:profiles=" + predicted_only, Settings());
  ASSERT_FALSE(useless.ok());
  EXPECT_EQ(useless.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(useless.status().message().find("measured"), std::string::npos) << useless.status().message();

  // The settings supply the folder just as the spec does; bad search options
  // are refused like the thief's.
  const std::string dir = ProfilesDir("settings", kTruth);
  Settings settings;
  ASSERT_TRUE(settings.Set("oracle.profiles", dir).ok());
  auto from_settings = MakePolicy("oracle", settings);
  ASSERT_TRUE(from_settings.ok()) << from_settings.status().ToString();
  EXPECT_EQ((*from_settings)->spec(), "oracle:profiles=" + dir);
  auto rebuilt = MakePolicy((*from_settings)->spec(), Settings());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
}

TEST(OracleTest, UsesTheThiefsSettings) {
  const std::string dir = ProfilesDir("variant", kTruth);
  Settings settings;
  ASSERT_TRUE(settings.Set("thief.variant", "released").ok());
  ASSERT_TRUE(settings.Set("thief.delta", "0.05").ok());
  ASSERT_TRUE(settings.Set("a_min", "0.3").ok());
  auto policy = MakeOracle(dir, settings);
  ASSERT_NE(policy, nullptr);
  const OracleOptions& options = AsOracle(policy).options();
  EXPECT_EQ(options.thief.variant, ThiefVariant::kReleased);
  EXPECT_DOUBLE_EQ(options.thief.delta, 0.05);
  EXPECT_DOUBLE_EQ(options.thief.estimator.a_min, 0.3);
}

// Writes measured rows for every default config of streams 0..1, window 1,
// from a fixed formula.
std::string SyntheticTruth() {
  std::string rows;
  const std::vector<RetrainConfig> space = DefaultConfigSpace();
  for (int stream = 0; stream < 2; ++stream) {
    rows += std::to_string(stream) + ",1,none,0,0.6,0,0.6,0\n";
    for (size_t k = 0; k < space.size(); ++k) {
      const double accuracy = 0.6 + 0.02 * static_cast<double>((k * 7 + stream * 3) % 17);
      const double cost = 4.0 * static_cast<double>(1 + (k * 5 + stream) % 19) * space[k].epochs / 5.0;
      char line[256];
      std::snprintf(line, sizeof line, "%d,1,%s,%d,0.5,1,%.6f,%.6f\n", stream, space[k].BaseId().c_str(),
                    space[k].epochs, accuracy, cost);
      rows += line;
    }
  }
  return rows;
}

TEST(OracleTest, AllocationsAreValidAndDeterministic) {
  const std::string dir = ProfilesDir("synthetic", SyntheticTruth());
  for (const char* variant : {"paper", "released"}) {
    Settings settings;
    ASSERT_TRUE(settings.Set("thief.variant", variant).ok());
    auto oracle = MakeOracle(dir, settings);
    ASSERT_NE(oracle, nullptr);
    uint64_t seed = 40;
    for (bool replan : {false, true}) {
      for (int devices : {1, 3}) {
        for (int streams : {1, 4, 7}) {
          SyntheticOptions options;
          options.streams = streams;
          options.devices = devices;
          options.replan = replan;
          options.seed = ++seed;
          const Snapshot snapshot = *MakeSyntheticSnapshot(options);
          SCOPED_TRACE(std::string(variant) + (replan ? " replan" : " start") + " streams " +
                       std::to_string(streams) + " devices " + std::to_string(devices));
          auto first = oracle->Decide(snapshot);
          ASSERT_TRUE(first.ok()) << first.status().ToString();
          ExpectPackable(snapshot, *first);
          auto second = oracle->Decide(snapshot);
          ASSERT_TRUE(second.ok());
          EXPECT_TRUE(SameAllocation(*first, *second));
        }
      }
    }
  }
}

TEST(OracleTest, RefusesABadSnapshot) {
  const std::string dir = ProfilesDir("snapshot", kTruth);
  auto oracle = MakeOracle(dir);
  ASSERT_NE(oracle, nullptr);
  Snapshot snapshot = Misleading();
  snapshot.streams[0].device = 3;
  auto decided = oracle->Decide(snapshot);
  ASSERT_FALSE(decided.ok());
  EXPECT_EQ(decided.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ekya
