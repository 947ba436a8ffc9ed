// The torch side of model.h: the networks, Model's methods, and the shared
// helpers declared in network_torch.h. The only libtorch translation unit of
// the model module.
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "ekya/model/network_torch.h"

namespace ekya {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------------------
// Networks

BasicBlockImpl::BasicBlockImpl(int in_channels, int out_channels, int stride) {
  using torch::nn::Conv2dOptions;
  conv1_ = register_module(
      "conv1",
      torch::nn::Conv2d(Conv2dOptions(in_channels, out_channels, 3).stride(stride).padding(1).bias(false)));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(out_channels));
  conv2_ = register_module(
      "conv2",
      torch::nn::Conv2d(Conv2dOptions(out_channels, out_channels, 3).stride(1).padding(1).bias(false)));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(out_channels));
  if (stride != 1 || in_channels != out_channels) {
    shortcut_conv_ = register_module(
        "shortcut_conv",
        torch::nn::Conv2d(Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false)));
    shortcut_bn_ = register_module("shortcut_bn", torch::nn::BatchNorm2d(out_channels));
  }
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor out = torch::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  torch::Tensor shortcut = shortcut_conv_ ? shortcut_bn_->forward(shortcut_conv_->forward(x)) : x;
  return torch::relu(out + shortcut);
}

BackboneImpl::BackboneImpl(const ModelSpec& spec, const ArchLayout& layout) {
  using torch::nn::Conv2dOptions;
  int channels;
  if (layout.torchvision_stem) {
    stem_conv_ = register_module(
        "stem_conv",
        torch::nn::Conv2d(Conv2dOptions(spec.in_channels, 64, 7).stride(2).padding(3).bias(false)));
    channels = 64;
    max_pool_ = true;
  } else {
    channels = layout.widths[0];
    stem_conv_ = register_module(
        "stem_conv",
        torch::nn::Conv2d(Conv2dOptions(spec.in_channels, channels, 3).stride(2).padding(1).bias(false)));
  }
  stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(channels));
  torch::nn::Sequential stages;
  for (size_t stage = 0; stage < layout.blocks.size(); ++stage) {
    for (int b = 0; b < layout.blocks[stage]; ++b) {
      const int stride = (stage > 0 && b == 0) ? 2 : 1;
      stages->push_back(BasicBlock(channels, layout.widths[stage], stride));
      channels = layout.widths[stage];
    }
  }
  stages_ = register_module("stages", stages);
}

torch::Tensor BackboneImpl::forward(torch::Tensor x) {
  x = torch::relu(stem_bn_->forward(stem_conv_->forward(x)));
  if (max_pool_) x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1));
  x = stages_->forward(x);
  return x.mean({2, 3});  // global average pool -> [N, C]
}

HeadImpl::HeadImpl(int features, int hidden, int num_classes) {
  fc1_ = register_module("fc1", torch::nn::Linear(features, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, num_classes));
}

torch::Tensor HeadImpl::forward(torch::Tensor x) { return fc2_->forward(torch::relu(fc1_->forward(x))); }

NetworkImpl::NetworkImpl(const ModelSpec& spec, const ArchLayout& layout) {
  backbone = register_module("backbone", Backbone(spec, layout));
  head = register_module("head", Head(layout.features(), spec.hidden, spec.num_classes));
}

torch::Tensor NetworkImpl::forward(torch::Tensor x) { return head->forward(backbone->forward(x)); }

// ---------------------------------------------------------------------------
// Model::Impl and helpers

void Model::Impl::SetTrainingMode(bool training) {
  net->train(training);
  if (training && scope == TrainScope::kHeadOnly) net->backbone->eval();
}

void Model::Impl::ApplyScope() {
  const bool backbone_trainable = scope == TrainScope::kAllLayers;
  for (auto& p : net->backbone->parameters()) p.requires_grad_(backbone_trainable);
  for (auto& p : net->head->parameters()) p.requires_grad_(true);
}

std::vector<torch::Tensor> Model::Impl::TrainableParameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : net->parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

