// The torch side of trainer.h.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "ekya/model/network_torch.h"
#include "ekya/train/trainer.h"

namespace ekya {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Status CheckLabelled(const LabelledImages& data, const char* name, int num_classes, bool allow_empty) {
  const std::string what = std::string("training ") + name + " set";
  if (data.size() == 0) {
    if (allow_empty) return Status::Ok();
    return Status::InvalidArgument(what + " is empty");
  }
  if (data.images.rows <= 0 || data.images.cols <= 0)
    return Status::InvalidArgument(what + ": images have no size");
  if (data.images.pixels.size() != data.size() * data.images.pixels_per_image())
    return Status::InvalidArgument(what + ": " + std::to_string(data.size()) + " labels but " +
                                   std::to_string(data.images.pixels.size()) + " pixel bytes of " +
                                   std::to_string(data.images.rows) + "x" + std::to_string(data.images.cols) +
                                   " images");
  for (size_t i = 0; i < data.size(); ++i) {
    if (data.labels[i] < 0 || data.labels[i] >= num_classes)
      return Status::InvalidArgument(what + ": label " + std::to_string(data.labels[i]) + " of sample " +
                                     std::to_string(i) + " is outside [0, " + std::to_string(num_classes) +
                                     ")");
  }
  return Status::Ok();
}

}  // namespace

struct TrainingRun::Impl {
  Model model;           // the run's own deep copy
  LabelledImages train;  // the subsample
  LabelledImages validation;
  RetrainConfig config;
  TrainOptions options;
  std::unique_ptr<torch::optim::SGD> optimizer;
  Rng rng{0};

  std::vector<size_t> order;
  int64_t steps_per_epoch = 0;
  int64_t step_in_epoch = 0;
  int64_t steps_done = 0;
  int epochs_done = 0;
  int64_t samples = 0;
  int64_t validation_samples = 0;
  std::vector<double> validation_accuracy;
  double best_accuracy = kNaN;
  int best_epoch = 0;
  ValidationScores last_scores, best_scores;
  Model best;
  double loss_sum = 0;
  int64_t loss_count = 0;
  double last_epoch_loss = kNaN;
  bool failed = false;
  // cache_frozen_features: backbone features of the subsample and the
  // validation set, filled by the first Step() or EvaluateNow().
  bool cached = false;
  torch::Tensor train_features;
  torch::Tensor validation_features;
  torch::Tensor validation_labels;
  int64_t backbone_forwards = 0;

  bool done() const { return epochs_done >= config.epochs; }
  int64_t total_steps() const { return steps_per_epoch * config.epochs; }

  // Sample range [begin, end) of order for step s of an epoch.
  std::pair<size_t, size_t> BatchRange(int64_t s) const {
    const size_t b = static_cast<size_t>(config.batch_size);
    const size_t begin = static_cast<size_t>(s) * b;
    const size_t end = (s == steps_per_epoch - 1) ? order.size() : begin + b;
    return {begin, end};
  }

  // Backbone features of `images` in eval mode, without gradients.
  torch::Tensor Features(const ImageBatch& images) {
    Model::Impl& m = model.impl();
    torch::NoGradGuard no_grad;
    m.net->backbone->eval();
    std::vector<torch::Tensor> parts;
    const size_t n = images.size();
    for (size_t begin = 0; begin < n; begin += 256) {
      const size_t end = std::min(n, begin + 256);
      parts.push_back(m.net->backbone->forward(ImagesToTensor(images, begin, end, m.spec)));
    }
    backbone_forwards += static_cast<int64_t>(n);
    return parts.empty() ? torch::Tensor() : torch::cat(parts, 0).contiguous();
  }

  // Fills the feature cache once (cache_frozen_features only).
  Status FillCache() {
    if (!options.cache_frozen_features || cached) return Status::Ok();
    try {
      SetTorchThreads(options.threads);
      train_features = Features(train.images);
      if (validation.size() > 0) {
        validation_features = Features(validation.images);
        std::vector<int64_t> labels(validation.labels.begin(), validation.labels.end());
        validation_labels = torch::tensor(labels, torch::kInt64);
      }
    } catch (...) {
      return StatusFromException("training " + config.Id() + ": caching backbone features",
                                 std::current_exception());
    }
    cached = true;
    return Status::Ok();
  }

