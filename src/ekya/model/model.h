// Model: a stream's classifier (SPEC §4), as a torch-free handle.
//
// A Model is a residual network (the backbone) followed by Ekya's head:
// features -> Linear(features, hidden) -> ReLU -> Linear(hidden, num_classes).
// Architectures (ModelSpec::arch):
//   "resnet8", "resnet14", "resnet20"  narrow CIFAR-style ResNets with a
//       stride-2 3x3 stem (28 px -> 14 px at stage 1), 3 stages of
//       n = (depth-2)/6 basic blocks, widths w, 2w, 4w (w = ModelSpec::width).
//   "resnet18", "resnet34"  the torchvision layout: 7x7 stride-2 stem and a
//       3x3 stride-2 max-pool, 4 stages of widths 64, 128, 256, 512 (`width` is
//       ignored), for 224-px inputs; usable at 32 px as well.
//
// Input conversion: uint8 grey images become floats in [0,1]; a 1-channel
// model normalises with the Fashion-MNIST mean 0.2860 / std 0.3530, a 3-channel
// model repeats the grey channel and uses the ImageNet mean and std. Images
// whose size differs from input_size are resized (bilinear) to
// input_size x input_size.
//
// Handle semantics: copying a Model copies the handle (both copies share the
// same weights); Clone() makes an independent deep copy. A default-constructed
// Model is empty (valid() == false); its methods return FailedPrecondition.
//
// Thread-safety: Predict/Accuracy/Flops/NumParameters/Save/Clone are const and
// may run concurrently from several threads, on the same Model or on different
// ones, as long as nobody trains or mutates (SetTrainScope, CopyBackboneFrom,
// Load into) that Model at the same time. One Model must never be trained and
// used concurrently; the trainer (train/) always trains its own clone.
//
// Threads: every call that runs libtorch takes an explicit `threads` budget
// and sets the calling thread's intra-op thread count to it before running
// (OpenMP's thread count is per calling thread), so that two jobs on two
// threads never each start a full OpenMP pool on the same cores. Inter-op
// threads are set to 1 once per process, on the first call. Create, Load,
// Clone and Save (no threads argument) run libtorch on one thread and then
// restore the calling thread's intra-op count.
//
// Errors: libtorch exceptions are caught here and returned as Status
// (Internal with context, Corrupt for an unreadable checkpoint, NotFound for a
// missing file, InvalidArgument for bad specs or inputs).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/image.h"
#include "ekya/profile/retrain_config.h"

namespace ekya {

struct ModelSpec {
  std::string arch = "resnet8";  // resnet8 | resnet14 | resnet20 | resnet18 | resnet34
  int width = 16;                // base width of the narrow ResNets (ignored by resnet18/34)
  int hidden = 64;               // units of the head's hidden layer
  int num_classes = 10;
  int input_size = 28;  // square input side in pixels
  int in_channels = 1;  // 1 (grey) or 3 (grey repeated, ImageNet normalisation)

  // "resnet8-w16-h64-c10-s28-i1": readable, for logs and file names.
  std::string ToString() const;
};

bool operator==(const ModelSpec& a, const ModelSpec& b);

// The architectures Create accepts, in a stable order.
std::vector<std::string> KnownArchitectures();

// Returns InvalidArgument naming the field, the value and what is allowed.
Status ValidateModelSpec(const ModelSpec& spec);

// FLOPs per sample, computed analytically from the layer shapes: a conv layer
// costs 2*k*k*Cin*Cout*Hout*Wout, a linear layer 2*in*out; batch norm, ReLU,
// pooling and additions are not counted. The backward pass of a trained layer
// is counted as twice its forward; with head-only training the backward covers
// only the head.
struct FlopCount {
  double forward = 0;             // one forward pass
  double backward_trainable = 0;  // backward over the trained layers
  double train_step = 0;          // forward + backward_trainable
};

// Analytic FLOPs of a spec (no network is built). Requires a valid spec
// (returns zeros otherwise).
FlopCount ComputeFlops(const ModelSpec& spec, TrainScope scope);

// Predicted classes and the confidence of each (softmax of its class).
struct ScoredPredictions {
  std::vector<int> classes;
  std::vector<double> confidence;
};

// Which parameters FlatParameters returns.
enum class ModelPart { kBackbone, kHead, kAll };

class Model {
 public:
  struct Impl;  // defined in model/network_torch.h (torch side only)

  Model() = default;

  // Builds a freshly initialised network; the same spec and seed give the
  // same weights. Returns InvalidArgument for a bad spec.
  static Result<Model> Create(const ModelSpec& spec, uint64_t seed);
  // Loads a checkpoint written by Save (weights + spec). NotFound for a
  // missing file, Corrupt for an unreadable or inconsistent one.
  static Result<Model> Load(const std::string& path);
  // Writes weights + spec to path (via a temporary file and a rename).
  Status Save(const std::string& path) const;

  bool valid() const { return impl_ != nullptr; }
  // True when both handles share one set of weights (copies of one Model,
  // not Clone()s): evaluating one evaluates the other.
  bool SharesWeightsWith(const Model& other) const { return impl_ != nullptr && impl_ == other.impl_; }
  // Independent deep copy (weights, buffers, train scope). Empty stays empty.
  Model Clone() const;
  // Requires valid().
  const ModelSpec& spec() const;

  // Copies the backbone's weights and buffers from other, which must have the
  // same arch, width and in_channels (the head may differ).
  Status CopyBackboneFrom(const Model& other);

  // Head only: backbone parameters get requires_grad = false, and the
  // backbone's batch norm stays in eval mode while training. All layers:
  // everything is trainable. A new model is kAllLayers.
  void SetTrainScope(TrainScope scope);
  TrainScope train_scope() const;

  int64_t NumParameters(bool trainable_only) const;
  // ComputeFlops(spec(), scope).
  FlopCount Flops(TrainScope scope) const;

  // Argmax classes of every image, in eval mode under InferenceMode, in
  // batches of `batch`. An empty batch gives an empty vector.
  Result<std::vector<int>> Predict(const ImageBatch& images, int threads, int batch = 256) const;
  // As Predict, with each prediction's confidence: the softmax probability
  // of the predicted class (label-free accuracy estimates use it).
  Result<ScoredPredictions> PredictWithConfidence(const ImageBatch& images, int threads, int batch = 256) const;
  // Fraction of images whose prediction equals the label. InvalidArgument for
  // an empty set or mismatched sizes.
  Result<double> Accuracy(const LabelledImages& data, int threads, int batch = 256) const;

  // A flat copy of the parameter values of a part, in registration order
  // (for tests and diagnostics). Empty for an empty Model.
  std::vector<float> FlatParameters(ModelPart part) const;

  // For the torch side (train/, infer/, bench): the implementation. Requires
  // valid(). Public headers only see the incomplete type.
  Impl& impl() const { return *impl_; }
  explicit Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ekya
