// HOUSE.md habit 4: real time is read, and sleeping done, only in src/ekya/time/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

TEST(NoRealTimeTest, OnlyTimeModuleReadsTheClock) {
  namespace fs = std::filesystem;
  const std::regex forbidden(
      R"((steady_clock|system_clock|high_resolution_clock)::now|sleep_for|sleep_until|\btime\(NULL\)|gettimeofday)");
  int files = 0;
  for (const char* root : {"src", "apps"}) {
    ASSERT_TRUE(fs::exists(root)) << "tests run from the source root";
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::string path = entry.path().generic_string();
      if (path.rfind("src/ekya/time/", 0) == 0) continue;
      std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cc") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        ++n;
        EXPECT_FALSE(std::regex_search(line, forbidden)) << path << ":" << n << ": " << line;
      }
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
