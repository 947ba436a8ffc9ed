// Reading and writing gzip-compressed IDX files, the format of MNIST and
// Fashion-MNIST (big-endian header: magic 0x00000803 for images with three
// dimensions count × rows × cols, 0x00000801 for labels with one dimension,
// then the unsigned bytes).
//
// Functions are stateless and thread-safe. Failures come back as a Status
// naming the file: NotFound (no such file), Corrupt (bad magic, bad
// dimensions, truncated data, count mismatch, label out of range), IoError
// (the file cannot be opened or written). No exception leaves this module.
#pragma once

#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/image.h"

namespace ekya {

inline constexpr int kFashionMnistClasses = 10;
inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

// Reads an IDX3 image file (gzip or plain).
Result<ImageBatch> ReadIdxImages(const std::string& path);

// Reads an IDX1 label file (gzip or plain). Labels are the raw bytes (0..255).
Result<std::vector<int>> ReadIdxLabels(const std::string& path);

// Loads Fashion-MNIST from `dir`: train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz, concatenated train then test (70,000 images of
// 28 × 28, 10 classes, num_classes = 10). A missing file is NotFound with a
// message naming it, the setting `dataset.path` and the Debian package
// `dataset-fashion-mnist`; images and labels of different counts, different
// image shapes between train and test, or a label outside [0, 10) is Corrupt.
Result<LabelledImages> LoadFashionMnist(const std::string& dir = kFashionMnistDefaultDir);

// Writes `images` as a gzip IDX3 file. InvalidArgument when the batch has no
// shape (rows or cols < 1) or its pixel count is not a whole number of images;
// IoError when the file cannot be written.
Status WriteIdxImages(const std::string& path, const ImageBatch& images);

// Writes `labels` as a gzip IDX1 file. InvalidArgument for a label outside
// [0, 255]; IoError when the file cannot be written.
Status WriteIdxLabels(const std::string& path, const std::vector<int>& labels);

}  // namespace ekya
