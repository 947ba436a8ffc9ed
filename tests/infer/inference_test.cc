// Tests of infer/: the credit sampler and inference with carried predictions.
#include "ekya/infer/inference.h"

#include <gtest/gtest.h>

#include <vector>

#include "ekya/infer/credit_sampler.h"
#include "train/synthetic.h"

namespace ekya {
namespace {

std::vector<bool> Pattern(CreditSampler& s, int n) {
  std::vector<bool> out;
  for (int i = 0; i < n; ++i) out.push_back(s.Next());
  return out;
}

TEST(CreditSamplerTest, AnalysesExactlyCeilNF) {
  struct Frac {
    int p, q;
  };
  for (const Frac f : {Frac{0, 1}, Frac{1, 20}, Frac{1, 10}, Frac{1, 4}, Frac{1, 3}, Frac{2, 5}, Frac{1, 2},
                       Frac{2, 3}, Frac{7, 10}, Frac{9, 10}, Frac{1, 1}}) {
    for (int n : {1, 2, 3, 7, 10, 30, 99, 100, 1000, 12345}) {
      SCOPED_TRACE(std::to_string(f.p) + "/" + std::to_string(f.q) + " n=" + std::to_string(n));
      CreditSampler s(static_cast<double>(f.p) / f.q);
      int analysed = 0;
      bool first = false;
      for (int k = 0; k < n; ++k) {
        const bool a = s.Next();
        if (k == 0) first = a;
        analysed += a;
      }
      const int expected = (n * f.p + f.q - 1) / f.q;  // ceil(n p / q), exactly
      EXPECT_EQ(analysed, expected);
      EXPECT_EQ(s.frames_analysed(), expected);
      EXPECT_EQ(s.frames_seen(), n);
      EXPECT_EQ(first, f.p > 0);
    }
  }
}

TEST(CreditSamplerTest, FullFractionAnalysesAll) {
  CreditSampler s(1.0);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(s.Next());
  CreditSampler clamped(3.0);
  EXPECT_EQ(clamped.fraction(), 1.0);
}

TEST(CreditSamplerTest, FromShare) {
  EXPECT_DOUBLE_EQ(CreditSampler::FractionFromShare(0.1, 0.25), 0.4);
  EXPECT_DOUBLE_EQ(CreditSampler::FractionFromShare(0.5, 0.25), 1.0);
  EXPECT_DOUBLE_EQ(CreditSampler::FractionFromShare(0.0, 0.25), 0.0);
  EXPECT_DOUBLE_EQ(CreditSampler::FromShare(0.05, 0.25).fraction(), 0.2);
}

TEST(CreditSamplerTest, HalfAnalysesEveryOtherFrameFromZero) {
  CreditSampler s(0.5);
  EXPECT_EQ(Pattern(s, 6), (std::vector<bool>{true, false, true, false, true, false}));
}

TEST(CreditSamplerTest, StateCarriesAcrossChunksAndResets) {
  CreditSampler whole(0.3);
  const auto expected = Pattern(whole, 100);
  CreditSampler chunked(0.3);
  std::vector<bool> got;
  for (int chunk : {7, 13, 1, 29, 50}) {
    auto part = Pattern(chunked, chunk);
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_EQ(got, expected);
  chunked.Reset();
  EXPECT_EQ(chunked.frames_seen(), 0);
  EXPECT_EQ(Pattern(chunked, 100), expected);
}

TEST(CreditSamplerTest, SetFractionKeepsCredit) {
  CreditSampler s(0.5);
  Pattern(s, 10);      // 5 analysed
  s.SetFraction(0.5);  // same fraction: no change
  s.SetFraction(0.25);
  Pattern(s, 20);  // 5 more
  EXPECT_EQ(s.frames_analysed(), 10);
  s.SetFraction(1.0);
  EXPECT_EQ(Pattern(s, 4), (std::vector<bool>{true, true, true, true}));
}

class InferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModelSpec spec;
    spec.width = 4;
    spec.hidden = 8;
    spec.num_classes = 4;
    auto m = Model::Create(spec, 1);
    ASSERT_TRUE(m.ok());
    model_ = *m;
    frames_ = testing_support::MakeBars(20, 4, 3);
    auto all = model_.Predict(frames_.images, 1);
    ASSERT_TRUE(all.ok());
    full_ = *all;
  }
  Model model_;
  LabelledImages frames_;
  std::vector<int> full_;  // predictions of every frame
};

TEST_F(InferenceTest, FullRateMatchesPredict) {
  CreditSampler s(1.0);
  int last = -1;
  auto out = RunInference(model_, frames_.images, s, &last, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->predictions, full_);
  EXPECT_EQ(out->frames_total, 20);
  EXPECT_EQ(out->frames_analysed, 20);
  EXPECT_EQ(last, full_.back());
}

TEST_F(InferenceTest, SkippedFramesCarryThePreviousPrediction) {
  CreditSampler s(0.25);
  int last = -1;
  auto out = RunInference(model_, frames_.images, s, &last, 1, 3);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->frames_analysed, 5);
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    if (i % 4 == 0) {
      EXPECT_TRUE(out->analysed[i]);
      EXPECT_EQ(out->predictions[i], full_[i]);
    } else {
      EXPECT_FALSE(out->analysed[i]);
      EXPECT_EQ(out->predictions[i], out->predictions[i - 1]);
    }
  }
  EXPECT_EQ(last, full_[16]);

  // The next chunk starts on a skipped frame (frame 20 of 0.25 is analysed,
  // so move the sampler by one frame first): it carries the last prediction.
  ASSERT_TRUE(s.Next());  // frame 20
  last = 2;
  auto next = RunInference(model_, frames_.images, s, &last, 1);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->analysed[0]);
  EXPECT_EQ(next->predictions[0], 2);
  EXPECT_EQ(next->predictions[2], 2);
  EXPECT_TRUE(next->analysed[3]);  // frame 24
  EXPECT_EQ(next->predictions[3], full_[3]);
}

