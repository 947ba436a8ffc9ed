#include "ekya/profile/retrain_config.h"

#include <gtest/gtest.h>

#include <set>

namespace ekya {
namespace {

TEST(RetrainConfigTest, IdsRoundTrip) {
  auto space = DefaultConfigSpace();
  ASSERT_EQ(space.size(), 18u);
  std::set<std::string> ids;
  for (const auto& c : space) {
    ids.insert(c.Id());
    auto parsed = RetrainConfig::Parse(c.Id());
    ASSERT_TRUE(parsed.ok()) << c.Id();
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_EQ(ids.size(), 18u);
  EXPECT_TRUE(ids.count("head-h64-f0.1-e5"));
  EXPECT_TRUE(ids.count("all-h1024-f1.0-e30"));
  EXPECT_EQ(CostliestConfig().Id(), "all-h1024-f1.0-e30");
  EXPECT_EQ(space.front().BaseId(), "head-h64-f0.1");
}

TEST(RetrainConfigTest, ParseRefusesMalformedIds) {
  for (const char* bad : {"", "none", "head", "some-h64-f0.1-e5", "head-h0-f0.1-e5", "head-h64-f1.5-e5",
                          "head-h64-f0.1-e0", "head-h64-fx-e5", "head-h64-f0.1"}) {
    EXPECT_FALSE(RetrainConfig::Parse(bad).ok()) << bad;
  }
  auto base = RetrainConfig::Parse("all-h1024-f0.5", /*allow_base=*/true);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->BaseId(), "all-h1024-f0.5");
  EXPECT_EQ(HeadWidths(DefaultConfigSpace()), (std::vector<int>{64, 1024}));
}

}  // namespace
}  // namespace ekya
