#include "ekya/infer/inference.h"

#include <algorithm>

namespace ekya {

Result<InferenceOutput> RunInference(const Model& model, const ImageBatch& frames, CreditSampler& sampler,
                                     int* last_prediction, int threads, int batch) {
  if (threads < 1) return Status::InvalidArgument("RunInference: threads = " + std::to_string(threads));
  InferenceOutput out;
  if (!frames.pixels.empty() &&
      (frames.pixels_per_image() == 0 || frames.pixels.size() % frames.pixels_per_image() != 0))
    return Status::InvalidArgument("RunInference: malformed frame batch");
  const size_t n = frames.size();
  CreditSampler decided = sampler;  // committed only on success
  out.analysed.resize(n);
  ImageBatch chosen;
  chosen.rows = frames.rows;
  chosen.cols = frames.cols;
  for (size_t i = 0; i < n; ++i) {
    if (decided.Next()) {
      out.analysed[i] = 1;
      chosen.Append(frames.image(i));
    }
  }
  std::vector<int> predicted;
  if (!chosen.empty()) {
    EKYA_ASSIGN_OR_RETURN(predicted, model.Predict(chosen, threads, batch));
  }
  int last = last_prediction != nullptr ? *last_prediction : -1;
  out.predictions.resize(n);
  size_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    if (out.analysed[i]) last = predicted[next++];
    out.predictions[i] = last;
  }
  out.frames_total = static_cast<int>(n);
  out.frames_analysed = static_cast<int>(predicted.size());
  sampler = decided;
  if (last_prediction != nullptr) *last_prediction = last;
  return out;
}

int CountCorrect(std::span<const int> predictions, std::span<const int> truth) {
  const size_t n = std::min(predictions.size(), truth.size());
  int correct = 0;
  for (size_t i = 0; i < n; ++i) correct += predictions[i] >= 0 && predictions[i] == truth[i];
  return correct;
}

}  // namespace ekya
