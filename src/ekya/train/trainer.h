// The trainer: applies a retraining config (SPEC §5) to a model, one batch at
// a time, so that an executor can interleave jobs and stop one at any step.
//
// Algorithm. Create() deep-copies the starting model (the caller's model is
// never modified), applies the config's scope (head only freezes the backbone:
// no gradients, batch norm statistics frozen), and draws a seeded subsample of
// round(data_fraction * N) training samples (at least 1). Each epoch visits
// every subsampled sample exactly once, in a fresh seeded order, in batches of
// config.batch_size; the last batch holds the remainder (a remainder of one
// sample is folded into the previous batch, since batch norm cannot train on a
// single sample). So samples_processed() after E epochs is exactly E * round(f*N).
// SGD with momentum (options.momentum), weight decay on the trained
// parameters, learning rate config.learning_rate with cosine decay over all
// steps. After each epoch the model is evaluated on the validation set (when
// non-empty) and the best-accuracy weights are kept (deep copy; ties keep the
// earlier epoch).
//
// Cost accounting: samples_processed() counts every training sample passed
// forward and backward; validation forward passes are counted separately in
// validation_samples().
//
// Threads: every Step() sets the calling thread's libtorch intra-op thread
// count to options.threads (see model.h) before running.
//
// Thread-safety: a TrainingRun is used by one thread at a time (it may move
// between threads between calls). Runs on different threads are independent.
//
// Failures: a NaN or infinite loss, or a libtorch exception, makes Step()
// return an error Status (Internal, with the config id and the epoch); the
// run is then failed and later Step() calls return FailedPrecondition.
// Finish() still returns the best (or last) weights reached before.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "ekya/common/rng.h"
#include "ekya/common/status.h"
#include "ekya/data/image.h"
#include "ekya/model/model.h"
#include "ekya/profile/retrain_config.h"

namespace ekya {

struct TrainOptions {
  int threads = 1;             // libtorch intra-op threads for this job (>= 1)
  uint64_t seed = 1;           // subsample, epoch order and augmentation
  double momentum = 0.9;       // SGD momentum, in [0, 1)
  double weight_decay = 5e-4;  // L2 on the trained parameters, >= 0
  // Optional: applied to each training batch's raw images (a copy) before
  // conversion, with a generator derived from seed, epoch and step.
  std::function<void(ImageBatch&, Rng&)> augment;
  // Head-only training on cached features: the frozen backbone (eval mode,
  // no gradients) gives the same features for an image at every epoch, so
  // the first Step() computes them once for the subsample and the
  // validation set (backbone_forwards() counts those passes) and every step
  // and validation pass afterwards runs the head alone. Same result as
  // without the cache up to floating-point order. Requires config.scope ==
  // head only and no augment (Create refuses otherwise).
  bool cache_frozen_features = false;
};

// One validation pass, sample by sample: the model's confidence in its
// prediction (softmax of the predicted class) and whether it was right.
struct ValidationScores {
  std::vector<double> confidence;
  std::vector<bool> correct;

  // The scores of `predictions` against `labels` (one per prediction).
  static ValidationScores Of(ScoredPredictions predictions, const std::vector<int>& labels);
  // The fraction of correct samples; 0 when there are none.
  double accuracy() const;
};

class TrainingRun {
 public:
  // Validates the inputs (InvalidArgument naming the bad value): model valid,
  // train non-empty with one label per image and labels in
  // [0, spec.num_classes), validation likewise (it may be empty),
  // config.hidden == model.spec().hidden, epochs >= 1, batch_size >= 1,
  // learning_rate > 0, data_fraction in (0, 1], threads >= 1.
  static Result<std::unique_ptr<TrainingRun>> Create(Model model, LabelledImages train,
                                                     LabelledImages validation, const RetrainConfig& config,
                                                     const TrainOptions& options);
  ~TrainingRun();
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  // Runs one batch (forward, backward, SGD step) and, at an epoch's end, the
  // validation pass. Returns true once all epochs are done (further calls do
  // nothing and return true).
  Result<bool> Step();
  // The best-validation weights if validation ran, otherwise the current
  // weights (also when stopped early). Returns a deep copy each time (train
  // scope reset to all layers); the run stays usable.
  Result<Model> Finish();

  bool done() const;
  int64_t samples_processed() const;
  int64_t validation_samples() const;
  // Backbone-only forward passes made to fill the feature cache (0 without
  // cache_frozen_features). With the cache, samples_processed() and
  // validation_samples() count head-only passes.
  int64_t backbone_forwards() const;
  // Accuracy of the current weights on the validation set (NaN when it is
  // empty), counted in validation_samples(); with the cache it fills the
  // cache first (counted in backbone_forwards()) and runs the head alone.
  Result<double> EvaluateNow();
  int epochs_done() const;
  int epochs() const;
  int64_t steps_done() const;
  int64_t total_steps() const;
  int64_t steps_per_epoch() const;
  // Samples used per epoch: round(data_fraction * N), at least 1.
  int64_t subsample_size() const;
  std::vector<double> validation_accuracy_per_epoch() const;
  // NaN while no validation ran; best_epoch() is 1-based, 0 when none.
  double best_validation_accuracy() const;
  int best_epoch() const;
  // The last validation pass (EvaluateNow or an epoch's end), and the pass
  // of the best epoch (the weights Finish() returns); empty before any.
  const ValidationScores& last_validation_scores() const;
  const ValidationScores& best_validation_scores() const;
  // Mean training loss over the last completed epoch (NaN before the first).
  double last_epoch_loss() const;
  const RetrainConfig& config() const;

 private:
  struct Impl;
  explicit TrainingRun(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Batches per epoch of `samples` at batch size `batch` (0 when either is
// < 1), as TrainingRun takes them: the last batch holds the remainder, and
// a remainder of one sample is folded into the batch before it.
int64_t BatchesPerEpoch(int64_t samples, int64_t batch);

struct TrainResult {
  int64_t samples_processed = 0;
  int64_t validation_samples = 0;
  int epochs = 0;
  double best_validation_accuracy = 0;  // NaN when no validation ran
  int best_epoch = 0;                   // 1-based; 0 when no validation ran
  std::vector<double> validation_accuracy_per_epoch;
};

// Runs a TrainingRun to completion and replaces model_inout by Finish()'s
// model (model_inout is untouched on error). on_epoch(epoch (1-based), epochs,
// val_acc or NaN) is called after each epoch.
Result<TrainResult> Train(Model& model_inout, LabelledImages train, LabelledImages validation,
                          const RetrainConfig& config, const TrainOptions& options,
                          std::function<void(int epoch, int epochs, double val_acc)> on_epoch = {});

}  // namespace ekya
