// The prior over configs (profiler.prior): learnt from an exhaustive
// profile's measured accuracies, it moves the spread of a stream's
// estimates within each epoch count and keeps their level.
#include "ekya/microprofile/config_prior.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../data/synthetic_pool.h"

namespace ekya {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n";

ConfigEstimate Estimate(const std::string& id, double accuracy) {
  ConfigEstimate c;
  c.config = *RetrainConfig::Parse(id);
  c.accuracy = accuracy;
  c.cost_seconds = 1;
  return c;
}

TEST(ConfigPriorTest, AdvantageIsTheMeanDistanceFromEachGroupsMean) {
  // Two groups at 5 epochs (stream 0 windows 1 and 2), one at 15 epochs of a
  // single config (skipped), "none" rows and a row without a measurement
  // (skipped).
  const std::string csv = std::string(kHeader) +
                          "0,1,none,0,0.7,0,0.6,0\n"
                          "0,1,all-h1024-f0.1,5,0.8,5,0.80,5\n"
                          "0,1,head-h64-f0.1,5,0.9,1,0.70,1\n"
                          "0,1,all-h1024-f1.0,5,0.8,9,0.90,9\n"
                          "0,2,all-h1024-f0.1,5,0.8,5,0.75,5\n"
                          "0,2,head-h64-f0.1,5,0.8,1,0.65,1\n"
                          "0,2,all-h1024-f1.0,5,0.8,9,,\n"
                          "0,2,all-h1024-f0.1,15,0.8,9,0.99,9\n";
  auto table = ProfileTable::Parse(csv, "");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const ConfigPrior prior = LearnConfigPrior(table->rows());
  EXPECT_EQ(prior.groups, 2);
  ASSERT_EQ(prior.advantage.size(), 3u);
  // Window 1's mean is 0.8; window 2's (two configs) 0.7.
  EXPECT_NEAR(*prior.Of(*RetrainConfig::Parse("all-h1024-f0.1-e5")), (0.0 + 0.05) / 2, 1e-12);
  EXPECT_NEAR(*prior.Of(*RetrainConfig::Parse("head-h64-f0.1-e5")), (-0.1 - 0.05) / 2, 1e-12);
  EXPECT_NEAR(*prior.Of(*RetrainConfig::Parse("all-h1024-f1.0-e5")), 0.1, 1e-12);
  EXPECT_FALSE(prior.Of(*RetrainConfig::Parse("all-h1024-f0.1-e15")).has_value());
}

TEST(ConfigPriorTest, MovesTheSpreadAndKeepsTheLevelOfEachEpochCount) {
  ConfigPrior prior;
  prior.advantage[{"all-h1024-f1.0", 5}] = 0.10;
  prior.advantage[{"head-h64-f0.1", 5}] = -0.10;
  prior.groups = 1;
  StreamEstimates e;
  e.accuracy = 0.79;
  // At 5 epochs the micro-profile ranks head-only first; the prior the reverse.
  e.all = {Estimate("head-h64-f0.1-e5", 0.86), Estimate("all-h1024-f1.0-e5", 0.74),
           Estimate("all-h1024-f0.1-e15", 0.70)};  // no prior: unchanged
  e.candidates = {e.all[0]};

  StreamEstimates unchanged = e;
  ASSERT_TRUE(ApplyConfigPrior(unchanged, prior, 0.0).ok());
  EXPECT_DOUBLE_EQ(unchanged.all[0].accuracy, 0.86);
  EXPECT_DOUBLE_EQ(unchanged.all[1].accuracy, 0.74);

  ASSERT_TRUE(ApplyConfigPrior(e, prior, 0.75).ok());
  // Mean 0.8; spread 0.25·(±0.06) + 0.75·(∓0.1).
  EXPECT_NEAR(e.all[0].accuracy, 0.8 + 0.25 * 0.06 - 0.75 * 0.10, 1e-12);
  EXPECT_NEAR(e.all[1].accuracy, 0.8 - 0.25 * 0.06 + 0.75 * 0.10, 1e-12);
  EXPECT_NEAR(e.all[0].accuracy + e.all[1].accuracy, 1.6, 1e-12) << "the level is the micro-profile's";
  EXPECT_DOUBLE_EQ(e.all[2].accuracy, 0.70);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.79) << "the deployed accuracy is not moved";
  // Candidates are re-selected against the deployed accuracy.
  ASSERT_EQ(e.candidates.size(), 1u);
  EXPECT_EQ(e.candidates[0].config.Id(), "all-h1024-f1.0-e5");

  StreamEstimates ranked = unchanged;
  ASSERT_TRUE(ApplyConfigPrior(ranked, prior, 1.0).ok());
  EXPECT_NEAR(ranked.all[1].accuracy - ranked.all[0].accuracy, 0.2, 1e-12) << "weight 1: the prior's spread";

  EXPECT_EQ(ApplyConfigPrior(ranked, prior, 1.5).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ApplyConfigPrior(ranked, ConfigPrior(), 0.75).ok());
}

TEST(ConfigPriorTest, LoadsAProfileFolderAndRefusesOneWithoutMeasurements) {
  const fs::path dir = testing::MakeTempDir("config_prior");
  EXPECT_EQ(LoadConfigPrior((dir / "missing").string()).status().code(), StatusCode::kNotFound);
  {
    std::ofstream out(dir / "profiles.csv");
    out << kHeader << "0,1,all-h1024-f0.1,5,0.8,5,,\n0,1,head-h64-f0.1,5,0.9,1,,\n";
  }
  const Result<ConfigPrior> none = LoadConfigPrior(dir.string());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("ekya profile"), std::string::npos) << none.status().ToString();
  {
    std::ofstream out(dir / "profiles.csv");
    out << kHeader << "0,1,all-h1024-f0.1,5,0.8,5,0.9,5\n0,1,head-h64-f0.1,5,0.9,1,0.7,1\n";
  }
  const Result<ConfigPrior> prior = LoadConfigPrior(dir.string());
  ASSERT_TRUE(prior.ok()) << prior.status().ToString();
  EXPECT_NEAR(*prior->Of(*RetrainConfig::Parse("all-h1024-f0.1-e5")), 0.1, 1e-12);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ekya
