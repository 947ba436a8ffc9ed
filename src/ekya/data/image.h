// Plain image containers shared by the data, model, training and inference
// modules. Torch-free: the torch side converts them to tensors itself.
//
// ImageBatch holds N grey images of rows × cols bytes each, row-major and
// contiguous. LabelledImages pairs a batch with one class label per image.
// Values; not synchronised.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ekya {

struct ImageBatch {
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> pixels;  // size() * rows * cols bytes

  size_t pixels_per_image() const { return static_cast<size_t>(rows) * static_cast<size_t>(cols); }
  size_t size() const { return pixels_per_image() == 0 ? 0 : pixels.size() / pixels_per_image(); }
  bool empty() const { return size() == 0; }
  const uint8_t* image(size_t i) const { return pixels.data() + i * pixels_per_image(); }
  uint8_t* mutable_image(size_t i) { return pixels.data() + i * pixels_per_image(); }
  // Appends one image of rows × cols bytes.
  void Append(const uint8_t* img) { pixels.insert(pixels.end(), img, img + pixels_per_image()); }
};

struct LabelledImages {
  ImageBatch images;
  std::vector<int> labels;  // one per image, in [0, num_classes)
  int num_classes = 0;

  size_t size() const { return labels.size(); }
  // Appends image i of other (same shape required).
  void AppendFrom(const LabelledImages& other, size_t i) {
    images.Append(other.images.image(i));
    labels.push_back(other.labels[i]);
  }
  // A new set holding the given indices of this one, in that order.
  LabelledImages Select(std::span<const size_t> indices) const {
    LabelledImages out;
    out.images.rows = images.rows;
    out.images.cols = images.cols;
    out.num_classes = num_classes;
    out.images.pixels.reserve(indices.size() * images.pixels_per_image());
    out.labels.reserve(indices.size());
    for (size_t i : indices) out.AppendFrom(*this, i);
    return out;
  }
};

}  // namespace ekya