void SetTorchThreads(int threads) {
  static std::once_flag interop_once;
  std::call_once(interop_once, [] {
    try {
      at::set_num_interop_threads(1);
    } catch (...) {
      // Already set (or inter-op work already started): keep what is there.
    }
  });
  if (threads < 1) threads = 1;
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

ScopedTorchThreads::ScopedTorchThreads(int threads) : previous_(at::get_num_threads()) {
  SetTorchThreads(threads);
}

ScopedTorchThreads::~ScopedTorchThreads() {
  if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
}

torch::Tensor ImagesToTensor(const ImageBatch& images, size_t begin, size_t end, const ModelSpec& spec) {
  const int64_t n = static_cast<int64_t>(end - begin);
  torch::Tensor x = torch::from_blob(const_cast<uint8_t*>(images.image(begin)),
                                     {n, 1, images.rows, images.cols}, torch::kUInt8)
                        .to(torch::kFloat32)
                        .div_(255.0);
  if (images.rows != spec.input_size || images.cols != spec.input_size) {
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{spec.input_size, spec.input_size})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  if (spec.in_channels == 1) return x.sub_(0.2860).div_(0.3530);
  const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
  const auto std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
  return (x.expand({n, 3, spec.input_size, spec.input_size}) - mean) / std;
}

Status CopyModuleState(const torch::nn::Module& src, torch::nn::Module& dst) {
  torch::NoGradGuard no_grad;
  auto copy_dict = [](const torch::OrderedDict<std::string, torch::Tensor>& from,
                      torch::OrderedDict<std::string, torch::Tensor>& to) -> Status {
    for (auto& item : to) {
      const torch::Tensor* s = from.find(item.key());
      if (s == nullptr)
        return Status::InvalidArgument("weight '" + item.key() + "' missing in the source model");
      if (!s->sizes().equals(item.value().sizes()))
        return Status::InvalidArgument("weight '" + item.key() + "' has another shape in the source model");
      item.value().copy_(*s);
    }
    return Status::Ok();
  };
  auto dst_params = dst.named_parameters();
  EKYA_RETURN_IF_ERROR(copy_dict(src.named_parameters(), dst_params));
  auto dst_buffers = dst.named_buffers();
  EKYA_RETURN_IF_ERROR(copy_dict(src.named_buffers(), dst_buffers));
  return Status::Ok();
}

Status StatusFromException(const std::string& context, std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const c10::Error& err) {
    return Status::Internal(context + ": " + err.what_without_backtrace());
  } catch (const std::exception& err) {
    return Status::Internal(context + ": " + err.what());
  } catch (...) {
    return Status::Internal(context + ": unknown exception");
  }
}

namespace {

// Network construction draws from libtorch's global generator; one lock makes
// Create(spec, seed) deterministic even when other threads build networks.
std::mutex& InitMutex() {
  static std::mutex m;
  return m;
}

// Builds a network for a valid spec, in eval mode. With a seed, the weights
// are the seeded initialisation; without, they are to be overwritten.
std::shared_ptr<Model::Impl> BuildImpl(const ModelSpec& spec, const uint64_t* seed) {
  const ArchLayout layout = *LayoutOf(spec);
  ScopedTorchThreads one_thread(1);  // construction and weight copies are small
  auto impl = std::make_shared<Model::Impl>();
  impl->spec = spec;
  std::lock_guard<std::mutex> lock(InitMutex());
  if (seed != nullptr) torch::manual_seed(*seed);
  impl->net = Network(spec, layout);
  if (seed != nullptr) {
    torch::NoGradGuard no_grad;
    for (auto& m : impl->net->modules(/*include_self=*/false)) {
      if (auto* conv = m->as<torch::nn::Conv2d>()) {
        torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      }
    }
  }
  impl->scope = TrainScope::kAllLayers;
  impl->ApplyScope();
  impl->net->eval();
  return impl;
}

constexpr const char* kFormat = "ekya-model-v1";

Status NotValid(const char* what) {
  return Status::FailedPrecondition(std::string(what) + " on an empty Model");
}

}  // namespace

// ---------------------------------------------------------------------------
// Model

Result<Model> Model::Create(const ModelSpec& spec, uint64_t seed) {
  EKYA_RETURN_IF_ERROR(ValidateModelSpec(spec));
  try {
    return Model(BuildImpl(spec, &seed));
  } catch (...) {
    return StatusFromException("building model " + spec.ToString(), std::current_exception());
  }
}

