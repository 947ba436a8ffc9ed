// The torch side of bench.h.
#include "ekya/common/rng.h"
#include "ekya/model/network_torch.h"
#include "ekya/time/clock.h"
#include "ekya/train/bench.h"

namespace ekya {

namespace {

ImageBatch RandomImages(int count, int side, Rng& rng) {
  ImageBatch b;
  b.rows = side;
  b.cols = side;
  b.pixels.resize(static_cast<size_t>(count) * side * side);
  for (auto& p : b.pixels) p = static_cast<uint8_t>(rng.Below(256));
  return b;
}

// Samples/s of SGD training steps with the given scope.
double MeasureTraining(const Model& base, TrainScope scope, const ImageBatch& images,
                       const std::vector<int64_t>& labels, int threads, double seconds) {
  Model model = base.Clone();
  SetTorchThreads(threads);
  model.SetTrainScope(scope);
  Model::Impl& m = model.impl();
  torch::optim::SGD sgd(m.TrainableParameters(),
                        torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
  const int64_t n = static_cast<int64_t>(labels.size());
  auto step = [&] {
    m.SetTrainingMode(true);
    torch::Tensor x = ImagesToTensor(images, 0, static_cast<size_t>(n), m.spec);
    torch::Tensor y = torch::from_blob(const_cast<int64_t*>(labels.data()), {n}, torch::kInt64);
    sgd.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(m.net->forward(x), y);
    loss.backward();
    sgd.step();
    m.SetTrainingMode(false);
  };
  step();  // warm-up
  step();
  Stopwatch watch;
  int64_t steps = 0;
  while (steps < 3 || watch.ElapsedSeconds() < seconds) {
    step();
    ++steps;
  }
  return static_cast<double>(steps * n) / watch.ElapsedSeconds();
}

}  // namespace

Result<BenchResult> BenchmarkThroughput(const ModelSpec& spec, int batch, int threads, double seconds_each,
                                        uint64_t seed) {
  if (batch < 1) return Status::InvalidArgument("bench: batch = " + std::to_string(batch) + " (need >= 1)");
  if (threads < 1)
    return Status::InvalidArgument("bench: threads = " + std::to_string(threads) + " (need >= 1)");
  if (!(seconds_each > 0)) return Status::InvalidArgument("bench: seconds_each must be > 0");
  EKYA_ASSIGN_OR_RETURN(Model model, Model::Create(spec, seed));
  BenchResult out;
  out.spec = spec;
  out.batch = batch;
  out.threads = threads;
  out.flops_all_layers = ComputeFlops(spec, TrainScope::kAllLayers);
  out.flops_head_only = ComputeFlops(spec, TrainScope::kHeadOnly);
  Rng rng(DeriveSeed(seed, {0xbe4c}));
  const ImageBatch train_images = RandomImages(batch, spec.input_size, rng);
  std::vector<int64_t> labels(static_cast<size_t>(batch));
  for (auto& l : labels) l = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(spec.num_classes)));
  try {
    out.train_samples_per_s =
        MeasureTraining(model, TrainScope::kAllLayers, train_images, labels, threads, seconds_each);
    out.train_head_only_samples_per_s =
        MeasureTraining(model, TrainScope::kHeadOnly, train_images, labels, threads, seconds_each);
  } catch (...) {
    return StatusFromException("bench " + spec.ToString(), std::current_exception());
  }
  constexpr int kInferBatch = 256;
  const ImageBatch infer_images = RandomImages(kInferBatch, spec.input_size, rng);
  EKYA_RETURN_IF_ERROR(model.Predict(infer_images, threads, kInferBatch).status());  // warm-up
  Stopwatch watch;
  int64_t passes = 0;
  while (passes < 3 || watch.ElapsedSeconds() < seconds_each) {
    EKYA_RETURN_IF_ERROR(model.Predict(infer_images, threads, kInferBatch).status());
    ++passes;
  }
  out.infer_samples_per_s = static_cast<double>(passes * kInferBatch) / watch.ElapsedSeconds();
  return out;
}

}  // namespace ekya
