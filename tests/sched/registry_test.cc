#include <gtest/gtest.h>

#include <algorithm>

#include "ekya/sched/policy.h"

namespace ekya {
namespace {

TEST(RegistryTest, KnownPoliciesAreSorted) {
  std::vector<std::string> known = KnownPolicies();
  EXPECT_EQ(known, (std::vector<std::string>{"fair", "fair-naive", "fair-sco", "noretrain", "oracle", "replay",
                                             "thief", "thief-fixedconfig", "thief-fixedres"}));
  EXPECT_TRUE(std::is_sorted(known.begin(), known.end()));
}

TEST(RegistryTest, DescribesEveryPolicyOnItsOwnLine) {
  std::string text = DescribePolicies();
  EXPECT_NE(text.find("noretrain"), std::string::npos);
  EXPECT_NE(text.find("fair [config=" + Settings().String("fair.config")), std::string::npos) << text;
  EXPECT_NE(text.find("inference_fraction=0.5 (number in [0, 1])"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(KnownPolicies().size()));
}

TEST(RegistryTest, UnknownNameListsTheKnownOnes) {
  auto policy = MakePolicy("nosuch", Settings());
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(policy.status().message(),
            "unknown policy 'nosuch'; known policies: fair, fair-naive, fair-sco, noretrain, oracle, replay, "
            "thief, thief-fixedconfig, thief-fixedres");
}

TEST(RegistryTest, UnknownParameterListsThePolicysParameters) {
  auto policy = MakePolicy("fair:foo=1", Settings());
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(policy.status().message(),
            "policy 'fair' has no parameter 'foo'; its parameters: config, inference_fraction");

  auto none = MakePolicy("noretrain:config=head-h64-f0.5-e5", Settings());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("policy 'noretrain' has no parameter 'config'"), std::string::npos);
  EXPECT_NE(none.status().message().find("no parameters"), std::string::npos);
}

TEST(RegistryTest, BadFractionNamesTheSettingValueAndRange) {
  for (const char* value : {"1.5", "-0.1", "abc"}) {
    auto policy = MakePolicy(std::string("fair:inference_fraction=") + value, Settings());
    ASSERT_FALSE(policy.ok()) << value;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = policy.status().message();
    EXPECT_NE(m.find("fair.inference_fraction"), std::string::npos) << m;
    EXPECT_NE(m.find(value), std::string::npos) << m;
    EXPECT_NE(m.find("number in [0, 1]"), std::string::npos) << m;
  }
}

TEST(RegistryTest, BadConfigNamesTheConfigAndTheExpectedForm) {
  // A base id without epochs is not a full config.
  for (const char* value : {"head-h64-f0.5", "best", "all-h1024-f2-e5"}) {
    auto policy = MakePolicy(std::string("fair:config=") + value, Settings());
    ASSERT_FALSE(policy.ok()) << value;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = policy.status().message();
    EXPECT_NE(m.find(std::string("'") + value + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("policy 'fair'"), std::string::npos) << m;
  }
  auto empty = MakePolicy("fair:config=", Settings());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("fair.config"), std::string::npos) << empty.status().message();
}

TEST(RegistryTest, MalformedSpecTextIsRefused) {
  auto policy = MakePolicy("fair:config", Settings());
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
}

TEST(RegistryTest, SpecSpellsOutEveryParameter) {
  auto fair = MakePolicy("fair", Settings());
  ASSERT_TRUE(fair.ok()) << fair.status().ToString();
  EXPECT_EQ((*fair)->spec(), "fair:config=" + Settings().String("fair.config") + ",inference_fraction=0.5");

  auto noretrain = MakePolicy("noretrain", Settings());
  ASSERT_TRUE(noretrain.ok()) << noretrain.status().ToString();
  EXPECT_EQ((*noretrain)->spec(), "noretrain");

  auto given = MakePolicy(" fair : inference_fraction = 0.3 , config = all-h1024-f0.5-e15 ", Settings());
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ((*given)->spec(), "fair:config=all-h1024-f0.5-e15,inference_fraction=0.3");

  auto partial = MakePolicy("fair:inference_fraction=0.9", Settings());
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ((*partial)->spec(), "fair:config=" + Settings().String("fair.config") + ",inference_fraction=0.9");
}

TEST(RegistryTest, SpecRebuildsTheSamePolicy) {
  auto first = MakePolicy("fair:config=all-h1024-f1.0-e30,inference_fraction=0.25", Settings());
  ASSERT_TRUE(first.ok());
  auto second = MakePolicy((*first)->spec(), Settings());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->spec(), (*first)->spec());
}

TEST(RegistryTest, SettingsSupplyWhatTheSpecLeavesOut) {
  Settings settings;
  ASSERT_TRUE(settings.Set("fair.config", "all-h1024-f0.1-e15").ok());
  ASSERT_TRUE(settings.Set("fair.inference_fraction", "0.7").ok());
  auto fair = MakePolicy("fair", settings);
  ASSERT_TRUE(fair.ok()) << fair.status().ToString();
  EXPECT_EQ((*fair)->spec(), "fair:config=all-h1024-f0.1-e15,inference_fraction=0.7");

  // The spec wins over the settings, parameter by parameter, and the caller's
  // settings are left as they were.
  auto mixed = MakePolicy("fair:inference_fraction=0.3", settings);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ((*mixed)->spec(), "fair:config=all-h1024-f0.1-e15,inference_fraction=0.3");
  EXPECT_DOUBLE_EQ(settings.Double("fair.inference_fraction"), 0.7);
}

TEST(RegistryTest, BadConfigInSettingsIsRefusedWhenThePolicyIsMade) {
  Settings settings;
  ASSERT_TRUE(settings.Set("fair.config", "head-h64-f0.5").ok());  // a string setting; no epochs
  auto fair = MakePolicy("fair", settings);
  ASSERT_FALSE(fair.ok());
  EXPECT_NE(fair.status().message().find("'head-h64-f0.5'"), std::string::npos) << fair.status().message();
  EXPECT_TRUE(MakePolicy("noretrain", settings).ok());
}

}  // namespace
}  // namespace ekya
