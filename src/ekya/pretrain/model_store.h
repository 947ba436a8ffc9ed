// ModelStore: the cache of pretrained models under `models.dir` (SPEC §4).
//
// No pretrained weights exist anywhere, so the project trains its own: one
// base model per head width the retraining config space needs (trained on the
// clean base data), and one golden model (a larger network, trained on the
// same base data with the drift transformations as augmentation, never on a
// stream's images). Each model is a checkpoint file plus an entry in
// `manifest.json` recording its recipe (spec, seed, data, epochs, learning
// rate, batch, augmentation) and what it measured (clean accuracy, training
// time). A cached model is reused only when its recorded recipe equals the
// requested one and its file loads; otherwise it is retrained.
//
// Not thread-safe: one owner. Missing models train side by side, one worker
// thread each, the `threads` budget split between them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/image.h"
#include "ekya/model/model.h"

namespace ekya {

struct PretrainOptions {
  std::string dir = "models";     // the cache folder (created when missing)
  ModelSpec base;                 // arch/width of the streams' models (hidden is set per variant)
  std::vector<int> head_widths;   // one base model per width
  int epochs = 8;
  double learning_rate = 0.05;
  int batch_size = 64;
  ModelSpec golden;               // the labeller's spec
  int golden_epochs = 10;
  uint64_t seed = 1;              // initialisation and shuffling
  int threads = 2;
  std::string data_id;            // identifies the base data (source, size, split seed)
};

// What the manifest records for one model.
struct StoredModel {
  std::string name;        // "base-h64", "golden"
  std::string file;        // checkpoint path
  ModelSpec spec;
  double clean_accuracy = 0;  // on the clean held-out base data
  double train_seconds = 0;
  bool reused = false;     // true when it came from the cache in this process
};

class ModelStore {
 public:
  // Requires non-empty dir, head_widths and data_id.
  static Result<std::unique_ptr<ModelStore>> Open(const PretrainOptions& options);

  // Makes sure every model exists: trains (with a progress display) those
  // missing, stale or, with force, all. base_train/base_test are the clean
  // base data; 10% of base_train is held out to pick the best epoch.
  // Returns the first training or I/O error.
  Status EnsureTrained(const LabelledImages& base_train, const LabelledImages& base_test, bool force);

  // The models after EnsureTrained (FailedPrecondition before it, NotFound
  // for a head width that is not in the options). The handle shares weights
  // with the store: Clone() it before training.
  Result<Model> Base(int hidden) const;
  Result<Model> Golden() const;
  const std::vector<StoredModel>& models() const { return models_; }

 private:
  explicit ModelStore(PretrainOptions options) : options_(std::move(options)) {}
  // The loaded model of that name (FailedPrecondition before EnsureTrained).
  Result<Model> Loaded(const std::string& name) const;

  PretrainOptions options_;
  std::vector<StoredModel> models_;
  std::vector<Model> loaded_;  // parallel to models_
};

}  // namespace ekya
