#include "ekya/common/rng.h"

#include <gtest/gtest.h>

#include <vector>

namespace ekya {
namespace {

TEST(RngTest, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.NextU64();
    EXPECT_EQ(x, b.NextU64());
    differs |= x != c.NextU64();
  }
  EXPECT_TRUE(differs);
}

TEST(RngTest, DerivedSeedsDependOnEveryLabel) {
  EXPECT_EQ(DeriveSeed(1, {2, 3}), DeriveSeed(1, {2, 3}));
  EXPECT_NE(DeriveSeed(1, {2, 3}), DeriveSeed(1, {3, 2}));
  EXPECT_NE(DeriveSeed(1, {2, 3}), DeriveSeed(2, {2, 3}));
}

TEST(RngTest, DistributionsStayInRange) {
  Rng r(7);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(r.Below(5), 5u);
    sum += r.Normal();
  }
  EXPECT_NEAR(sum / 10000, 0.0, 0.05);
  std::vector<int> v = {1, 2, 3, 4, 5};
  r.Shuffle(v);
  EXPECT_EQ(v.size(), 5u);
}

}  // namespace
}  // namespace ekya