  // Accuracy of the current weights on the validation set, counted in
  // validation_samples.
  // Its sample-by-sample scores go to last_scores.
  Result<double> ValidationAccuracy() {
    if (validation.size() == 0) return kNaN;
    validation_samples += static_cast<int64_t>(validation.size());
    ValidationScores scores;
    if (!options.cache_frozen_features) {
      EKYA_ASSIGN_OR_RETURN(ScoredPredictions p, model.PredictWithConfidence(validation.images, options.threads));
      scores = ValidationScores::Of(std::move(p), validation.labels);
    } else {
      EKYA_RETURN_IF_ERROR(FillCache());
      try {
        SetTorchThreads(options.threads);
        torch::NoGradGuard no_grad;
        Model::Impl& m = model.impl();
        m.net->head->eval();
        torch::Tensor logits = m.net->head->forward(validation_features);
        auto [best, predicted] = torch::softmax(logits, 1).max(1);
        torch::Tensor right = predicted.to(torch::kInt64).eq(validation_labels).contiguous();
        torch::Tensor confidence = best.to(torch::kDouble).contiguous();
        const bool* r = right.data_ptr<bool>();
        const double* c = confidence.data_ptr<double>();
        scores.confidence.assign(c, c + validation.size());
        scores.correct.assign(r, r + validation.size());
      } catch (...) {
        return StatusFromException("training " + config.Id() + ": validation on cached features",
                                   std::current_exception());
      }
    }
    last_scores = std::move(scores);
    return last_scores.accuracy();
  }

  Status EndEpoch() {
    ++epochs_done;
    step_in_epoch = 0;
    last_epoch_loss = loss_count > 0 ? loss_sum / static_cast<double>(loss_count) : kNaN;
    loss_sum = 0;
    loss_count = 0;
    if (validation.size() == 0) return Status::Ok();
    EKYA_ASSIGN_OR_RETURN(double acc, ValidationAccuracy());
    validation_accuracy.push_back(acc);
    if (std::isnan(best_accuracy) || acc > best_accuracy) {
      best_accuracy = acc;
      best_epoch = epochs_done;
      best_scores = last_scores;
      if (best.valid()) {
        EKYA_RETURN_IF_ERROR(CopyModuleState(*model.impl().net, *best.impl().net));
      } else {
        best = model.Clone();
        if (!best.valid()) return Status::ResourceExhausted("could not copy the best weights");
      }
    }
    return Status::Ok();
  }
};

ValidationScores ValidationScores::Of(ScoredPredictions predictions, const std::vector<int>& labels) {
  ValidationScores scores;
  scores.confidence = std::move(predictions.confidence);
  scores.correct.resize(predictions.classes.size());
  for (size_t i = 0; i < predictions.classes.size(); ++i) scores.correct[i] = predictions.classes[i] == labels[i];
  return scores;
}

double ValidationScores::accuracy() const {
  if (correct.empty()) return 0;
  return static_cast<double>(std::count(correct.begin(), correct.end(), true)) / static_cast<double>(correct.size());
}

