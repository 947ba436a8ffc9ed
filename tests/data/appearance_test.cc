#include "ekya/data/appearance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "data/synthetic_pool.h"

namespace ekya {
namespace {

std::vector<uint8_t> SampleImage() {
  LabelledImages pool = testing::MakeSyntheticPool(3, 1);
  return std::vector<uint8_t>(pool.images.image(1), pool.images.image(1) + 784);
}

double MeanAbsDiff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(int{a[i]} - int{b[i]});
  return sum / static_cast<double>(a.size());
}

double Mean(const std::vector<uint8_t>& a) {
  double sum = 0;
  for (uint8_t v : a) sum += v;
  return sum / static_cast<double>(a.size());
}

TEST(AppearanceTest, NamesAreStable) {
  const std::vector<std::string> expected = {"clear", "dusk", "night", "fog", "rain", "glare", "occlusion"};
  for (int i = 0; i < kNumConditions; ++i) EXPECT_EQ(ConditionName(ConditionFromIndex(i)), expected[i]);
  EXPECT_EQ((Appearance{Condition::kNight, 0.8}).ToString(), "night(0.80)");
}

TEST(AppearanceTest, ClearLeavesTheImageAlone) {
  std::vector<uint8_t> img = SampleImage();
  const std::vector<uint8_t> original = img;
  Rng rng(1);
  ApplyAppearance({Condition::kClear, 1.0}, img.data(), 28, 28, rng);
  EXPECT_EQ(img, original);
}

TEST(AppearanceTest, EveryDriftConditionChangesTheImageDeterministically) {
  const std::vector<uint8_t> original = SampleImage();
  for (int i = 1; i < kNumConditions; ++i) {
    const Appearance a{ConditionFromIndex(i), 0.8};
    std::vector<uint8_t> x = original, y = original;
    Rng r1(42), r2(42);
    ApplyAppearance(a, x.data(), 28, 28, r1);
    ApplyAppearance(a, y.data(), 28, 28, r2);
    EXPECT_EQ(x, y) << a.ToString() << " is not deterministic";
    EXPECT_GT(MeanAbsDiff(x, original), 2.0) << a.ToString() << " barely changes the image";
    // Severity matters: a stronger effect moves the image further.
    std::vector<uint8_t> weak = original;
    Rng r3(42);
    ApplyAppearance({a.condition, 0.1}, weak.data(), 28, 28, r3);
    EXPECT_LT(MeanAbsDiff(weak, original), MeanAbsDiff(x, original)) << a.ToString();
  }
}

TEST(AppearanceTest, NightIsDarkAndNarrowGlareIsBright) {
  const std::vector<uint8_t> original = SampleImage();
  std::vector<uint8_t> night = original, glare = original, fog = original;
  Rng rng(3);
  ApplyAppearance({Condition::kNight, 1.0}, night.data(), 28, 28, rng);
  ApplyAppearance({Condition::kGlare, 1.0}, glare.data(), 28, 28, rng);
  ApplyAppearance({Condition::kFog, 1.0}, fog.data(), 28, 28, rng);
  EXPECT_LT(*std::max_element(night.begin(), night.end()), 120);
  EXPECT_GT(Mean(glare), Mean(original) + 20);
  // Fog lifts the dark background a little (a thin grey veil) and washes out
  // the bright object (lost contrast).
  EXPECT_GT(fog[0], original[0] + 5);
  EXPECT_LT(*std::max_element(fog.begin(), fog.end()), *std::max_element(original.begin(), original.end()) - 40);
}

TEST(AppearanceTest, ExtremeSeveritiesStayInRange) {
  // Values are uint8, so "in range" means no wrap-around: a white image under
  // glare stays white and a black one under night stays dark.
  std::vector<uint8_t> white(784, 255), black(784, 0);
  for (int i = 1; i < kNumConditions; ++i) {
    std::vector<uint8_t> w = white, b = black;
    Rng rng(9);
    ApplyAppearance({ConditionFromIndex(i), 5.0}, w.data(), 28, 28, rng);  // clamped to 1
    ApplyAppearance({ConditionFromIndex(i), -1.0}, b.data(), 28, 28, rng);  // clamped to 0
    if (ConditionFromIndex(i) == Condition::kGlare) EXPECT_EQ(Mean(w), 255.0);
  }
}

TEST(AppearanceTest, OcclusionCoversTheCentreWithConstantGrey) {
  std::vector<uint8_t> img(784, 0);
  Rng rng(5);
  ApplyAppearance({Condition::kOcclusion, 1.0}, img.data(), 28, 28, rng);
  std::set<uint8_t> values(img.begin(), img.end());
  EXPECT_EQ(values.size(), 2u);  // background and the occluder's grey
  int covered = 0;
  for (uint8_t v : img) covered += v != 0;
  // At severity 1 the occluder covers about a fifth of the frame.
  EXPECT_GT(covered, 784 * 0.15);
  EXPECT_LT(covered, 784 * 0.3);
}

TEST(AppearanceTest, JitterShiftsAndIsDeterministic) {
  const std::vector<uint8_t> original = SampleImage();
  int changed = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<uint8_t> x = original, y = original;
    Rng r1(seed), r2(seed);
    Jitter(x.data(), 28, 28, r1);
    Jitter(y.data(), 28, 28, r2);
    EXPECT_EQ(x, y);
    changed += x != original;
    // Shifts are small: the bright mass moves by at most 2 px and ±5 % brightness.
    EXPECT_NEAR(Mean(x), Mean(original), 0.08 * Mean(original) + 1.0);
  }
  EXPECT_GE(changed, 15);
  std::vector<uint8_t> still = original;
  Rng rng(1);
  Jitter(still.data(), 28, 28, rng, JitterOptions{0, 0.0});
  EXPECT_EQ(still, original);
}

TEST(AppearanceTest, RandomAppearanceCoversAllConditions) {
  Rng rng(11);
  std::set<Condition> seen;
  for (int i = 0; i < 500; ++i) {
    const Appearance a = RandomAppearance(rng, 0.2, 0.9);
    seen.insert(a.condition);
    if (a.condition != Condition::kClear) {
      EXPECT_GE(a.severity, 0.2);
      EXPECT_LE(a.severity, 0.9);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kNumConditions));
}

}  // namespace
}  // namespace ekya
