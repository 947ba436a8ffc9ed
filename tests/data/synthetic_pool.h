// A small synthetic image pool for the data tests: `per_class` images of 28×28
// per class, each a bright blob whose position depends on the class, with
// per-image noise. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "ekya/common/rng.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/data/image.h"

namespace ekya::testing {

inline LabelledImages MakeSyntheticPool(int classes, int per_class, uint64_t seed = 7) {
  LabelledImages pool;
  pool.num_classes = classes;
  pool.images.rows = 28;
  pool.images.cols = 28;
  Rng rng(seed);
  for (int i = 0; i < per_class; ++i) {
    for (int c = 0; c < classes; ++c) {
      uint8_t img[28 * 28] = {};
      const int r0 = 4 + (c * 5) % 16;
      const int c0 = 4 + (c * 3) % 16;
      for (int r = r0; r < r0 + 8; ++r)
        for (int q = c0; q < c0 + 8; ++q) img[r * 28 + q] = static_cast<uint8_t>(150 + rng.Below(100));
      pool.images.Append(img);
      pool.labels.push_back(c);
    }
  }
  return pool;
}

// Drift options for a benchmark over MakeSyntheticPool(4, 400): 100 frames
// a window, 200 base training and 50 base test images, 2–4 classes present.
inline DriftOptions TinyDriftOptions(int streams, int windows) {
  DriftOptions o;
  o.streams = streams;
  o.windows = windows;
  o.frames_per_window = 100;
  o.base_train_size = 200;
  o.base_test_size = 50;
  o.classes_present_min = 2;
  o.classes_present_max = 4;
  return o;
}

// A fresh, empty temporary directory for one test.
inline std::filesystem::path MakeTempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ekya_data_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ekya::testing