TrainingRun::TrainingRun(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrainingRun::~TrainingRun() = default;

int64_t BatchesPerEpoch(int64_t samples, int64_t batch) {
  if (samples < 1 || batch < 1) return 0;
  int64_t steps = (samples + batch - 1) / batch;
  if (steps > 1 && samples % batch == 1) --steps;  // fold a lone last sample
  return steps;
}

Result<std::unique_ptr<TrainingRun>> TrainingRun::Create(Model model, LabelledImages train,
                                                         LabelledImages validation,
                                                         const RetrainConfig& config,
                                                         const TrainOptions& options) {
  const std::string id = config.Id();
  if (!model.valid()) return Status::InvalidArgument("TrainingRun " + id + ": empty starting model");
  const ModelSpec& spec = model.spec();
  if (config.hidden != spec.hidden)
    return Status::InvalidArgument("TrainingRun " + id + ": config hidden " + std::to_string(config.hidden) +
                                   " differs from the model's hidden " + std::to_string(spec.hidden) + " (" +
                                   spec.ToString() + ")");
  if (config.epochs < 1) return Status::InvalidArgument("TrainingRun " + id + ": epochs must be >= 1");
  if (config.batch_size < 1)
    return Status::InvalidArgument("TrainingRun " + id + ": batch_size must be >= 1");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate))
    return Status::InvalidArgument("TrainingRun " + id + ": learning_rate must be > 0");
  if (!(config.data_fraction > 0 && config.data_fraction <= 1))
    return Status::InvalidArgument("TrainingRun " + id + ": data_fraction must be in (0, 1]");
  if (options.threads < 1)
    return Status::InvalidArgument("TrainingRun " + id + ": threads = " + std::to_string(options.threads) +
                                   " (need >= 1)");
  if (!(options.momentum >= 0 && options.momentum < 1))
    return Status::InvalidArgument("TrainingRun " + id + ": momentum must be in [0, 1)");
  if (!(options.weight_decay >= 0))
    return Status::InvalidArgument("TrainingRun " + id + ": weight_decay must be >= 0");
  if (options.cache_frozen_features && config.scope != TrainScope::kHeadOnly)
    return Status::InvalidArgument("TrainingRun " + id +
                                   ": cache_frozen_features needs head-only training (the backbone must be frozen)");
  if (options.cache_frozen_features && options.augment)
    return Status::InvalidArgument("TrainingRun " + id +
                                   ": cache_frozen_features cannot be combined with augmentation");
  EKYA_RETURN_IF_ERROR(
      CheckLabelled(train, "training", spec.num_classes, false).WithContext("TrainingRun " + id));
  EKYA_RETURN_IF_ERROR(
      CheckLabelled(validation, "validation", spec.num_classes, true).WithContext("TrainingRun " + id));

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  impl->model = model.Clone();
  if (!impl->model.valid())
    return Status::ResourceExhausted("TrainingRun " + id + ": could not copy the model");
  impl->model.SetTrainScope(config.scope);

  // Seeded subsample of round(f * N) samples, at least one.
  const size_t n = train.size();
  const size_t keep = std::clamp<size_t>(
      static_cast<size_t>(std::llround(config.data_fraction * static_cast<double>(n))), 1, n);
  if (keep == n) {
    impl->train = std::move(train);
  } else {
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    Rng pick(DeriveSeed(options.seed, {0x5ab5a3b1e}));
    pick.Shuffle(idx);
    idx.resize(keep);
    std::sort(idx.begin(), idx.end());
    impl->train = train.Select(idx);
  }
  impl->validation = std::move(validation);
  impl->rng = Rng(DeriveSeed(options.seed, {0x0bde5}));
  impl->order.resize(keep);
  std::iota(impl->order.begin(), impl->order.end(), 0);
  impl->steps_per_epoch = BatchesPerEpoch(static_cast<int64_t>(keep), config.batch_size);

  try {
    auto params = impl->model.impl().TrainableParameters();
    impl->optimizer =
        std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(config.learning_rate)
                                                        .momentum(options.momentum)
                                                        .weight_decay(options.weight_decay));
  } catch (...) {
    return StatusFromException("TrainingRun " + id + ": creating the optimiser", std::current_exception());
  }
  return std::unique_ptr<TrainingRun>(new TrainingRun(std::move(impl)));
}

Result<bool> TrainingRun::Step() {
  Impl& r = *impl_;
  const std::string context = "training " + r.config.Id() + " (epoch " + std::to_string(r.epochs_done + 1) +
                              ", step " + std::to_string(r.steps_done + 1) + ")";
  if (r.failed) return Status::FailedPrecondition(context + ": the run failed earlier");
  if (r.done()) return true;
  if (Status st = r.FillCache(); !st.ok()) {
    r.failed = true;
    return st;
  }
  if (r.step_in_epoch == 0) r.rng.Shuffle(r.order);
  const auto [begin, end] = r.BatchRange(r.step_in_epoch);
  const size_t count = end - begin;

  std::vector<int64_t> labels(count);
  std::vector<int64_t> rows(count);
  for (size_t i = 0; i < count; ++i) {
    rows[i] = static_cast<int64_t>(r.order[begin + i]);
    labels[i] = r.train.labels[r.order[begin + i]];
  }
  ImageBatch images;
  if (!r.cached) {
    images.rows = r.train.images.rows;
    images.cols = r.train.images.cols;
    images.pixels.reserve(count * images.pixels_per_image());
    for (size_t i = 0; i < count; ++i) images.Append(r.train.images.image(r.order[begin + i]));
    if (r.options.augment) {
      Rng aug(DeriveSeed(r.options.seed, {0xa06, static_cast<uint64_t>(r.steps_done)}));
      r.options.augment(images, aug);
    }
  }

  Model::Impl& m = r.model.impl();
  try {
    SetTorchThreads(r.options.threads);
    const double progress = static_cast<double>(r.steps_done) / static_cast<double>(r.total_steps());
    const double lr = r.config.learning_rate * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    for (auto& group : r.optimizer->param_groups())
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    m.SetTrainingMode(true);
    torch::Tensor y = torch::from_blob(labels.data(), {static_cast<int64_t>(count)}, torch::kInt64);
    torch::Tensor logits;
    if (r.cached) {
      torch::Tensor index = torch::from_blob(rows.data(), {static_cast<int64_t>(count)}, torch::kInt64);
      logits = m.net->head->forward(r.train_features.index_select(0, index));
    } else {
      logits = m.net->forward(ImagesToTensor(images, 0, count, m.spec));
    }
    r.optimizer->zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      m.SetTrainingMode(false);
      r.failed = true;
      return Status::Internal(context + ": loss is " + std::to_string(loss_value) + " (diverged)");
    }
    loss.backward();
    r.optimizer->step();
    m.SetTrainingMode(false);
    r.loss_sum += loss_value * static_cast<double>(count);
    r.loss_count += static_cast<int64_t>(count);
  } catch (...) {
    m.SetTrainingMode(false);
    r.failed = true;
    return StatusFromException(context, std::current_exception());
  }
  r.samples += static_cast<int64_t>(count);
  ++r.steps_done;
  ++r.step_in_epoch;
  if (r.step_in_epoch == r.steps_per_epoch) {
    if (Status st = r.EndEpoch(); !st.ok()) {
      r.failed = true;
      return st.WithContext(context + ": validation");
    }
  }
  return r.done();
}