TEST_F(InferenceTest, NothingAnalysedYetGivesMinusOne) {
  CreditSampler s(0.0);
  int last = -1;
  auto out = RunInference(model_, frames_.images, s, &last, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->frames_analysed, 0);
  EXPECT_EQ(out->predictions, std::vector<int>(20, -1));
  EXPECT_EQ(CountCorrect(out->predictions, frames_.labels), 0);
  last = 1;
  out = RunInference(model_, frames_.images, s, &last, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->predictions, std::vector<int>(20, 1));
  // Without a last-prediction slot.
  CreditSampler half(0.5);
  out = RunInference(model_, frames_.images, half, nullptr, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->frames_analysed, 10);
}

TEST_F(InferenceTest, FailureLeavesStateUnchanged) {
  CreditSampler s(1.0);
  int last = 3;
  auto out = RunInference(Model(), frames_.images, s, &last, 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.frames_seen(), 0);
  EXPECT_EQ(last, 3);
  EXPECT_FALSE(RunInference(model_, frames_.images, s, &last, 0).ok());
}

TEST_F(InferenceTest, EmptyChunk) {
  CreditSampler s(1.0);
  int last = 2;
  auto out = RunInference(model_, ImageBatch{}, s, &last, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->frames_total, 0);
  EXPECT_EQ(last, 2);
}

TEST(CountCorrectTest, Counts) {
  const std::vector<int> pred{1, -1, 2, 3, 0};
  const std::vector<int> truth{1, -1, 2, 0, 0};
  EXPECT_EQ(CountCorrect(pred, truth), 3);  // -1 never counts
  EXPECT_EQ(CountCorrect(std::span<const int>(pred).first(3), truth), 2);
  EXPECT_EQ(CountCorrect({}, truth), 0);
}

}  // namespace
}  // namespace ekya
