#include "ekya/train/golden_labeller.h"

namespace ekya {

Result<std::vector<int>> GoldenLabeller::Label(const ImageBatch& images) {
  if (!golden_.valid()) return Status::FailedPrecondition("the golden labeller has no model");
  auto labels = golden_.Predict(images, threads_);
  if (!labels.ok()) return labels.status().WithContext("golden labelling");
  frames_labelled_ += static_cast<int64_t>(images.size());
  return labels;
}

}  // namespace ekya
