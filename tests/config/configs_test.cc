// Every scenario file under configs/ loads; quick.yaml differs from
// default.yaml only in streams and windows.
#include <gtest/gtest.h>

#include <filesystem>

#include "ekya/config/settings.h"

namespace ekya {
namespace {

TEST(ConfigsTest, EveryScenarioFileLoads) {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& entry : fs::directory_iterator("configs")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    Settings s;
    Status st = s.LoadYamlFile(entry.path().string());
    EXPECT_TRUE(st.ok()) << entry.path() << ": " << st.ToString();
  }
  EXPECT_GE(files, 2);
}

TEST(ConfigsTest, QuickDiffersFromDefaultOnlyInStreamsAndWindows) {
  Settings def, quick;
  ASSERT_TRUE(def.LoadYamlFile("configs/default.yaml").ok());
  ASSERT_TRUE(quick.LoadYamlFile("configs/quick.yaml").ok());
  ASSERT_TRUE(quick.Set("streams", std::to_string(def.Int("streams"))).ok());
  ASSERT_TRUE(quick.Set("windows", std::to_string(def.Int("windows"))).ok());
  EXPECT_EQ(def.ToYaml(), quick.ToYaml());
  EXPECT_GE(def.Int("streams"), 4);
  EXPECT_GE(def.Int("windows"), 8);
}

}  // namespace
}  // namespace ekya
