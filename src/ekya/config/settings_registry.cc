// The one place where settings are declared. Each entry: key, type, default,
// range or choices, and a one-line description (`ekya list settings`).
// Adding a setting here is all it takes for files, --set, validation, the
// listing and settings.yaml to know it; the application maps it onto the
// option struct of the component that uses it.
#include <limits>

#include "ekya/config/settings.h"

namespace ekya {
namespace {

SettingSpec Int(std::string key, int64_t def, double lo, double hi, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kInt;
  s.default_value = std::to_string(def);
  s.min = lo;
  s.max = hi;
  s.description = std::move(desc);
  return s;
}

SettingSpec Num(std::string key, std::string def, double lo, double hi, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kDouble;
  s.default_value = std::move(def);
  s.min = lo;
  s.max = hi;
  s.description = std::move(desc);
  return s;
}

SettingSpec Str(std::string key, std::string def, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kString;
  s.default_value = std::move(def);
  s.description = std::move(desc);
  return s;
}

SettingSpec Bool(std::string key, bool def, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kBool;
  s.default_value = def ? "true" : "false";
  s.description = std::move(desc);
  return s;
}

// A string setting whose empty value means "none given".
SettingSpec OptionalStr(std::string key, std::string desc) {
  SettingSpec s = Str(std::move(key), "", std::move(desc));
  s.allow_empty = true;
  return s;
}

SettingSpec StrList(std::string key, std::string def, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kStringList;
  s.default_value = std::move(def);
  s.description = std::move(desc);
  return s;
}

SettingSpec Choice(std::string key, std::string def, std::vector<std::string> choices, std::string desc) {
  SettingSpec s;
  s.key = std::move(key);
  s.type = SettingType::kChoice;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  s.description = std::move(desc);
  return s;
}

std::vector<SettingSpec> Build() {
  const std::vector<std::string> archs = {"resnet8", "resnet14", "resnet20", "resnet18", "resnet34"};
  return {
      // The scenario.
      Int("streams", 4, 1, 1000, "number of camera streams"),
      Int("windows", 8, 2, 1000, "number of retraining windows (window 0 only collects data)"),
      Int("seed", 1, 0, 2147483647, "seed of every random choice; the same seed gives the same run"),
      Num("window_seconds", "200", 1, 1e6, "length P of a retraining window in seconds"),
      Int("threads", 2, 1, 256, "CPU threads the process may use in all (each job gets an explicit share)"),
      Str("dataset.path", "/usr/share/datasets/fashion-mnist",
          "folder with Fashion-MNIST's *-idx?-ubyte.gz files (Debian package dataset-fashion-mnist)"),
      Choice("labels", "golden", {"golden", "ground_truth"},
             "who labels the per-window sample used for training: the golden model or the ground truth"),
      Num("labelling_delay", "0", 0, 1e6, "seconds after a window's end before its labels may be handed out"),
      Int("devices", 1, 1, 1024, "accelerators (or CPU pools) G; streams are placed round-robin over them"),
      Int("chunks", 10, 1, 100000, "chunks C per window; inference accuracy is measured per chunk"),
      Choice("clock", "virtual", {"virtual", "wall", "simulated"},
             "virtual: jobs really run and time is accounted from their compute; wall: real time (not built yet); "
             "simulated: recorded profiles, no training (`ekya simulate` sets it)"),
      Str("policy", "thief", "the policy `ekya run` uses: name[:key=value,...] (`ekya list policies`)"),
      StrList("compare", "noretrain;thief;fair", "the policies `ekya compare` runs when no --policy is given"),
      Choice("on_completion", "replan", {"to_inference", "replan"},
             "when a retraining job finishes: give its share to the device's inference jobs, or ask the policy again"),
      Num("inference.r_max", "0.25", 0.001, 1, "share of a device a stream's inference needs to analyse every frame"),
      Choice("inference.accuracy", "measured", {"measured", "table"},
             "measured: skip frames for real; table: full-rate accuracy times the paper's factor for 1-in-k sampling"),
      Str("fair.config", "all-h1024-f0.1-e5", "retraining config of every stream under `fair` (`ekya list configs`)"),
      Num("fair.inference_fraction", "0.5", 0, 1, "share of the compute `fair` gives to inference (the rest to retraining)"),
      Num("a_min", "0", 0, 1, "lowest inference accuracy a stream may drop to at any moment (0: no floor)"),
      Num("thief.delta", "0.1", 0.001, 1, "share the thief moves from a victim job to a thief job per step"),
      Choice("thief.variant", "paper", {"paper", "released"},
             "paper: Algorithm 1 with early stop; released: the prototype's full line search with three rounds"),
      Num("thief.carryover", "0", 0, 1,
          "fraction of a window the model at a window's end is counted as serving the next one (0: the paper's "
          "score of the window alone)"),
      Choice("thief.training_accuracy", "old", {"old", "linear"},
             "estimator: inference accuracy while retraining stays the old model's, or rises linearly to the new"),
      Str("thief-fixedconfig.config", "all-h1024-f0.1-e5", "the one config `thief-fixedconfig` gives every stream (the cheap pinned config, docs/decisions/0004)"),
      Num("fair-sco.inference_fraction", "0.5", 0, 1, "inference share of `fair-sco` (the rest retrains)"),
      Num("fair-naive.inference_fraction", "0.5", 0, 1, "inference share of `fair-naive` (the rest retrains)"),
      OptionalStr("replay.run", "the run directory whose allocations and configs `replay` reproduces"),
      OptionalStr("oracle.profiles", "folder with profiles.csv from `ekya profile`: the true profiles `oracle` plans with"),
      Num("profiler.share", "0.5", 0.01, 1, "share of a device the micro-profiler runs at"),
      Int("profiler.epochs", 5, 1, 100, "epochs of each micro-profiling run"),
      Num("profiler.fraction", "0.1", 0.001, 1, "fraction of a config's training data a micro-profiling run uses"),
      Int("profiler.min_samples", 64, 1, 100000, "fewest samples a micro-profiling run trains on"),
      Int("profiler.min_eval", 100, 1, 100000, "fewest held-out samples the micro-profiler evaluates on"),
      Int("profiler.batch_size", 8, 1, 4096, "batch size of the micro-profiler's short training runs"),
      Choice("profiler.estimator", "optimus", {"optimus", "released"},
             "curve fit: Optimus' acc(k) = 1 - 1/(b0 k + b1) - b2, or the released code's anchored-and-scaled fit"),
      Choice("profiler.progress", "steps", {"samples", "steps"},
             "how a profiling run's progress maps to the real config's epochs: samples seen, or SGD steps taken"),
      Bool("profiler.calibrate", true,
           "correct the profiler's predictions by what retraining really delivered in earlier windows"),
      Choice("profiler.shift", "none", {"none", "threshold", "confidence"},
             "label-free move of the estimates to the new window from its first frames: none, average "
             "thresholded confidence, or difference of mean confidences"),
      Int("profiler.shift_frames", 100, 1, 1000000,
          "most frames of the new window the micro-profiler reads (those that have arrived) for profiler.shift"),
      OptionalStr("profiler.prior",
                  "folder with profiles.csv from `ekya profile` of other streams: the micro-profiler moves each "
                  "config's estimate towards that profile's ranking of the configs (empty: none)"),
      Num("profiler.prior_weight", "0.75", 0, 1,
          "how far profiler.prior moves the estimates' spread within an epoch count (0: not at all, 1: the "
          "prior's ranking alone)"),
      Bool("profiler.prune", true, "every second window, drop configs far from the accuracy/cost Pareto front"),
      Choice("device.profile", "modelled", {"modelled", "measured"},
             "modelled: the calibrated device of device.flops; measured: this machine's own training speed"),
      Num("device.flops", "2.002e9", 1e3, 1e18,
          "floating-point operations per second of one modelled device at full share (calibrated: docs/results.md)"),
      Num("device.startup_seconds", "2.385", 0, 1e6, "device-seconds every retraining job costs before its first sample"),
      Choice("device.speed_curve", "linear", {"linear", "mps"},
             "training speed against share: linear, or the sub-linear curve measured under MPS (10% -> 36%, 50% -> 83%)"),

      // The drift benchmark (SPEC §3.1). Frozen once its floors hold: see docs/decisions/.
      Int("benchmark.frames_per_window", 1000, 10, 1000000, "frames per stream and window"),
      Num("benchmark.track_length", "5", 1, 100, "mean number of consecutive frames an object stays in view"),
      Int("benchmark.sample_per_track", 1, 1, 100, "frames of each track that join the labelled sample"),
      Int("benchmark.base_train_size", 20000, 100, 60000, "clean base images the base and golden models train on"),
      Int("benchmark.base_test_size", 2000, 100, 20000, "clean held-out base images (clean accuracy)"),
      Int("benchmark.classes_present_min", 4, 1, 1000, "fewest classes present in a stream's window"),
      Int("benchmark.classes_present_max", 7, 1, 1000, "most classes present in a stream's window"),
      Num("benchmark.class_mix_concentration", "0.8", 0.01, 1000,
          "Dirichlet concentration of the present classes' weights (below 1: a few dominant classes)"),
      Num("benchmark.class_mix_drift", "0.2", 0, 1, "how much a stream's class mix changes from one window to the next"),
      Int("benchmark.condition_min_windows", 3, 1, 1000, "fewest windows an appearance condition lasts"),
      Int("benchmark.condition_max_windows", 4, 1, 1000, "most windows an appearance condition lasts"),
      Num("benchmark.severity_min", "0.25", 0, 1, "lowest severity of a drifted window"),
      Num("benchmark.severity_max", "1", 0, 1, "highest severity of a drifted window"),
      Num("benchmark.severity_ramp", "0.3", 0, 1, "severity added per window while a condition lasts (a condition starts within one step of severity_min)"),
      Num("benchmark.clear_probability", "0.1", 0, 1, "probability that a later condition is clear (no drift)"),
      Int("benchmark.base_seed", 0, 0, 2147483647,
          "seed of the split into base data and stream pools (kept apart from 'seed' so that "
          "runs of several seeds share one set of pretrained models)"),

      // Models.
      Str("models.dir", "models", "folder where pretrained base and golden models are cached"),
      Choice("model.arch", "resnet8", archs, "network of the streams' models"),
      Int("model.width", 16, 4, 512, "width of the first stage of narrow ResNets"),
      Int("pretrain.epochs", 8, 1, 200, "epochs of base-model pretraining on the clean base data"),
      Num("pretrain.learning_rate", "0.05", 1e-6, 10, "SGD learning rate of pretraining"),
      Int("pretrain.batch_size", 64, 1, 4096, "batch size of pretraining"),
      Choice("golden.arch", "resnet8", archs, "network of the golden model (the labeller)"),
      Int("golden.width", 32, 4, 512, "width of the golden model's first stage"),
      Int("golden.epochs", 8, 1, 200, "epochs of golden-model training (drift transformations as augmentation)"),

      // Retraining.
      Num("train.learning_rate", "0.01", 1e-6, 10, "SGD learning rate of retraining"),
      Int("train.batch_size", 32, 1, 4096, "batch size of retraining"),
      Int("train.base_sample", 500, 0, 60000, "clean base images added to every retraining set"),
      Num("train.validation_fraction", "0.2", 0, 0.9,
          "share of the newest labelled window held out to pick the best epoch (never trained on)"),
      Choice("train.start", "base", {"base", "deployed"},
             "what a retraining job starts from: the base model (as in the paper) or the stream's deployed model"),
  };
}

}  // namespace

const std::vector<SettingSpec>& AllSettings() {
  static const std::vector<SettingSpec> kSettings = Build();
  return kSettings;
}

}  // namespace ekya
