#include "ekya/data/label_firewall.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/synthetic_pool.h"

namespace ekya {
namespace {

DriftOptions Options() {
  DriftOptions o;
  o.streams = 2;
  o.windows = 4;
  o.frames_per_window = 100;
  o.base_train_size = 100;
  o.base_test_size = 50;
  return o;
}

class FirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<DriftBenchmark>> b = DriftBenchmark::Create(Options(), testing::MakeSyntheticPool(10, 200));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    bench_ = std::move(b).value();
  }
  std::unique_ptr<LabelFirewall> Firewall(LabelSource source, Labeller* labeller = nullptr, double delay = 0.0) {
    FirewallOptions o = FirewallOptions::FromBenchmark(*bench_, source);
    o.labelling_delay_seconds = delay;
    Result<std::unique_ptr<LabelFirewall>> f = LabelFirewall::Create(*bench_, clock_, o, labeller);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }

  std::unique_ptr<DriftBenchmark> bench_;
  ManualClock clock_;
};

// Labels everything as class 7 and counts its calls.
class FakeGolden : public Labeller {
 public:
  Result<std::vector<int>> Label(const ImageBatch& images) override {
    ++calls;
    if (fail) return Status::Internal("golden model exploded");
    if (wrong_count) return std::vector<int>(images.size() + 1, 7);
    return std::vector<int>(images.size(), 7);
  }
  int calls = 0;
  bool fail = false;
  bool wrong_count = false;
};

