#include <gtest/gtest.h>

#include "ekya/sched/policy.h"

namespace ekya {
namespace {

TEST(PolicySpecTest, ParsesNameOnly) {
  auto spec = PolicySpec::Parse("noretrain");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "noretrain");
  EXPECT_TRUE(spec->params.empty());
}

TEST(PolicySpecTest, ParsesParameters) {
  auto spec = PolicySpec::Parse("fair:config=all-h1024-f0.5-e15,inference_fraction=0.3");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "fair");
  ASSERT_EQ(spec->params.size(), 2u);
  EXPECT_EQ(spec->params.at("config"), "all-h1024-f0.5-e15");
  EXPECT_EQ(spec->params.at("inference_fraction"), "0.3");
}

TEST(PolicySpecTest, TrimsWhitespaceAroundItems) {
  auto spec = PolicySpec::Parse("  fair : config = head-h64-f0.1-e5 ,  inference_fraction=0.9  ");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "fair");
  EXPECT_EQ(spec->params.at("config"), "head-h64-f0.1-e5");
  EXPECT_EQ(spec->params.at("inference_fraction"), "0.9");
}

TEST(PolicySpecTest, RefusesMalformedSpecs) {
  struct Case {
    const char* text;
    const char* expected_in_message;
  };
  for (const Case& c :
       {Case{"", "no policy name"}, Case{"   ", "no policy name"}, Case{":config=x", "no policy name"},
        Case{"fair:config", "'config'"}, Case{"fair:config=x,fraction", "'fraction'"},
        Case{"fair:", "key=value"}, Case{"fair:a=1,,b=2", "key=value"}, Case{"fair:=3", "empty key"},
        Case{"fair:config=a,config=b", "given twice"}, Case{"fair:config=a, config =b", "given twice"}}) {
    auto spec = PolicySpec::Parse(c.text);
    ASSERT_FALSE(spec.ok()) << "'" << c.text << "' was accepted";
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(spec.status().message().find(c.expected_in_message), std::string::npos)
        << c.text << ": " << spec.status().message();
  }
}

TEST(PolicySpecTest, ToStringSortsParametersAndRoundTrips) {
  PolicySpec spec;
  spec.name = "fair";
  spec.params["inference_fraction"] = "0.3";
  spec.params["config"] = "all-h1024-f0.5-e15";
  EXPECT_EQ(spec.ToString(), "fair:config=all-h1024-f0.5-e15,inference_fraction=0.3");
  auto again = PolicySpec::Parse(spec.ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->name, spec.name);
  EXPECT_EQ(again->params, spec.params);

  PolicySpec bare;
  bare.name = "noretrain";
  EXPECT_EQ(bare.ToString(), "noretrain");
  EXPECT_EQ(bare.Slug(), "noretrain");
}

TEST(PolicySpecTest, ParseThenToStringIsCanonical) {
  auto spec = PolicySpec::Parse(" fair: inference_fraction=0.3 , config=head-h64-f0.5-e5");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->ToString(), "fair:config=head-h64-f0.5-e5,inference_fraction=0.3");
}

TEST(PolicySpecTest, SlugKeepsSafeCharactersOnly) {
  auto spec = PolicySpec::Parse("fair:config=head-h64-f0.5-e5");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->Slug(), "fair_config=head-h64-f0.5-e5");

  auto two = PolicySpec::Parse("fair:config=all-h1024-f0.5-e15,inference_fraction=0.3");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->Slug(), "fair_config=all-h1024-f0.5-e15_inference_fraction=0.3");

  PolicySpec odd;
  odd.name = "x";
  odd.params["a"] = "b/c d*e";
  EXPECT_EQ(odd.Slug(), "x_a=b_c_d_e");
}

TEST(PlaceRoundRobinTest, StreamSOnDeviceSModG) {
  EXPECT_EQ(PlaceRoundRobin(5, 2), (std::vector<int>{0, 1, 0, 1, 0}));
  EXPECT_EQ(PlaceRoundRobin(3, 1), (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(PlaceRoundRobin(2, 4), (std::vector<int>{0, 1}));
  EXPECT_TRUE(PlaceRoundRobin(0, 3).empty());
}

}  // namespace
}  // namespace ekya
