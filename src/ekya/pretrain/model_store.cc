#include "ekya/pretrain/model_store.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

Status WriteWhole(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IoError("cannot write '" + tmp + "'");
    out << text;
    if (!out) return Status::IoError("writing '" + tmp + "' failed");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  return Status::Ok();
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

Status ModelStore::EnsureTrained(const LabelledImages& base_train, const LabelledImages& base_test, bool force) {
  models_.clear();
  loaded_.clear();
  for (int hidden : options_.head_widths) {
    ModelSpec spec = options_.base;
    spec.hidden = hidden;
    EKYA_RETURN_IF_ERROR(EnsureOne("base-h" + std::to_string(hidden), spec, options_.epochs, /*augment=*/false,
                                   base_train, base_test, force));
  }
  return EnsureOne("golden", options_.golden, options_.golden_epochs, /*augment=*/true, base_train, base_test,
                   force);
}

Status ModelStore::EnsureOne(const std::string& name, const ModelSpec& spec, int epochs, bool augment,
                             const LabelledImages& base_train, const LabelledImages& base_test, bool force) {
  const std::string manifest_path = options_.dir + "/manifest.json";
  const std::string file = options_.dir + "/" + name + "-" + spec.ToString() + ".pt";
  json recipe = {{"spec", SpecJson(spec)},
                 {"seed", options_.seed},
                 {"data", options_.data_id},
                 {"epochs", epochs},
                 {"learning_rate", options_.learning_rate},
                 {"batch_size", options_.batch_size},
                 {"augment", augment ? "drift-appearance" : "none"}};
  EKYA_ASSIGN_OR_RETURN(json manifest, ReadManifest(manifest_path));

  StoredModel stored;
  stored.name = name;
  stored.file = file;
  stored.spec = spec;

  if (!force && manifest["models"].contains(name)) {
    const json& entry = manifest["models"][name];
    if (entry.value("recipe", json()) == recipe && entry.value("file", "") == file) {
      auto model = Model::Load(file);
      if (model.ok()) {
        stored.clean_accuracy = entry.value("clean_accuracy", 0.0);
        stored.train_seconds = entry.value("train_seconds", 0.0);
        stored.reused = true;
        models_.push_back(stored);
        loaded_.push_back(std::move(model).value());
        return Status::Ok();
      }
    }
  }

  EKYA_ASSIGN_OR_RETURN(Model model, Model::Create(spec, DeriveSeed(options_.seed, {0x6d6f64656cULL, spec.hidden})));
  LabelledImages train, holdout;
  SplitHoldout(base_train, &train, &holdout);

  RetrainConfig config;
  config.scope = TrainScope::kAllLayers;
  config.hidden = spec.hidden;
  config.data_fraction = 1.0;
  config.epochs = epochs;
  config.batch_size = options_.batch_size;
  config.learning_rate = options_.learning_rate;

  TrainOptions topts;
  topts.threads = options_.threads;
  topts.seed = DeriveSeed(options_.seed, {0x747261696eULL, spec.hidden, augment ? 1u : 0u});
  if (augment) {
    // The drift transformations as augmentation: most images get a random
    // condition at a random severity and a per-frame jitter, as stream frames do.
    topts.augment = [](ImageBatch& batch, Rng& rng) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (rng.Bernoulli(0.85)) {
          ApplyAppearance(RandomAppearance(rng), batch.mutable_image(i), batch.rows, batch.cols, rng);
        }
        Jitter(batch.mutable_image(i), batch.rows, batch.cols, rng);
      }
    };
  }

  Progress progress("pretrain " + name + " (" + spec.ToString() + ")", epochs);
  Stopwatch watch;
  auto on_epoch = [&](int epoch, int total, double val) {
    std::ostringstream detail;
    detail << "epoch " << epoch << "/" << total << ", held-out accuracy " << val;
    progress.Update(epoch, detail.str());
  };
  EKYA_ASSIGN_OR_RETURN(TrainResult result, Train(model, std::move(train), std::move(holdout), config, topts, on_epoch));
  (void)result;
  EKYA_ASSIGN_OR_RETURN(double clean, model.Accuracy(base_test, options_.threads));
  stored.clean_accuracy = clean;
  stored.train_seconds = watch.ElapsedSeconds();
  {
    std::ostringstream detail;
    detail << "clean accuracy " << clean;
    progress.Finish(detail.str());
  }
  EKYA_RETURN_IF_ERROR(model.Save(file));

  // Re-read the manifest right before writing so that entries written by
  // other variants in this process are kept.
  EKYA_ASSIGN_OR_RETURN(manifest, ReadManifest(manifest_path));
  manifest["models"][name] = {{"file", file},
                              {"recipe", recipe},
                              {"clean_accuracy", clean},
                              {"train_seconds", stored.train_seconds},
                              {"parameters", model.NumParameters(false)}};
  EKYA_RETURN_IF_ERROR(WriteWhole(manifest_path, manifest.dump(2) + "\n"));
  models_.push_back(stored);
  loaded_.push_back(std::move(model));
  return Status::Ok();
}

const StoredModel* ModelStore::Find(const std::string& name) const {
  for (const auto& m : models_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<Model> ModelStore::Base(int hidden) const {
  if (models_.empty()) return Status::FailedPrecondition("models are not trained yet (EnsureTrained)");
  for (size_t i = 0; i < models_.size(); ++i) {
    if (models_[i].name == "base-h" + std::to_string(hidden)) return loaded_[i];
  }
  return Status::NotFound("no base model with head width " + std::to_string(hidden));
}

Result<Model> ModelStore::Golden() const {
  for (size_t i = 0; i < models_.size(); ++i) {
    if (models_[i].name == "golden") return loaded_[i];
  }
  return Status::FailedPrecondition("the golden model is not trained yet (EnsureTrained)");
}

}  // namespace ekya
