#include "ekya/pretrain/model_store.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ekya/common/files.h"
#include "ekya/common/parallel.h"
#include "ekya/common/rng.h"
#include "ekya/data/appearance.h"
#include "ekya/report/progress.h"
#include "ekya/train/trainer.h"

namespace ekya {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json SpecJson(const ModelSpec& s) {
  return json{{"arch", s.arch},         {"width", s.width},           {"hidden", s.hidden},
              {"num_classes", s.num_classes}, {"input_size", s.input_size}, {"in_channels", s.in_channels}};
}

Result<json> ReadManifest(const std::string& path) {
  if (!fs::exists(path)) return json{{"models", json::object()}};
  std::ifstream in(path);
  try {
    json j = json::parse(in);
    if (!j.contains("models") || !j["models"].is_object()) {
      return Status::Corrupt("model manifest '" + path + "' has no 'models' object");
    }
    return j;
  } catch (const std::exception& e) {
    return Status::Corrupt("model manifest '" + path + "' is not valid JSON: " + e.what());
  }
}

// Splits base_train into a training part and a held-out tail (10%, at least 1).
void SplitHoldout(const LabelledImages& all, LabelledImages* train, LabelledImages* holdout) {
  size_t n = all.size();
  size_t hold = std::max<size_t>(1, n / 10);
  std::vector<size_t> a, b;
  for (size_t i = 0; i < n; ++i) (i < n - hold ? a : b).push_back(i);
  *train = all.Select(a);
  *holdout = all.Select(b);
}

}  // namespace

Result<std::unique_ptr<ModelStore>> ModelStore::Open(const PretrainOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("setting 'models.dir' is empty");
  if (options.head_widths.empty()) return Status::InvalidArgument("no head widths to pretrain");
  if (options.data_id.empty()) return Status::InvalidArgument("pretraining needs a data id");
  EKYA_RETURN_IF_ERROR(ValidateModelSpec(options.base).WithContext("model"));
  EKYA_RETURN_IF_ERROR(ValidateModelSpec(options.golden).WithContext("golden model"));
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IoError("cannot create models folder '" + options.dir + "': " + ec.message());
  return std::unique_ptr<ModelStore>(new ModelStore(options));
}

namespace {

// One model the store must provide.
struct Job {
  std::string name;
  ModelSpec spec;
  int epochs = 0;
  bool augment = false;
  std::string file;
  json recipe;
};

// The drift transformations as augmentation: most images get a random
// condition at a random severity, and every image a per-frame jitter, as
// stream frames do.
void AugmentWithDrift(ImageBatch& batch, Rng& rng) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (rng.Bernoulli(0.85)) {
      ApplyAppearance(RandomAppearance(rng), batch.mutable_image(i), batch.rows, batch.cols, rng);
    }
    Jitter(batch.mutable_image(i), batch.rows, batch.cols, rng);
  }
}

}  // namespace

