#include "ekya/data/drift_benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data/synthetic_pool.h"
#include "ekya/data/idx.h"
#include "ekya/data/label_firewall.h"

namespace ekya {
namespace {

DriftOptions SmallOptions() {
  DriftOptions o;
  o.streams = 3;
  o.windows = 4;
  o.frames_per_window = 200;
  o.mean_track_length = 4.0;
  o.base_train_size = 200;
  o.base_test_size = 100;
  return o;
}

std::unique_ptr<DriftBenchmark> MakeBench(const DriftOptions& o, int per_class = 300) {
  Result<std::unique_ptr<DriftBenchmark>> b = DriftBenchmark::Create(o, testing::MakeSyntheticPool(10, per_class));
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

TEST(DriftBenchmarkTest, RefusesInvalidOptions) {
  const LabelledImages pool = testing::MakeSyntheticPool(10, 50);
  auto expect_invalid = [&](DriftOptions o, const std::string& field) {
    Result<std::unique_ptr<DriftBenchmark>> b = DriftBenchmark::Create(o, pool);
    ASSERT_FALSE(b.ok()) << field;
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(b.status().message().find(field), std::string::npos) << b.status().message();
  };
  DriftOptions o = SmallOptions();
  o.streams = 0;
  expect_invalid(o, "streams");
  o = SmallOptions();
  o.windows = 1;
  expect_invalid(o, "windows");
  o = SmallOptions();
  o.frames_per_window = 0;
  expect_invalid(o, "frames_per_window");
  o = SmallOptions();
  o.mean_track_length = 0.5;
  expect_invalid(o, "mean_track_length");
  o = SmallOptions();
  o.classes_present_max = 11;
  expect_invalid(o, "classes_present_max");
  o = SmallOptions();
  o.severity_max = 1.5;
  expect_invalid(o, "severity_max");
  o = SmallOptions();
  o.window_seconds = 0;
  expect_invalid(o, "window_seconds");
  EXPECT_EQ(DriftBenchmark::Create(SmallOptions(), LabelledImages{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(DriftBenchmarkTest, SameSeedGivesIdenticalBytesAndTruth) {
  auto a = MakeBench(SmallOptions());
  auto b = MakeBench(SmallOptions());
  ASSERT_TRUE(a && b);
  GroundTruthScorer sa(*a), sb(*b);
  // Render b in a different order: results must not depend on call order.
  for (int s = a->streams() - 1; s >= 0; --s)
    for (int t = a->windows() - 1; t >= 0; --t) ASSERT_TRUE(b->Frames(s, t).ok());
  for (int s = 0; s < a->streams(); ++s) {
    for (int t = 0; t < a->windows(); ++t) {
      Result<WindowFrames> fa = a->Frames(s, t), fb = b->Frames(s, t);
      ASSERT_TRUE(fa.ok() && fb.ok());
      EXPECT_EQ(fa->frames.pixels, fb->frames.pixels);
      EXPECT_EQ(fa->track_of_frame, fb->track_of_frame);
      EXPECT_EQ(fa->sample_frames, fb->sample_frames);
      EXPECT_EQ(fa->appearance, fb->appearance);
      EXPECT_EQ(*sa.TruthLabels(s, t), *sb.TruthLabels(s, t));
      EXPECT_EQ(a->ClassMix(s, t), b->ClassMix(s, t));
    }
  }
  EXPECT_EQ(a->BaseTrain().images.pixels, b->BaseTrain().images.pixels);
  EXPECT_EQ(a->BaseTest().labels, b->BaseTest().labels);
}

TEST(DriftBenchmarkTest, DifferentSeedGivesDifferentStreams) {
  DriftOptions o = SmallOptions();
  auto a = MakeBench(o);
  o.seed = 2;
  auto b = MakeBench(o);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->Frames(0, 1)->frames.pixels, b->Frames(0, 1)->frames.pixels);
  EXPECT_NE(*GroundTruthScorer(*a).TruthLabels(0, 1), *GroundTruthScorer(*b).TruthLabels(0, 1));
  // The base sets follow base_seed only, so cached base models stay valid.
  EXPECT_EQ(a->BaseTrainSourceIndices(), b->BaseTrainSourceIndices());
  EXPECT_EQ(a->BaseTestSourceIndices(), b->BaseTestSourceIndices());
  o.base_seed = 5;
  auto c = MakeBench(o);
  ASSERT_TRUE(c);
  EXPECT_NE(a->BaseTrainSourceIndices(), c->BaseTrainSourceIndices());
}

TEST(DriftBenchmarkTest, PoolsAreDisjoint) {
  auto b = MakeBench(SmallOptions());
  ASSERT_TRUE(b);
  std::map<size_t, std::string> owner;
  auto claim = [&](size_t index, const std::string& who) {
    auto [it, inserted] = owner.emplace(index, who);
    EXPECT_TRUE(inserted) << "image " << index << " used by " << it->second << " and " << who;
  };
  for (size_t i : b->BaseTrainSourceIndices()) claim(i, "base train");
  for (size_t i : b->BaseTestSourceIndices()) claim(i, "base test");
  size_t tracks = 0;
  for (int s = 0; s < b->streams(); ++s)
    for (int t = 0; t < b->windows(); ++t) {
      const std::vector<size_t> sources = b->SourceIndicesOfWindow(s, t);
      EXPECT_EQ(sources.size(), b->NumTracks(s, t));
      tracks += sources.size();
      for (size_t i : sources) claim(i, "stream " + std::to_string(s) + " window " + std::to_string(t));
    }
  EXPECT_EQ(owner.size(), 300u + tracks);
}

TEST(DriftBenchmarkTest, BaseSetsAreCleanAndUniform) {
  const LabelledImages pool = testing::MakeSyntheticPool(10, 300);
  auto b = MakeBench(SmallOptions());
  ASSERT_TRUE(b);
  ASSERT_EQ(b->BaseTrain().size(), 200u);
  ASSERT_EQ(b->BaseTest().size(), 100u);
  EXPECT_EQ(b->BaseTrain().num_classes, 10);
  std::vector<int> counts(10, 0);
  for (int l : b->BaseTrain().labels) ++counts[l];
  for (int c : counts) EXPECT_EQ(c, 20);
  // Clean: byte-identical to the pool images they came from.
  for (size_t i = 0; i < 20; ++i) {
    const size_t src = b->BaseTrainSourceIndices()[i];
    EXPECT_TRUE(std::equal(pool.images.image(src), pool.images.image(src) + 784, b->BaseTrain().images.image(i)));
    EXPECT_EQ(pool.labels[src], b->BaseTrain().labels[i]);
  }
}

TEST(DriftBenchmarkTest, CapacityCheckRefusesTooManyFrames) {
  DriftOptions o = SmallOptions();
  o.frames_per_window = 2000;
  Result<std::unique_ptr<DriftBenchmark>> b = DriftBenchmark::Create(o, testing::MakeSyntheticPool(10, 300));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  const std::string& m = b.status().message();
  EXPECT_NE(m.find("stream "), std::string::npos) << m;
  EXPECT_NE(m.find("class "), std::string::npos) << m;
  EXPECT_NE(m.find("frames_per_window"), std::string::npos) << m;
  EXPECT_NE(m.find("windows"), std::string::npos) << m;

  o = SmallOptions();
  o.windows = 40;
  EXPECT_EQ(DriftBenchmark::Create(o, testing::MakeSyntheticPool(10, 300)).status().code(),
            StatusCode::kResourceExhausted);
  o = SmallOptions();
  o.base_train_size = 5000;
  EXPECT_EQ(DriftBenchmark::Create(o, testing::MakeSyntheticPool(10, 300)).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(DriftBenchmarkTest, ClassMixDriftsAndDiffersBetweenStreams) {
  DriftOptions o = SmallOptions();
  o.streams = 4;
  o.windows = 8;
  o.frames_per_window = 60;
  auto b = MakeBench(o);
  ASSERT_TRUE(b);
  GroundTruthScorer scorer(*b);
  auto distance = [](const std::vector<double>& x, const std::vector<double>& y) {
    double d = 0;
    for (size_t i = 0; i < x.size(); ++i) d += std::abs(x[i] - y[i]);
    return d / 2;  // total variation
  };
  double drift = 0, across = 0;
  int drift_n = 0, across_n = 0;
  for (int s = 0; s < b->streams(); ++s) {
    for (int t = 0; t < b->windows(); ++t) {
      const std::vector<double> mix = b->ClassMix(s, t);
      ASSERT_EQ(mix.size(), 10u);
      double sum = 0;
      int present = 0;
      for (double p : mix) {
        sum += p;
        present += p > 0;
      }
      EXPECT_NEAR(sum, 1.0, 1e-9);
      EXPECT_GE(present, o.classes_present_min);
      EXPECT_LE(present, o.classes_present_max);
      // Absent classes never appear in the frames.
      const std::vector<int> truth = *scorer.TruthLabels(s, t);
      for (int label : truth) EXPECT_GT(mix[label], 0.0);
      if (t > 0) {
        drift += distance(mix, b->ClassMix(s, t - 1));
        ++drift_n;
      }
      if (s > 0) {
        across += distance(mix, b->ClassMix(s - 1, t));
        ++across_n;
      }
    }
  }
  EXPECT_GT(drift / drift_n, 0.10) << "class mix barely drifts between windows";
  EXPECT_GT(across / across_n, 0.35) << "streams have similar class mixes";
}

TEST(DriftBenchmarkTest, AppearanceSwitchesAndStreamsDiffer) {
  DriftOptions o = SmallOptions();
  o.streams = 4;
  o.windows = 8;
  o.frames_per_window = 60;
  auto b = MakeBench(o);
  ASSERT_TRUE(b);
  int same_as_previous = 0, pairs = 0, distinct_at_same_time = 0;
  std::set<Condition> all_seen;
  for (int s = 0; s < b->streams(); ++s) {
    EXPECT_NE(b->AppearanceOf(s, 0).condition, Condition::kClear) << "window 0 should already be drifted";
    std::set<Condition> seen;
    for (int t = 0; t < b->windows(); ++t) {
      const Appearance a = b->AppearanceOf(s, t);
      seen.insert(a.condition);
      all_seen.insert(a.condition);
      if (a.condition != Condition::kClear) {
        EXPECT_GE(a.severity, o.severity_min);
        EXPECT_LE(a.severity, o.severity_max);
      }
      if (t > 0) {
        same_as_previous += a.condition == b->AppearanceOf(s, t - 1).condition;
        ++pairs;
      }
    }
    EXPECT_GE(seen.size(), 2u) << "stream " << s << " never changes condition";
  }
  EXPECT_GE(all_seen.size(), 5u);
  // Conditions usually persist (t−1 informs t) but do switch.
  EXPECT_GT(same_as_previous, pairs / 3);
  EXPECT_LT(same_as_previous, pairs * 5 / 6);
  for (int t = 0; t < b->windows(); ++t) {
    std::set<Condition> at_t;
    for (int s = 0; s < b->streams(); ++s) at_t.insert(b->AppearanceOf(s, t).condition);
    distinct_at_same_time += static_cast<int>(at_t.size());
  }
  EXPECT_GE(distinct_at_same_time, b->windows() * 3) << "streams share conditions too often";
}

TEST(DriftBenchmarkTest, TrackStructureAndSample) {
  DriftOptions o = SmallOptions();
  o.streams = 1;
  o.windows = 2;
  o.frames_per_window = 2000;
  o.mean_track_length = 5.0;
  auto b = MakeBench(o, 600);
  ASSERT_TRUE(b);
  Result<WindowFrames> w = b->Frames(0, 1);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->frames.size(), 2000u);
  ASSERT_EQ(w->track_of_frame.size(), 2000u);
  const size_t tracks = b->NumTracks(0, 1);
  EXPECT_NEAR(2000.0 / static_cast<double>(tracks), 5.0, 0.6);
  // Tracks are contiguous runs numbered 0, 1, 2, ...
  EXPECT_EQ(w->track_of_frame.front(), 0);
  for (size_t f = 1; f < 2000; ++f) {
    const int d = w->track_of_frame[f] - w->track_of_frame[f - 1];
    EXPECT_TRUE(d == 0 || d == 1);
  }
  EXPECT_EQ(static_cast<size_t>(w->track_of_frame.back()) + 1, tracks);
  // One sample frame per track, ascending.
  ASSERT_EQ(w->sample_frames.size(), tracks);
  for (size_t i = 0; i < tracks; ++i) EXPECT_EQ(w->track_of_frame[w->sample_frames[i]], static_cast<int>(i));
  // Frames of one track share its label; the truth is constant over a track.
  const std::vector<int> truth = *GroundTruthScorer(*b).TruthLabels(0, 1);
  for (size_t f = 1; f < 2000; ++f)
    if (w->track_of_frame[f] == w->track_of_frame[f - 1]) EXPECT_EQ(truth[f], truth[f - 1]);

  o.sample_per_track = 2;
  auto b2 = MakeBench(o, 600);
  Result<WindowFrames> w2 = b2->Frames(0, 1);
  ASSERT_TRUE(w2.ok());
  EXPECT_GT(w2->sample_frames.size(), tracks);
  EXPECT_TRUE(std::is_sorted(w2->sample_frames.begin(), w2->sample_frames.end()));
}

TEST(DriftBenchmarkTest, FramesAreDriftedVersionsOfTheirSource) {
  const LabelledImages pool = testing::MakeSyntheticPool(10, 300);
  auto b = MakeBench(SmallOptions());
  ASSERT_TRUE(b);
  Result<WindowFrames> w = b->Frames(1, 2);
  ASSERT_TRUE(w.ok());
  ASSERT_NE(w->appearance.condition, Condition::kClear);
  const std::vector<size_t> sources = b->SourceIndicesOfWindow(1, 2);
  double diff = 0;
  for (size_t f = 0; f < w->frames.size(); ++f) {
    const uint8_t* src = pool.images.image(sources[w->track_of_frame[f]]);
    const uint8_t* img = w->frames.image(f);
    for (size_t p = 0; p < 784; ++p) diff += std::abs(int{src[p]} - int{img[p]});
  }
  EXPECT_GT(diff / (784.0 * static_cast<double>(w->frames.size())), 3.0);
  EXPECT_EQ(b->Frames(3, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b->Frames(0, 4).status().code(), StatusCode::kInvalidArgument);
}

TEST(DriftBenchmarkTest, DefaultScenarioFitsRealFashionMnist) {
  if (!std::filesystem::exists(std::filesystem::path(kFashionMnistDefaultDir) / "train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)";
  Result<LabelledImages> pool = LoadFashionMnist();
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  Result<std::unique_ptr<DriftBenchmark>> b = DriftBenchmark::Create(DriftOptions{}, std::move(pool).value());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->BaseTrain().size(), 20000u);
  EXPECT_EQ((*b)->BaseTest().size(), 2000u);
  Result<WindowFrames> w = (*b)->Frames(3, 7);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->frames.size(), 1000u);
  EXPECT_EQ(w->frames.rows, 28);
}

}  // namespace
}  // namespace ekya