Status Model::Save(const std::string& path) const {
  if (!valid()) return NotValid("Save");
  const std::string tmp = path + ".tmp";
  try {
    ScopedTorchThreads one_thread(1);
    torch::serialize::OutputArchive archive;
    const ModelSpec& s = impl_->spec;
    archive.write("ekya_format", c10::IValue(std::string(kFormat)));
    archive.write("spec_arch", c10::IValue(s.arch));
    archive.write("spec_width", c10::IValue(static_cast<int64_t>(s.width)));
    archive.write("spec_hidden", c10::IValue(static_cast<int64_t>(s.hidden)));
    archive.write("spec_num_classes", c10::IValue(static_cast<int64_t>(s.num_classes)));
    archive.write("spec_input_size", c10::IValue(static_cast<int64_t>(s.input_size)));
    archive.write("spec_in_channels", c10::IValue(static_cast<int64_t>(s.in_channels)));
    torch::serialize::OutputArchive net_archive;
    impl_->net->save(net_archive);
    archive.write("net", net_archive);
    archive.save_to(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    return StatusFromException("saving model to " + path, std::current_exception());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return Status::IoError("saving model to " + path + ": rename failed: " + ec.message());
  }
  return Status::Ok();
}

Result<Model> Model::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::NotFound("model checkpoint " + path + " does not exist");
  torch::serialize::InputArchive archive;
  ModelSpec spec;
  try {
    archive.load_from(path);
    c10::IValue v;
    if (!archive.try_read("ekya_format", v) || !v.isString() || v.toStringRef() != kFormat)
      return Status::Corrupt("model checkpoint " + path + ": not an " + kFormat + " file");
    auto read_int = [&](const char* key, int* out) {
      c10::IValue iv;
      if (!archive.try_read(key, iv) || !iv.isInt()) return false;
      *out = static_cast<int>(iv.toInt());
      return true;
    };
    c10::IValue arch;
    if (!archive.try_read("spec_arch", arch) || !arch.isString() || !read_int("spec_width", &spec.width) ||
        !read_int("spec_hidden", &spec.hidden) || !read_int("spec_num_classes", &spec.num_classes) ||
        !read_int("spec_input_size", &spec.input_size) || !read_int("spec_in_channels", &spec.in_channels)) {
      return Status::Corrupt("model checkpoint " + path + ": the model spec is missing or malformed");
    }
    spec.arch = arch.toStringRef();
  } catch (const c10::Error& e) {
    return Status::Corrupt("model checkpoint " + path + " is unreadable: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return Status::Corrupt("model checkpoint " + path + " is unreadable: " + e.what());
  }
  if (Status st = ValidateModelSpec(spec); !st.ok())
    return Status::Corrupt("model checkpoint " + path + ": " + st.message());
  try {
    auto impl = BuildImpl(spec, nullptr);
    std::vector<std::vector<int64_t>> shapes;
    for (const auto& p : impl->net->parameters()) shapes.push_back(p.sizes().vec());
    for (const auto& b : impl->net->buffers()) shapes.push_back(b.sizes().vec());
    torch::serialize::InputArchive net_archive;
    archive.read("net", net_archive);
    impl->net->load(net_archive);
    size_t i = 0;
    for (const auto& p : impl->net->parameters())
      if (p.sizes().vec() != shapes[i++])
        return Status::Corrupt("model checkpoint " + path + ": weight shapes do not match the spec");
    for (const auto& b : impl->net->buffers())
      if (b.sizes().vec() != shapes[i++])
        return Status::Corrupt("model checkpoint " + path + ": buffer shapes do not match the spec");
    impl->ApplyScope();
    impl->net->eval();
    return Model(std::move(impl));
  } catch (const c10::Error& e) {
    return Status::Corrupt("model checkpoint " + path +
                           ": weights unreadable: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return Status::Corrupt("model checkpoint " + path + ": weights unreadable: " + e.what());
  }
}

Model Model::Clone() const {
  if (!valid()) return Model();
  try {
    auto impl = BuildImpl(impl_->spec, nullptr);
    if (!CopyModuleState(*impl_->net, *impl->net).ok()) return Model();
    impl->scope = impl_->scope;
    impl->ApplyScope();
    impl->net->eval();
    return Model(std::move(impl));
  } catch (...) {
    return Model();  // out of memory: documented as an empty Model
  }
}

const ModelSpec& Model::spec() const { return impl_->spec; }

Status Model::CopyBackboneFrom(const Model& other) {
  if (!valid() || !other.valid()) return NotValid("CopyBackboneFrom");
  const ModelSpec& a = impl_->spec;
  const ModelSpec& b = other.impl_->spec;
  if (a.arch != b.arch || a.width != b.width || a.in_channels != b.in_channels)
    return Status::InvalidArgument("CopyBackboneFrom: backbones differ (" + b.ToString() + " into " +
                                   a.ToString() + ")");
  try {
    return CopyModuleState(*other.impl_->net->backbone, *impl_->net->backbone)
        .WithContext("CopyBackboneFrom");
  } catch (...) {
    return StatusFromException("CopyBackboneFrom", std::current_exception());
  }
}

void Model::SetTrainScope(TrainScope scope) {
  if (!valid()) return;
  impl_->scope = scope;
  impl_->ApplyScope();
}

TrainScope Model::train_scope() const { return valid() ? impl_->scope : TrainScope::kAllLayers; }

int64_t Model::NumParameters(bool trainable_only) const {
  if (!valid()) return 0;
  int64_t n = 0;
  for (const auto& p : impl_->net->parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

FlopCount Model::Flops(TrainScope scope) const {
  return valid() ? ComputeFlops(impl_->spec, scope) : FlopCount{};
}

namespace {

// Argmax (and, when wanted, its softmax probability) of every image.
Status PredictInto(Model::Impl& impl, const ImageBatch& images, int threads, int batch,
                   std::vector<int>& classes, std::vector<double>* confidence) {
  if (threads < 1)
    return Status::InvalidArgument("Predict: threads = " + std::to_string(threads) + " (need >= 1)");
  if (batch < 1) return Status::InvalidArgument("Predict: batch = " + std::to_string(batch) + " (need >= 1)");
  if (images.pixels.empty()) return Status::Ok();
  if (images.rows <= 0 || images.cols <= 0 || images.pixels.size() % images.pixels_per_image() != 0)
    return Status::InvalidArgument("Predict: malformed image batch (" + std::to_string(images.rows) + "x" +
                                   std::to_string(images.cols) + ", " + std::to_string(images.pixels.size()) +
                                   " bytes)");
  try {
    SetTorchThreads(threads);
    torch::InferenceMode guard;
    if (impl.net->is_training()) impl.net->eval();
    const size_t n = images.size();
    classes.reserve(n);
    if (confidence != nullptr) confidence->reserve(n);
    for (size_t begin = 0; begin < n; begin += static_cast<size_t>(batch)) {
      const size_t end = std::min(n, begin + static_cast<size_t>(batch));
      torch::Tensor logits = impl.net->forward(ImagesToTensor(images, begin, end, impl.spec));
      torch::Tensor top = logits.argmax(1).to(torch::kInt64).contiguous();
      const int64_t* p = top.data_ptr<int64_t>();
      for (size_t i = 0; i < end - begin; ++i) classes.push_back(static_cast<int>(p[i]));
      if (confidence != nullptr) {
        torch::Tensor best = std::get<0>(torch::softmax(logits, 1).max(1)).to(torch::kDouble).contiguous();
        const double* q = best.data_ptr<double>();
        for (size_t i = 0; i < end - begin; ++i) confidence->push_back(q[i]);
      }
    }
  } catch (...) {
    return StatusFromException("Predict with " + impl.spec.ToString(), std::current_exception());
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<int>> Model::Predict(const ImageBatch& images, int threads, int batch) const {
  if (!valid()) return NotValid("Predict");
  std::vector<int> out;
  EKYA_RETURN_IF_ERROR(PredictInto(*impl_, images, threads, batch, out, nullptr));
  return out;
}

Result<ScoredPredictions> Model::PredictWithConfidence(const ImageBatch& images, int threads, int batch) const {
  if (!valid()) return NotValid("PredictWithConfidence");
  ScoredPredictions out;
  EKYA_RETURN_IF_ERROR(PredictInto(*impl_, images, threads, batch, out.classes, &out.confidence));
  return out;
}

Result<double> Model::Accuracy(const LabelledImages& data, int threads, int batch) const {
  if (data.size() == 0) return Status::InvalidArgument("Accuracy: empty data set");
  if (data.images.size() != data.size())
    return Status::InvalidArgument("Accuracy: " + std::to_string(data.images.size()) + " images but " +
                                   std::to_string(data.size()) + " labels");
  EKYA_ASSIGN_OR_RETURN(std::vector<int> predicted, Predict(data.images, threads, batch));
  size_t correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == data.labels[i];
  return static_cast<double>(correct) / static_cast<double>(predicted.size());
}

std::vector<float> Model::FlatParameters(ModelPart part) const {
  std::vector<float> out;
  if (!valid()) return out;
  std::vector<torch::Tensor> params;
  if (part == ModelPart::kBackbone)
    params = impl_->net->backbone->parameters();
  else if (part == ModelPart::kHead)
    params = impl_->net->head->parameters();
  else
    params = impl_->net->parameters();
  for (const auto& p : params) {
    torch::Tensor flat = p.detach().to(torch::kFloat32).contiguous().view(-1);
    const float* d = flat.data_ptr<float>();
    out.insert(out.end(), d, d + flat.numel());
  }
  return out;
}

}  // namespace ekya
