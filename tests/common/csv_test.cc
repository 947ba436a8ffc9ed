#include "ekya/common/csv.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "ekya/common/files.h"

namespace ekya {
namespace {

TEST(CsvTest, SplitsQuotedFieldsAndDropsCarriageReturns) {
  EXPECT_EQ(SplitCsvLine("a,b,,c"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(SplitCsvLine("\"fair:config=x,inference_fraction=0.3\",0.7\r"),
            (std::vector<std::string>{"fair:config=x,inference_fraction=0.3", "0.7"}));
  EXPECT_EQ(SplitCsvLine("\"say \"\"hi\"\"\",1"), (std::vector<std::string>{"say \"hi\"", "1"}));
  EXPECT_EQ(SplitCsvLine(""), (std::vector<std::string>{""}));
}

TEST(CsvTest, ParsesWholeFieldsOnly) {
  int i = 7;
  EXPECT_TRUE(ParseCsvInt("-12", &i));
  EXPECT_EQ(i, -12);
  EXPECT_FALSE(ParseCsvInt("12x", &i));
  EXPECT_FALSE(ParseCsvInt("", &i));
  EXPECT_FALSE(ParseCsvInt("99999999999", &i));
  double d = 0;
  EXPECT_TRUE(ParseCsvDouble("0.25", &d));
  EXPECT_DOUBLE_EQ(d, 0.25);
  EXPECT_FALSE(ParseCsvDouble("nan", &d));
  EXPECT_TRUE(ParseCsvDouble("nan", &d, /*finite_only=*/false));
  EXPECT_FALSE(ParseCsvDouble("1.5 ", &d));
}

TEST(CsvTest, ReadsWhatWasWrittenWhole) {
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / "ekya_csv_test" / "x.csv";
  ASSERT_TRUE(WriteFileWhole(file.string(), "a,b\n1,2\n").ok());
  Result<std::string> text = ReadFileWhole(file.string());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a,b\n1,2\n");
  EXPECT_EQ(ReadFileWhole((file.parent_path() / "missing.csv").string()).status().code(), StatusCode::kNotFound);
  fs::remove_all(file.parent_path());
}

}  // namespace
}  // namespace ekya
