#include "ekya/common/files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ekya {
namespace {

TEST(FilesTest, WritesWholeAndCreatesFolders) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "ekya_files_test";
  fs::remove_all(dir);
  fs::path file = dir / "a" / "b.txt";
  ASSERT_TRUE(WriteFileWhole(file.string(), "hello\n").ok());
  ASSERT_TRUE(WriteFileWhole(file.string(), "again\n").ok());
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "again\n");
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
  // A folder where the file should be cannot be replaced.
  fs::create_directories(dir / "c");
  EXPECT_EQ(WriteFileWhole((dir / "c").string(), "x").code(), StatusCode::kIoError);
  EXPECT_FALSE(fs::exists(dir / "c.tmp")) << "the temporary file is removed on failure";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ekya
