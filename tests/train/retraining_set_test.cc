// The retraining set: history through the firewall, a held-out slice of the
// newest window, a clean base sample; and the golden labeller.
#include "ekya/train/retraining_set.h"

#include <gtest/gtest.h>

#include "../data/synthetic_pool.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/time/clock.h"
#include "ekya/train/golden_labeller.h"

namespace ekya {
namespace {

class RetrainingSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bench = DriftBenchmark::Create(testing::TinyDriftOptions(2, 4), testing::MakeSyntheticPool(4, 400));
    ASSERT_TRUE(bench.ok()) << bench.status().ToString();
    bench_ = std::move(bench).value();
  }
  std::unique_ptr<DriftBenchmark> bench_;
  ManualClock clock_{0};
};

TEST_F(RetrainingSetTest, HistoryValidationAndBaseSample) {
  auto fw = LabelFirewall::Create(*bench_, clock_, FirewallOptions::FromBenchmark(*bench_, LabelSource::kGroundTruth));
  ASSERT_TRUE(fw.ok());
  RetrainingSetOptions opts;
  opts.base_sample = 30;
  opts.validation_fraction = 0.25;
  // Before window 2 ends, the set for window 3 (history 0..2) is refused.
  clock_.Set(2.5 * bench_->options().window_seconds);
  auto early = BuildRetrainingSet(**fw, bench_->BaseTrain(), 0, 3, opts);
  EXPECT_EQ(early.status().code(), StatusCode::kPermissionDenied);

  clock_.Set(3 * bench_->options().window_seconds);
  auto set = BuildRetrainingSet(**fw, bench_->BaseTrain(), 0, 3, opts);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  size_t history = 0;
  for (int t = 0; t < 3; ++t) history += bench_->NumTracks(0, t);  // one sample frame per track
  size_t newest = bench_->NumTracks(0, 2);
  size_t hold = static_cast<size_t>(0.25 * static_cast<double>(newest));
  EXPECT_EQ(set->validation.size(), hold);
  EXPECT_EQ(set->train.size(), history - hold + 30);
  EXPECT_EQ(set->train.images.size(), set->train.labels.size());

  // Deterministic for the seed; another seed holds out another slice.
  auto again = BuildRetrainingSet(**fw, bench_->BaseTrain(), 0, 3, opts);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->train.images.pixels, set->train.images.pixels);
  opts.seed = 2;
  auto other = BuildRetrainingSet(**fw, bench_->BaseTrain(), 0, 3, opts);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->validation.images.pixels, set->validation.images.pixels);
}

TEST_F(RetrainingSetTest, WindowZeroHasNoHistory) {
  auto fw = LabelFirewall::Create(*bench_, clock_, FirewallOptions::FromBenchmark(*bench_, LabelSource::kGroundTruth));
  ASSERT_TRUE(fw.ok());
  EXPECT_EQ(BuildRetrainingSet(**fw, bench_->BaseTrain(), 0, 0, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RetrainingSetTest, GoldenLabellerLabelsThroughTheFirewall) {
  ModelSpec spec;
  spec.width = 4;
  spec.num_classes = 4;
  auto model = Model::Create(spec, 3);
  ASSERT_TRUE(model.ok());
  GoldenLabeller golden(*model, 1);
  auto fw = LabelFirewall::Create(*bench_, clock_, FirewallOptions::FromBenchmark(*bench_, LabelSource::kGolden),
                                  &golden);
  ASSERT_TRUE(fw.ok());
  clock_.Set(bench_->options().window_seconds);
  auto sample = (*fw)->LabelledSample(1, 0);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(golden.frames_labelled(), static_cast<int64_t>(sample->size()));
  auto direct = model->Predict(sample->images, 1);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(sample->labels, *direct) << "golden labels are the golden model's predictions";
}

}  // namespace
}  // namespace ekya