TEST_F(FirewallTest, HandsOutOnlyTheFramesThatHaveArrived) {
  auto fw = Firewall(LabelSource::kGroundTruth);
  ASSERT_TRUE(fw);
  Result<WindowFrames> window1 = bench_->Frames(0, 1);
  ASSERT_TRUE(window1.ok());
  clock_.Set(150.0);  // inside window 0: nothing of window 1 yet
  Result<ImageBatch> none = fw->ArrivedFrames(0, 1, 1000);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->size(), 0u);
  EXPECT_EQ(none->rows, bench_->rows());
  clock_.Set(250.0);  // a quarter into window 1: frames 0..24 (slots of 2 s end at 202, ..., 250)
  Result<ImageBatch> quarter = fw->ArrivedFrames(0, 1, 1000);
  ASSERT_TRUE(quarter.ok());
  ASSERT_EQ(quarter->size(), 25u);
  EXPECT_EQ(quarter->pixels, std::vector<uint8_t>(window1->frames.image(0), window1->frames.image(25)));
  Result<ImageBatch> capped = fw->ArrivedFrames(0, 1, 10);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->size(), 10u);
  clock_.Set(900.0);  // window 1 has ended long ago: all its frames
  Result<ImageBatch> all = fw->ArrivedFrames(0, 1, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 100u);
  EXPECT_EQ(fw->ArrivedFrames(0, 9, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fw->ArrivedFrames(0, 1, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FirewallTest, RefusesLabelsBeforeTheWindowEnds) {
  auto fw = Firewall(LabelSource::kGroundTruth);
  ASSERT_TRUE(fw);
  EXPECT_DOUBLE_EQ(fw->AvailableAt(1), 400.0);
  clock_.Set(399.5);  // inside window 1
  Result<LabelledImages> early = fw->LabelledSample(1, 1);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kPermissionDenied);
  const std::string& m = early.status().message();
  EXPECT_NE(m.find("stream 1"), std::string::npos) << m;
  EXPECT_NE(m.find("window 1"), std::string::npos) << m;
  EXPECT_NE(m.find("399.500"), std::string::npos) << m;
  EXPECT_NE(m.find("400.000"), std::string::npos) << m;
  // A future window is refused too, the past one is fine.
  EXPECT_EQ(fw->LabelledSample(0, 3).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(fw->LabelledSample(1, 0).ok());
  clock_.Set(400.0);
  EXPECT_TRUE(fw->LabelledSample(1, 1).ok());
}

TEST_F(FirewallTest, LabellingDelayPostponesAvailability) {
  auto fw = Firewall(LabelSource::kGroundTruth, nullptr, 30.0);
  ASSERT_TRUE(fw);
  clock_.Set(200.0);
  EXPECT_EQ(fw->LabelledSample(0, 0).status().code(), StatusCode::kPermissionDenied);
  clock_.Set(230.0);
  EXPECT_TRUE(fw->LabelledSample(0, 0).ok());
}

TEST_F(FirewallTest, GroundTruthSampleMatchesFramesAndTruth) {
  auto fw = Firewall(LabelSource::kGroundTruth);
  ASSERT_TRUE(fw);
  clock_.Set(800.0);
  GroundTruthScorer scorer(*bench_);
  for (int s = 0; s < 2; ++s) {
    for (int t = 0; t < 4; ++t) {
      Result<LabelledImages> sample = fw->LabelledSample(s, t);
      ASSERT_TRUE(sample.ok()) << sample.status().ToString();
      Result<WindowFrames> frames = bench_->Frames(s, t);
      const std::vector<int> truth = *scorer.TruthLabels(s, t);
      ASSERT_EQ(sample->size(), frames->sample_frames.size());
      ASSERT_EQ(sample->images.size(), sample->size());
      EXPECT_EQ(sample->num_classes, 10);
      for (size_t i = 0; i < sample->size(); ++i) {
        const size_t f = frames->sample_frames[i];
        EXPECT_EQ(sample->labels[i], truth[f]);
        EXPECT_TRUE(std::equal(frames->frames.image(f), frames->frames.image(f) + 784, sample->images.image(i)));
      }
      // Perfect predictions score 1 on any chunk.
      EXPECT_DOUBLE_EQ(*scorer.Accuracy(s, t, 10, std::span<const int>(truth).subspan(10, 20)), 1.0);
    }
  }
  EXPECT_EQ(scorer.Accuracy(0, 0, 95, std::vector<int>(10, 0)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(scorer.TruthLabels(2, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FirewallTest, HistoryConcatenatesCheckedWindows) {
  auto fw = Firewall(LabelSource::kGroundTruth);
  ASSERT_TRUE(fw);
  clock_.Set(500.0);  // windows 0 and 1 are over, window 2 is running
  Result<LabelledImages> empty = fw->History(0, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_EQ(empty->images.rows, 28);
  Result<LabelledImages> h = fw->History(0, 2);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->size(), fw->LabelledSample(0, 0)->size() + fw->LabelledSample(0, 1)->size());
  EXPECT_EQ(h->images.size(), h->size());
  EXPECT_EQ(fw->History(0, 3).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(fw->History(0, 5).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FirewallTest, GoldenLabelsComeFromTheLabellerOnce) {
  FakeGolden golden;
  auto fw = Firewall(LabelSource::kGolden, &golden);
  ASSERT_TRUE(fw);
  EXPECT_EQ(fw->LabelledSample(0, 0).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(golden.calls, 0) << "the golden model must not see a window before it ends";
  clock_.Set(400.0);
  Result<LabelledImages> s = fw->LabelledSample(0, 0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (int l : s->labels) EXPECT_EQ(l, 7);
  ASSERT_TRUE(fw->History(0, 2).ok());
  EXPECT_EQ(golden.calls, 2);  // windows 0 and 1, each labelled once
}

TEST_F(FirewallTest, GoldenErrorsAreReported) {
  FakeGolden golden;
  golden.fail = true;
  auto fw = Firewall(LabelSource::kGolden, &golden);
  ASSERT_TRUE(fw);
  clock_.Set(1000.0);
  Result<LabelledImages> s = fw->LabelledSample(1, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("stream 1 window 2"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("exploded"), std::string::npos);
  golden.fail = false;
  golden.wrong_count = true;
  EXPECT_EQ(fw->LabelledSample(1, 2).status().code(), StatusCode::kInternal);

  FirewallOptions o = FirewallOptions::FromBenchmark(*bench_, LabelSource::kGolden);
  EXPECT_EQ(LabelFirewall::Create(*bench_, clock_, o, nullptr).status().code(), StatusCode::kInvalidArgument);
  o.window_seconds = -1;
  EXPECT_EQ(LabelFirewall::Create(*bench_, clock_, o, &golden).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ekya
