#include "ekya/time/clock.h"

#include <gtest/gtest.h>

namespace ekya {
namespace {

TEST(ManualClockTest, MovesOnlyForward) {
  ManualClock c(10);
  EXPECT_DOUBLE_EQ(c.NowSeconds(), 10);
  c.Advance(2.5);
  EXPECT_DOUBLE_EQ(c.NowSeconds(), 12.5);
  c.Set(5);
  EXPECT_DOUBLE_EQ(c.NowSeconds(), 12.5);
  c.SleepUntil(20);
  EXPECT_DOUBLE_EQ(c.NowSeconds(), 20);
  c.Advance(-1);
  EXPECT_DOUBLE_EQ(c.NowSeconds(), 20);
}

TEST(WallClockTest, IsMonotonic) {
  WallClock c;
  double a = c.NowSeconds();
  double b = c.NowSeconds();
  EXPECT_GE(b, a);
  EXPECT_GE(a, 0);
}

}  // namespace
}  // namespace ekya
