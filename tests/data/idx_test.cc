#include "ekya/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "data/synthetic_pool.h"

namespace ekya {
namespace {

namespace fs = std::filesystem;

void WriteGz(const fs::path& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

std::vector<uint8_t> Header(uint32_t magic, std::vector<uint32_t> dims) {
  std::vector<uint8_t> out;
  for (uint32_t v : std::vector<uint32_t>{magic}) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
  }
  for (uint32_t v : dims)
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
  return out;
}

ImageBatch SmallBatch(int n) {
  ImageBatch b;
  b.rows = 3;
  b.cols = 2;
  for (int i = 0; i < n * 6; ++i) b.pixels.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

TEST(IdxTest, RoundTripsImagesAndLabels) {
  const fs::path dir = testing::MakeTempDir("roundtrip");
  const ImageBatch batch = SmallBatch(5);
  ASSERT_TRUE(WriteIdxImages((dir / "img.gz").string(), batch).ok());
  ASSERT_TRUE(WriteIdxLabels((dir / "lab.gz").string(), {0, 1, 2, 9, 255}).ok());
  Result<ImageBatch> read = ReadIdxImages((dir / "img.gz").string());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows, 3);
  EXPECT_EQ(read->cols, 2);
  EXPECT_EQ(read->size(), 5u);
  EXPECT_EQ(read->pixels, batch.pixels);
  Result<std::vector<int>> labels = ReadIdxLabels((dir / "lab.gz").string());
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(*labels, (std::vector<int>{0, 1, 2, 9, 255}));
  fs::remove_all(dir);
}

TEST(IdxTest, WriterRefusesBadInput) {
  const fs::path dir = testing::MakeTempDir("writer");
  EXPECT_EQ(WriteIdxLabels((dir / "l.gz").string(), {1, 256}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteIdxImages((dir / "i.gz").string(), ImageBatch{}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteIdxLabels((dir / "no" / "such" / "dir.gz").string(), {1}).code(), StatusCode::kIoError);
  fs::remove_all(dir);
}

TEST(IdxTest, MissingFileIsNotFound) {
  Result<ImageBatch> r = ReadIdxImages("/nonexistent/ekya/images.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/ekya/images.gz"), std::string::npos);
  EXPECT_EQ(ReadIdxLabels("/nonexistent/ekya/labels.gz").status().code(), StatusCode::kNotFound);
}

TEST(IdxTest, BadMagicIsCorrupt) {
  const fs::path dir = testing::MakeTempDir("magic");
  // A label file where an image file is expected, and garbage.
  ASSERT_TRUE(WriteIdxLabels((dir / "lab.gz").string(), {1, 2}).ok());
  Result<ImageBatch> r = ReadIdxImages((dir / "lab.gz").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("magic"), std::string::npos) << r.status().message();
  WriteGz(dir / "junk.gz", {'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
  EXPECT_EQ(ReadIdxLabels((dir / "junk.gz").string()).status().code(), StatusCode::kCorrupt);
  WriteGz(dir / "tiny.gz", {0, 0});
  EXPECT_EQ(ReadIdxImages((dir / "tiny.gz").string()).status().code(), StatusCode::kCorrupt);
  fs::remove_all(dir);
}

TEST(IdxTest, TruncatedDataIsCorrupt) {
  const fs::path dir = testing::MakeTempDir("truncated");
  // Header announces 10 images of 2x2, only 3 follow.
  std::vector<uint8_t> bytes = Header(0x00000803, {10, 2, 2});
  bytes.insert(bytes.end(), 12, 5);
  WriteGz(dir / "img.gz", bytes);
  Result<ImageBatch> r = ReadIdxImages((dir / "img.gz").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();

  std::vector<uint8_t> labels = Header(0x00000801, {4});
  labels.push_back(1);
  WriteGz(dir / "lab.gz", labels);
  EXPECT_EQ(ReadIdxLabels((dir / "lab.gz").string()).status().code(), StatusCode::kCorrupt);

  // A gzip stream cut in the middle.
  ASSERT_TRUE(WriteIdxImages((dir / "good.gz").string(), SmallBatch(400)).ok());
  const auto size = fs::file_size(dir / "good.gz");
  fs::copy_file(dir / "good.gz", dir / "cut.gz");
  fs::resize_file(dir / "cut.gz", size / 2);
  EXPECT_EQ(ReadIdxImages((dir / "cut.gz").string()).status().code(), StatusCode::kCorrupt);
  fs::remove_all(dir);
}

void WriteFashionLike(const fs::path& dir, int train_images, int train_labels, int test_label_value = 3) {
  ImageBatch train;
  train.rows = train.cols = 28;
  train.pixels.assign(static_cast<size_t>(train_images) * 784, 9);
  ASSERT_TRUE(WriteIdxImages((dir / "train-images-idx3-ubyte.gz").string(), train).ok());
  ASSERT_TRUE(WriteIdxLabels((dir / "train-labels-idx1-ubyte.gz").string(), std::vector<int>(train_labels, 1)).ok());
  ImageBatch test = train;
  test.pixels.resize(2 * 784);
  ASSERT_TRUE(WriteIdxImages((dir / "t10k-images-idx3-ubyte.gz").string(), test).ok());
  ASSERT_TRUE(WriteIdxLabels((dir / "t10k-labels-idx1-ubyte.gz").string(), {test_label_value, 0}).ok());
}

TEST(IdxTest, LoadFashionMnistFromWrittenFiles) {
  const fs::path dir = testing::MakeTempDir("fashion_ok");
  WriteFashionLike(dir, 4, 4);
  Result<LabelledImages> r = LoadFashionMnist(dir.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 6u);
  EXPECT_EQ(r->images.size(), 6u);
  EXPECT_EQ(r->num_classes, 10);
  EXPECT_EQ(r->labels, (std::vector<int>{1, 1, 1, 1, 3, 0}));
  fs::remove_all(dir);
}

TEST(IdxTest, LoadFashionMnistCountMismatchIsCorrupt) {
  const fs::path dir = testing::MakeTempDir("fashion_mismatch");
  WriteFashionLike(dir, 4, 5);
  Result<LabelledImages> r = LoadFashionMnist(dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("5 labels"), std::string::npos) << r.status().message();
  fs::remove_all(dir);
}

TEST(IdxTest, LoadFashionMnistLabelOutOfRangeIsCorrupt) {
  const fs::path dir = testing::MakeTempDir("fashion_range");
  WriteFashionLike(dir, 4, 4, /*test_label_value=*/10);
  Result<LabelledImages> r = LoadFashionMnist(dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("label 10"), std::string::npos) << r.status().message();
  fs::remove_all(dir);
}

TEST(IdxTest, LoadFashionMnistMissingNamesSettingAndPackage) {
  const fs::path dir = testing::MakeTempDir("fashion_missing");
  Result<LabelledImages> r = LoadFashionMnist(dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("train-images-idx3-ubyte.gz"), std::string::npos) << m;
  EXPECT_NE(m.find("dataset.path"), std::string::npos) << m;
  EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
  fs::remove_all(dir);
}

TEST(IdxTest, RealFashionMnistLoads) {
  if (!fs::exists(fs::path(kFashionMnistDefaultDir) / "train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)";
  Result<LabelledImages> r = LoadFashionMnist();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 70000u);
  EXPECT_EQ(r->images.size(), 70000u);
  EXPECT_EQ(r->images.rows, 28);
  EXPECT_EQ(r->images.cols, 28);
  EXPECT_EQ(r->num_classes, 10);
  std::vector<int> counts(10, 0);
  for (int l : r->labels) {
    ASSERT_GE(l, 0);
    ASSERT_LT(l, 10);
    ++counts[l];
  }
  for (int c : counts) EXPECT_EQ(c, 7000);
}

}  // namespace
}  // namespace ekya