Result<Model> TrainingRun::Finish() {
  Impl& r = *impl_;
  Model out = r.best.valid() ? r.best.Clone() : r.model.Clone();
  if (!out.valid())
    return Status::ResourceExhausted("training " + r.config.Id() + ": could not copy the weights");
  out.SetTrainScope(TrainScope::kAllLayers);
  return out;
}

bool TrainingRun::done() const { return impl_->done(); }
int64_t TrainingRun::samples_processed() const { return impl_->samples; }
int64_t TrainingRun::validation_samples() const { return impl_->validation_samples; }
int64_t TrainingRun::backbone_forwards() const { return impl_->backbone_forwards; }
Result<double> TrainingRun::EvaluateNow() {
  Result<double> acc = impl_->ValidationAccuracy();
  if (!acc.ok()) return acc.status().WithContext("evaluating " + impl_->config.Id());
  return acc;
}
int TrainingRun::epochs_done() const { return impl_->epochs_done; }
int TrainingRun::epochs() const { return impl_->config.epochs; }
int64_t TrainingRun::steps_done() const { return impl_->steps_done; }
int64_t TrainingRun::total_steps() const { return impl_->total_steps(); }
int64_t TrainingRun::steps_per_epoch() const { return impl_->steps_per_epoch; }
int64_t TrainingRun::subsample_size() const { return static_cast<int64_t>(impl_->order.size()); }
std::vector<double> TrainingRun::validation_accuracy_per_epoch() const { return impl_->validation_accuracy; }
double TrainingRun::best_validation_accuracy() const { return impl_->best_accuracy; }
int TrainingRun::best_epoch() const { return impl_->best_epoch; }
const ValidationScores& TrainingRun::last_validation_scores() const { return impl_->last_scores; }
const ValidationScores& TrainingRun::best_validation_scores() const { return impl_->best_scores; }
double TrainingRun::last_epoch_loss() const { return impl_->last_epoch_loss; }
const RetrainConfig& TrainingRun::config() const { return impl_->config; }

Result<TrainResult> Train(Model& model_inout, LabelledImages train, LabelledImages validation,
                          const RetrainConfig& config, const TrainOptions& options,
                          std::function<void(int epoch, int epochs, double val_acc)> on_epoch) {
  EKYA_ASSIGN_OR_RETURN(
      std::unique_ptr<TrainingRun> run,
      TrainingRun::Create(model_inout, std::move(train), std::move(validation), config, options));
  bool finished = false;
  while (!finished) {
    const int before = run->epochs_done();
    EKYA_ASSIGN_OR_RETURN(finished, run->Step());
    if (on_epoch && run->epochs_done() > before) {
      const auto acc = run->validation_accuracy_per_epoch();
      on_epoch(run->epochs_done(), run->epochs(), acc.empty() ? kNaN : acc.back());
    }
  }
  EKYA_ASSIGN_OR_RETURN(Model trained, run->Finish());
  TrainResult result;
  result.samples_processed = run->samples_processed();
  result.validation_samples = run->validation_samples();
  result.epochs = run->epochs_done();
  result.best_validation_accuracy = run->best_validation_accuracy();
  result.best_epoch = run->best_epoch();
  result.validation_accuracy_per_epoch = run->validation_accuracy_per_epoch();
  model_inout = std::move(trained);
  return result;
}

}  // namespace ekya
