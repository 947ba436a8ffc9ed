// Test helper: a tiny, separable image problem. Class c of k (k <= 4) draws a
// bright bar in a class-specific place (top rows, bottom rows, left columns,
// right columns) on a dim noisy background. Deterministic for a seed.
#pragma once

#include <cstdint>

#include "ekya/common/rng.h"
#include "ekya/data/image.h"

namespace ekya::testing_support {

inline LabelledImages MakeBars(int count, int classes, uint64_t seed, int side = 28) {
  Rng rng(seed);
  LabelledImages out;
  out.num_classes = classes;
  out.images.rows = side;
  out.images.cols = side;
  out.images.pixels.resize(static_cast<size_t>(count) * side * side);
  for (int i = 0; i < count; ++i) {
    const int c = static_cast<int>(rng.Below(static_cast<uint64_t>(classes)));
    out.labels.push_back(c);
    uint8_t* img = out.images.mutable_image(static_cast<size_t>(i));
    const int band = side / 3;
    for (int r = 0; r < side; ++r) {
      for (int col = 0; col < side; ++col) {
        bool on = false;
        switch (c) {
          case 0:
            on = r < band;
            break;
          case 1:
            on = r >= side - band;
            break;
          case 2:
            on = col < band;
            break;
          default:
            on = col >= side - band;
            break;
        }
        const int base = on ? 200 : 30;
        img[r * side + col] = static_cast<uint8_t>(base + static_cast<int>(rng.Below(40)));
      }
    }
  }
  return out;
}

}  // namespace ekya::testing_support
