#include "ekya/microprofile/shift_estimate.h"

#include <gtest/gtest.h>

#include <vector>

#include "ekya/common/rng.h"

namespace ekya {
namespace {

// A labelled sample whose confident predictions are the right ones.
struct Sample {
  std::vector<double> confidence;
  std::vector<bool> correct;
};
Sample Labelled() {
  Sample s;
  for (int i = 0; i < 100; ++i) {
    s.confidence.push_back(0.3 + 0.007 * i);
    s.correct.push_back(i >= 30);  // accuracy 0.7
  }
  return s;
}

TEST(ShiftEstimateTest, GivesTheLabelledAccuracyBackWithoutShift) {
  const Sample s = Labelled();
  for (ShiftMethod m : {ShiftMethod::kNone, ShiftMethod::kThreshold, ShiftMethod::kConfidence}) {
    Result<double> same = EstimateShiftedAccuracy(m, s.confidence, s.correct, s.confidence);
    ASSERT_TRUE(same.ok()) << same.status().ToString();
    EXPECT_NEAR(*same, 0.7, 1e-9) << ShiftMethodName(m);
    Result<double> nothing_new = EstimateShiftedAccuracy(m, s.confidence, s.correct, {});
    ASSERT_TRUE(nothing_new.ok());
    EXPECT_NEAR(*nothing_new, 0.7, 1e-9) << ShiftMethodName(m);
  }
}

TEST(ShiftEstimateTest, LowerConfidenceOnNewFramesLowersTheEstimate) {
  const Sample s = Labelled();
  std::vector<double> lower;
  for (double c : s.confidence) lower.push_back(c - 0.1);
  Result<double> threshold = EstimateShiftedAccuracy(ShiftMethod::kThreshold, s.confidence, s.correct, lower);
  Result<double> confidence = EstimateShiftedAccuracy(ShiftMethod::kConfidence, s.confidence, s.correct, lower);
  ASSERT_TRUE(threshold.ok() && confidence.ok());
  // τ sits between 0.503 and 0.51 (30 samples below); shifted by 0.1, 45 fall below it.
  EXPECT_NEAR(*threshold, 0.55, 1e-9);
  EXPECT_NEAR(*confidence, 0.6, 1e-9);
  Result<double> higher = EstimateShiftedAccuracy(ShiftMethod::kThreshold, s.confidence, s.correct,
                                                  std::vector<double>(10, 0.99));
  ASSERT_TRUE(higher.ok());
  EXPECT_DOUBLE_EQ(*higher, 1.0);
}

TEST(ShiftEstimateTest, TiedConfidencesCountByTheirShare) {
  // Saturated softmax: most confidences are exactly 1. Accuracy 0.7 with 8
  // of the 10 at 1.0 means 7 of those 8 count as above τ = 1.
  const std::vector<double> conf = {1, 1, 1, 1, 1, 1, 1, 1, 0.6, 0.5};
  const std::vector<bool> correct = {true, true, true, true, true, true, false, true, false, false};
  Result<double> est = EstimateShiftedAccuracy(ShiftMethod::kThreshold, conf, correct, {1, 1, 0.9, 0.2});
  ASSERT_TRUE(est.ok());
  EXPECT_NEAR(*est, (7.0 / 8.0 * 2) / 4.0, 1e-9);
}

TEST(ShiftEstimateTest, RefusesBadInput) {
  EXPECT_FALSE(EstimateShiftedAccuracy(ShiftMethod::kThreshold, {}, {}, {0.5}).ok());
  EXPECT_FALSE(EstimateShiftedAccuracy(ShiftMethod::kThreshold, {0.5, 0.6}, {true}, {0.5}).ok());
  EXPECT_TRUE(ParseShiftMethod("threshold").ok());
  Result<ShiftMethod> bad = ParseShiftMethod("atc");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("none, threshold, confidence"), std::string::npos);
}

}  // namespace
}  // namespace ekya
