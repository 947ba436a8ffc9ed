#include "ekya/config/settings.h"

#include <gtest/gtest.h>

#include <set>

namespace ekya {
namespace {

TEST(SettingsTest, DefaultsAreDeclaredAndValid) {
  std::set<std::string> keys;
  for (const auto& spec : AllSettings()) {
    EXPECT_TRUE(keys.insert(spec.key).second) << "declared twice: " << spec.key;
    EXPECT_FALSE(spec.description.empty()) << spec.key;
    Settings s;
    // Every default passes its own validation.
    EXPECT_TRUE(s.Set(spec.key, spec.default_value).ok()) << spec.key;
  }
  Settings s;
  EXPECT_EQ(s.Int("streams"), 4);
  EXPECT_EQ(s.String("labels"), "golden");
}

TEST(SettingsTest, UnknownKeyIsRefusedByName) {
  Settings s;
  Status st = s.Set("no.such_key", "3");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("no.such_key"), std::string::npos);
}

TEST(SettingsTest, BadValuesNameKeyValueAndWhatIsAllowed) {
  Settings s;
  Status st = s.Set("streams", "0");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("streams"), std::string::npos);
  EXPECT_NE(st.message().find("'0'"), std::string::npos);
  EXPECT_NE(st.message().find("integer in [1,"), std::string::npos);
  EXPECT_FALSE(s.Set("streams", "four").ok());
  EXPECT_FALSE(s.Set("streams", "2.5").ok());
  st = s.Set("labels", "humans");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("golden, ground_truth"), std::string::npos);
  EXPECT_FALSE(s.Set("window_seconds", "nan").ok());
  EXPECT_FALSE(s.Set("dataset.path", "").ok());
  EXPECT_EQ(s.Int("streams"), 4) << "a refused value leaves the setting unchanged";
}

TEST(SettingsTest, OverridesParse) {
  Settings s;
  ASSERT_TRUE(s.ApplyOverride("streams=7").ok());
  EXPECT_EQ(s.Int("streams"), 7);
  ASSERT_TRUE(s.ApplyOverride(" window_seconds = 120 ").ok());
  EXPECT_DOUBLE_EQ(s.Double("window_seconds"), 120);
  EXPECT_FALSE(s.ApplyOverride("streams").ok());
  EXPECT_FALSE(s.ApplyOverride("=3").ok());
}

TEST(SettingsTest, YamlNestedAndDottedKeys) {
  Settings s;
  ASSERT_TRUE(s.LoadYamlString("streams: 3\ndataset:\n  path: /tmp/x\nlabels: ground_truth\n").ok());
  EXPECT_EQ(s.Int("streams"), 3);
  EXPECT_EQ(s.String("dataset.path"), "/tmp/x");
  EXPECT_EQ(s.String("labels"), "ground_truth");
  ASSERT_TRUE(s.LoadYamlString("dataset.path: /tmp/y\n").ok());
  EXPECT_EQ(s.String("dataset.path"), "/tmp/y");
}

TEST(SettingsTest, YamlErrorsApplyNothing) {
  Settings s;
  Status st = s.LoadYamlString("streams: 9\nbogus: 1\n", "scenario.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("scenario.yaml"), std::string::npos);
  EXPECT_NE(st.message().find("bogus"), std::string::npos);
  EXPECT_EQ(s.Int("streams"), 4);
  EXPECT_FALSE(s.LoadYamlString("streams: [1, 2\n").ok());
  EXPECT_FALSE(s.LoadYamlString("- a\n- b\n").ok());
  EXPECT_EQ(s.LoadYamlFile("/nonexistent/file.yaml").code(), StatusCode::kNotFound);
}

TEST(SettingsTest, ToYamlRoundTrips) {
  Settings a;
  ASSERT_TRUE(a.Set("streams", "6").ok());
  ASSERT_TRUE(a.Set("dataset.path", "/data/fm").ok());
  ASSERT_TRUE(a.Set("window_seconds", "150.5").ok());
  Settings b;
  ASSERT_TRUE(b.LoadYamlString(a.ToYaml()).ok()) << a.ToYaml();
  EXPECT_EQ(a.ToYaml(), b.ToYaml());
  EXPECT_EQ(b.Int("streams"), 6);
  EXPECT_EQ(b.String("dataset.path"), "/data/fm");
  EXPECT_EQ(b.ChangedKeys().size(), 3u);
}

}  // namespace
}  // namespace ekya