Status ModelStore::EnsureTrained(const LabelledImages& base_train, const LabelledImages& base_test, bool force) {
  models_.clear();
  loaded_.clear();
  const std::string manifest_path = options_.dir + "/manifest.json";
  std::vector<Job> jobs;
  for (int hidden : options_.head_widths) {
    ModelSpec spec = options_.base;
    spec.hidden = hidden;
    jobs.push_back({"base-h" + std::to_string(hidden), spec, options_.epochs, false, "", json()});
  }
  jobs.push_back({"golden", options_.golden, options_.golden_epochs, true, "", json()});

  models_.resize(jobs.size());
  loaded_.resize(jobs.size());
  EKYA_ASSIGN_OR_RETURN(json manifest, ReadManifest(manifest_path));
  std::vector<size_t> to_train;
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    job.file = options_.dir + "/" + job.name + "-" + job.spec.ToString() + ".pt";
    job.recipe = {{"spec", SpecJson(job.spec)},
                  {"seed", options_.seed},
                  {"data", options_.data_id},
                  {"epochs", job.epochs},
                  {"learning_rate", options_.learning_rate},
                  {"batch_size", options_.batch_size},
                  {"augment", job.augment ? "drift-appearance-v" + std::to_string(kAppearanceVersion) : "none"}};
    StoredModel& stored = models_[i];
    stored.name = job.name;
    stored.file = job.file;
    stored.spec = job.spec;
    bool reused = false;
    if (!force && manifest["models"].contains(job.name)) {
      const json& entry = manifest["models"][job.name];
      if (entry.value("recipe", json()) == job.recipe && entry.value("file", "") == job.file) {
        auto model = Model::Load(job.file);
        if (model.ok()) {
          stored.clean_accuracy = entry.value("clean_accuracy", 0.0);
          stored.train_seconds = entry.value("train_seconds", 0.0);
          stored.reused = reused = true;
          loaded_[i] = std::move(model).value();
        }
      }
    }
    if (!reused) to_train.push_back(i);
  }
  if (to_train.empty()) return Status::Ok();
  // Longest job first, so that the side-by-side training ends together.
  auto cost = [&](size_t i) { return jobs[i].epochs * ComputeFlops(jobs[i].spec, TrainScope::kAllLayers).train_step; };
  std::stable_sort(to_train.begin(), to_train.end(), [&](size_t a, size_t b) { return cost(a) > cost(b); });

  // Train the missing models side by side, one worker each, splitting the
  // thread budget between them (never two full OpenMP pools on the same cores).
  LabelledImages train, holdout;
  SplitHoldout(base_train, &train, &holdout);
  const int workers = std::max(1, std::min<int>(options_.threads, static_cast<int>(to_train.size())));
  const int threads_each = std::max(1, options_.threads / workers);
  int total_epochs = 0;
  std::string names;
  for (size_t i : to_train) {
    total_epochs += jobs[i].epochs;
    names += (names.empty() ? "" : ", ") + jobs[i].name;
  }
  Progress progress("pretrain " + names, total_epochs);
  std::mutex mu;  // guards progress, epochs_done and the manifest file
  int epochs_done = 0;

  Status status = ParallelFor(static_cast<int>(to_train.size()), workers, [&](int k) -> Status {
    const size_t i = to_train[static_cast<size_t>(k)];
    const Job& job = jobs[i];
    EKYA_ASSIGN_OR_RETURN(Model model,
                          Model::Create(job.spec, DeriveSeed(options_.seed, {0x6d6f64656cULL, static_cast<uint64_t>(job.spec.hidden)})));
    RetrainConfig config;
    config.scope = TrainScope::kAllLayers;
    config.hidden = job.spec.hidden;
    config.data_fraction = 1.0;
    config.epochs = job.epochs;
    config.batch_size = options_.batch_size;
    config.learning_rate = options_.learning_rate;
    TrainOptions topts;
    topts.threads = threads_each;
    topts.seed = DeriveSeed(options_.seed, {0x747261696eULL, static_cast<uint64_t>(job.spec.hidden), job.augment ? 1u : 0u});
    if (job.augment) topts.augment = AugmentWithDrift;

    Stopwatch watch;
    auto on_epoch = [&](int epoch, int epochs, double val) {
      std::lock_guard<std::mutex> lock(mu);
      ++epochs_done;
      std::ostringstream detail;
      detail << job.name << " epoch " << epoch << "/" << epochs << ", held-out accuracy " << val;
      progress.Update(epochs_done, detail.str());
    };
    auto result = Train(model, train, holdout, config, topts, on_epoch);
    if (!result.ok()) return result.status().WithContext("pretraining " + job.name);
    EKYA_ASSIGN_OR_RETURN(double clean, model.Accuracy(base_test, threads_each));
    EKYA_RETURN_IF_ERROR(model.Save(job.file));

    std::lock_guard<std::mutex> lock(mu);
    StoredModel& stored = models_[i];
    stored.clean_accuracy = clean;
    stored.train_seconds = watch.ElapsedSeconds();
    // Re-read the manifest right before writing so that every entry is kept.
    EKYA_ASSIGN_OR_RETURN(json current, ReadManifest(manifest_path));
    current["models"][job.name] = {{"file", job.file},
                                   {"recipe", job.recipe},
                                   {"clean_accuracy", clean},
                                   {"train_seconds", stored.train_seconds},
                                   {"parameters", model.NumParameters(false)}};
    EKYA_RETURN_IF_ERROR(WriteFileWhole(manifest_path, current.dump(2) + "\n"));
    loaded_[i] = std::move(model);
    return Status::Ok();
  });
  if (!status.ok()) {
    models_.clear();
    loaded_.clear();
    return status;
  }
  progress.Finish();
  return Status::Ok();
}

Result<Model> ModelStore::Loaded(const std::string& name) const {
  if (models_.empty()) return Status::FailedPrecondition("models are not trained yet (EnsureTrained)");
  for (size_t i = 0; i < models_.size(); ++i) {
    if (models_[i].name == name) return loaded_[i];
  }
  return Status::NotFound("no model named '" + name + "' in the store");
}

Result<Model> ModelStore::Base(int hidden) const { return Loaded("base-h" + std::to_string(hidden)); }

Result<Model> ModelStore::Golden() const { return Loaded("golden"); }

}  // namespace ekya
