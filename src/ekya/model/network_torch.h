// Private to the torch side (include only from *_torch.cc files): the libtorch
// networks behind Model, Model::Impl, and the helpers that train/ and infer/
// share (thread budget, image conversion, weight copies, exception capture).
//
// Thread-safety: as for Model (model.h). SetTorchThreads affects the calling
// thread only (OpenMP's thread count is a per-thread setting in libgomp).
#pragma once

#include <torch/torch.h>

#include <exception>
#include <string>

#include "ekya/model/arch.h"
#include "ekya/model/model.h"

namespace ekya {

// conv3x3 - BN - ReLU - conv3x3 - BN, plus the shortcut (1x1 conv + BN when
// the stride or the channel count changes), then ReLU.
class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int in_channels, int out_channels, int stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Conv2d shortcut_conv_{nullptr};
  torch::nn::BatchNorm2d shortcut_bn_{nullptr};
};
TORCH_MODULE(BasicBlock);

// Stem + stages + global average pool: [N, C, H, W] -> [N, features].
class BackboneImpl : public torch::nn::Module {
 public:
  BackboneImpl(const ModelSpec& spec, const ArchLayout& layout);
  torch::Tensor forward(torch::Tensor x);

 private:
  bool max_pool_ = false;
  torch::nn::Conv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  torch::nn::Sequential stages_{nullptr};
};
TORCH_MODULE(Backbone);

// Ekya's head: Linear(features, hidden) -> ReLU -> Linear(hidden, classes).
class HeadImpl : public torch::nn::Module {
 public:
  HeadImpl(int features, int hidden, int num_classes);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(Head);

class NetworkImpl : public torch::nn::Module {
 public:
  NetworkImpl(const ModelSpec& spec, const ArchLayout& layout);
  torch::Tensor forward(torch::Tensor x);  // logits [N, num_classes]

  Backbone backbone{nullptr};
  Head head{nullptr};
};
TORCH_MODULE(Network);

struct Model::Impl {
  ModelSpec spec;
  Network net{nullptr};
  TrainScope scope = TrainScope::kAllLayers;

  // training=true: train mode, except the backbone stays in eval mode for
  // head-only training (its batch-norm statistics are frozen). false: eval.
  void SetTrainingMode(bool training);
  // Applies scope to requires_grad.
  void ApplyScope();
  // The parameters the optimiser updates (requires_grad == true).
  std::vector<torch::Tensor> TrainableParameters() const;
};

// Sets the calling thread's intra-op thread count to `threads` (only when it
// differs, since resizing libtorch's pools is not free) and, once per process,
// the inter-op thread count to 1. Every entry point that runs libtorch calls
// this first with its explicit budget.
void SetTorchThreads(int threads);

// Sets the calling thread's intra-op thread count for a scope and restores
// the previous count on exit (for internal work without a threads argument).
class ScopedTorchThreads {
 public:
  explicit ScopedTorchThreads(int threads);
  ~ScopedTorchThreads();
  ScopedTorchThreads(const ScopedTorchThreads&) = delete;
  ScopedTorchThreads& operator=(const ScopedTorchThreads&) = delete;

 private:
  int previous_;
};

// Images [begin, end) of a batch as a normalised float tensor
// [end-begin, in_channels, input_size, input_size] (see model.h).
torch::Tensor ImagesToTensor(const ImageBatch& images, size_t begin, size_t end, const ModelSpec& spec);

// Copies parameters and buffers of src into dst by name (shapes must match;
// returns InvalidArgument naming the first mismatch).
Status CopyModuleState(const torch::nn::Module& src, torch::nn::Module& dst);

// Turns the exception in flight into a Status with context. Use in a catch.
Status StatusFromException(const std::string& context, std::exception_ptr e);

}  // namespace ekya
