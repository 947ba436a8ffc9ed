#include "wiring.h"

#include <cstdio>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "ekya/data/idx.h"
#include "ekya/data/label_firewall.h"
#include "ekya/exec/real_workload.h"
#include "ekya/exec/virtual_executor.h"
#include "ekya/runtime/controller.h"
#include "ekya/time/clock.h"
#include "ekya/train/bench.h"
#include "ekya/train/golden_labeller.h"

namespace ekya::app {

DriftOptions MakeDriftOptions(const Settings& s) {
  DriftOptions o;
  o.streams = static_cast<int>(s.Int("streams"));
  o.windows = static_cast<int>(s.Int("windows"));
  o.seed = static_cast<uint64_t>(s.Int("seed"));
  o.base_seed = static_cast<uint64_t>(s.Int("benchmark.base_seed"));
  o.frames_per_window = static_cast<int>(s.Int("benchmark.frames_per_window"));
  o.mean_track_length = s.Double("benchmark.track_length");
  o.sample_per_track = static_cast<int>(s.Int("benchmark.sample_per_track"));
  o.base_train_size = static_cast<int>(s.Int("benchmark.base_train_size"));
  o.base_test_size = static_cast<int>(s.Int("benchmark.base_test_size"));
  o.classes_present_min = static_cast<int>(s.Int("benchmark.classes_present_min"));
  o.classes_present_max = static_cast<int>(s.Int("benchmark.classes_present_max"));
  o.class_mix_concentration = s.Double("benchmark.class_mix_concentration");
  o.class_mix_drift = s.Double("benchmark.class_mix_drift");
  o.condition_min_windows = static_cast<int>(s.Int("benchmark.condition_min_windows"));
  o.condition_max_windows = static_cast<int>(s.Int("benchmark.condition_max_windows"));
  o.severity_min = s.Double("benchmark.severity_min");
  o.severity_max = s.Double("benchmark.severity_max");
  o.severity_ramp = s.Double("benchmark.severity_ramp");
  o.clear_probability = s.Double("benchmark.clear_probability");
  o.window_seconds = s.Double("window_seconds");
  o.labelling_delay_seconds = s.Double("labelling_delay");
  return o;
}

PretrainOptions MakePretrainOptions(const Settings& s) {
  PretrainOptions o;
  o.dir = s.String("models.dir");
  o.base.arch = s.String("model.arch");
  o.base.width = static_cast<int>(s.Int("model.width"));
  o.head_widths = HeadWidths(DefaultConfigSpace());
  o.epochs = static_cast<int>(s.Int("pretrain.epochs"));
  o.learning_rate = s.Double("pretrain.learning_rate");
  o.batch_size = static_cast<int>(s.Int("pretrain.batch_size"));
  o.golden.arch = s.String("golden.arch");
  o.golden.width = static_cast<int>(s.Int("golden.width"));
  o.golden.hidden = 256;
  o.golden_epochs = static_cast<int>(s.Int("golden.epochs"));
  o.seed = static_cast<uint64_t>(s.Int("benchmark.base_seed"));
  o.threads = static_cast<int>(s.Int("threads"));
  o.data_id = "fashion-mnist:" + s.String("dataset.path") +
              ";base_train_size=" + std::to_string(s.Int("benchmark.base_train_size")) +
              ";base_test_size=" + std::to_string(s.Int("benchmark.base_test_size")) +
              ";base_seed=" + std::to_string(s.Int("benchmark.base_seed"));
  return o;
}

RetrainConfig MakeCostliestConfig(const Settings& s) {
  RetrainConfig c = CostliestConfig();
  c.learning_rate = s.Double("train.learning_rate");
  c.batch_size = static_cast<int>(s.Int("train.batch_size"));
  return c;
}

Result<std::unique_ptr<DriftBenchmark>> LoadBenchmark(const Settings& s) {
  DriftOptions options = MakeDriftOptions(s);
  EKYA_RETURN_IF_ERROR(options.Validate());
  EKYA_ASSIGN_OR_RETURN(LabelledImages pool, LoadFashionMnist(s.String("dataset.path")));
  return DriftBenchmark::Create(options, std::move(pool));
}

Result<std::unique_ptr<ModelStore>> EnsureModels(const Settings& s, const DriftBenchmark& bench, bool force) {
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<ModelStore> store, ModelStore::Open(MakePretrainOptions(s)));
  EKYA_RETURN_IF_ERROR(store->EnsureTrained(bench.BaseTrain(), bench.BaseTest(), force));
  return store;
}

Result<DeviceModel> MakeDeviceModel(const Settings& s) {
  DeviceModel d;
  d.flops_per_second = s.Double("device.flops");
  d.startup_seconds = s.Double("device.startup_seconds");
  EKYA_ASSIGN_OR_RETURN(d.curve, ParseSpeedCurve(s.String("device.speed_curve")));
  if (s.String("device.profile") == "measured") {
    // This machine as the device: its all-layer training throughput with the
    // run's thread budget (not deterministic: it varies with the machine's load).
    ModelSpec spec;
    spec.arch = s.String("model.arch");
    spec.width = static_cast<int>(s.Int("model.width"));
    spec.hidden = 1024;
    EKYA_ASSIGN_OR_RETURN(BenchResult bench,
                          BenchmarkThroughput(spec, static_cast<int>(s.Int("train.batch_size")),
                                              static_cast<int>(s.Int("threads")), 2.0, 1));
    d.flops_per_second = bench.train_gflops_per_s() * 1e9;
    std::fprintf(stderr, "device.profile=measured: %.3g FLOP/s (%.0f training samples/s)\n",
                 d.flops_per_second, bench.train_samples_per_s);
  }
  EKYA_RETURN_IF_ERROR(ValidateDeviceModel(d));
  return d;
}

double ExpectedSamplesPerWindow(const Settings& s) {
  return static_cast<double>(s.Int("benchmark.frames_per_window")) / s.Double("benchmark.track_length") *
         static_cast<double>(s.Int("benchmark.sample_per_track"));
}

Result<DeviceModel> CalibrateDevice(const Settings& s) {
  // Expected retraining set of window t = W/2: the samples of windows 0..t−1
  // (one per track and sample_per_track) less the validation slice of the
  // newest window, plus the base sample.
  const double per_window = ExpectedSamplesPerWindow(s);
  const int mid = static_cast<int>(s.Int("windows")) / 2;
  const double history = per_window * mid - per_window * s.Double("train.validation_fraction") +
                         static_cast<double>(s.Int("train.base_sample"));
  ModelSpec spec;
  spec.arch = s.String("model.arch");
  spec.width = static_cast<int>(s.Int("model.width"));
  spec.hidden = CostliestConfig().hidden;
  const RetrainConfig costliest = CostliestConfig();
  const double costliest_flops =
      ComputeFlops(spec, costliest.scope).train_step * history * costliest.data_fraction * costliest.epochs;
  RetrainConfig cheapest;  // head-h64-f0.1-e5
  spec.hidden = cheapest.hidden;
  const double cheapest_flops =
      ComputeFlops(spec, cheapest.scope).train_step * history * cheapest.data_fraction * cheapest.epochs;
  const double p = s.Double("window_seconds");
  EKYA_ASSIGN_OR_RETURN(DeviceModel d, Calibrate(costliest_flops, cheapest_flops, 1.5 * p, 0.02 * p));
  EKYA_ASSIGN_OR_RETURN(d.curve, ParseSpeedCurve(s.String("device.speed_curve")));
  return d;
}

namespace {

// The seed recorded in DIR/settings.yaml of an `ekya profile` folder; none
// when the file or the key is missing or unreadable.
std::optional<int64_t> ProfiledSeed(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / "settings.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    const YAML::Node node = YAML::LoadFile(path.string());
    if (node["seed"]) return node["seed"].as<int64_t>();
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

}  // namespace

Result<MicroProfilerOptions> MakeProfilerOptions(const Settings& s) {
  MicroProfilerOptions o;
  o.configs = DefaultConfigSpace();
  o.epochs = static_cast<int>(s.Int("profiler.epochs"));
  o.fraction = s.Double("profiler.fraction");
  o.min_samples = static_cast<int>(s.Int("profiler.min_samples"));
  o.min_eval = static_cast<int>(s.Int("profiler.min_eval"));
  o.profile_batch_size = static_cast<int>(s.Int("profiler.batch_size"));
  o.estimator =
      s.String("profiler.estimator") == "released" ? CurveEstimator::kReleased : CurveEstimator::kOptimus;
  o.progress = s.String("profiler.progress") == "steps" ? ProfileProgress::kSteps : ProfileProgress::kSamples;
  o.prune = s.Bool("profiler.prune");
  o.calibrate = s.Bool("profiler.calibrate");
  // The registry admits only the names ParseShiftMethod knows.
  const Result<ShiftMethod> shift = ParseShiftMethod(s.String("profiler.shift"));
  o.shift = shift.ok() ? *shift : ShiftMethod::kNone;
  o.shift_frames = static_cast<int>(s.Int("profiler.shift_frames"));
  if (const std::string dir = s.String("profiler.prior"); !dir.empty()) {
    // The prior must be learnt on other streams than the ones it serves.
    if (ProfiledSeed(dir) == s.Int("seed")) {
      return Status::InvalidArgument("profiler.prior: '" + dir + "' was profiled with seed " +
                                     std::to_string(s.Int("seed")) +
                                     ", the seed of these streams; give a profile of another seed, or none "
                                     "(--set profiler.prior=)");
    }
    Result<ConfigPrior> prior = LoadConfigPrior(dir);
    if (!prior.ok()) return prior.status().WithContext("profiler.prior");
    o.prior = std::move(prior).value();
  }
  o.prior_weight = s.Double("profiler.prior_weight");
  o.learning_rate = s.Double("train.learning_rate");
  o.batch_size = static_cast<int>(s.Int("train.batch_size"));
  o.base_sample = static_cast<int>(s.Int("train.base_sample"));
  o.validation_fraction = s.Double("train.validation_fraction");
  o.seed = static_cast<uint64_t>(s.Int("seed"));
  return o;
}

Status CheckRunnable(const Settings& s) {
  if (s.String("clock") == "wall") {
    return Status::InvalidArgument(
        "clock: 'wall' is not available yet (the wall-time executor is not built); use clock=virtual");
  }
  if (s.String("clock") == "simulated") {
    return Status::InvalidArgument(
        "clock: 'simulated' runs from recorded profiles: use `ekya simulate --profiles DIR`");
  }
  return Status::Ok();
}

Result<RunOutcome> ExecuteRun(Settings settings, const DriftBenchmark& bench, const ModelStore& store,
                              const Policy& policy, const DeviceModel& device, const std::string& out_dir,
                              bool show_progress) {
  EKYA_RETURN_IF_ERROR(CheckRunnable(settings));
  EKYA_RETURN_IF_ERROR(settings.Set("policy", policy.spec()));
  Stopwatch watch;
  const int threads = static_cast<int>(settings.Int("threads"));

  ControllerOptions co;
  co.streams = bench.streams();
  co.windows = bench.windows();
  co.chunks = static_cast<int>(settings.Int("chunks"));
  co.devices = static_cast<int>(settings.Int("devices"));
  co.window_seconds = settings.Double("window_seconds");
  co.r_max = settings.Double("inference.r_max");
  EKYA_ASSIGN_OR_RETURN(co.on_completion, ParseOnCompletion(settings.String("on_completion")));
  co.configs = DefaultConfigSpace();
  co.profiler_share = settings.Double("profiler.share");

  // The models: a base per head width, the golden labeller.
  std::map<int, Model> bases;
  for (int hidden : HeadWidths(DefaultConfigSpace())) {
    EKYA_ASSIGN_OR_RETURN(Model m, store.Base(hidden));
    bases[hidden] = m;
  }
  EKYA_ASSIGN_OR_RETURN(Model golden, store.Golden());
  GoldenLabeller labeller(golden, 1);

  ManualClock clock(0.0);
  FirewallOptions fo = FirewallOptions::FromBenchmark(
      bench, settings.String("labels") == "golden" ? LabelSource::kGolden : LabelSource::kGroundTruth);
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<LabelFirewall> firewall,
                        LabelFirewall::Create(bench, clock, fo, &labeller));

  RealWorkloadOptions wo;
  wo.chunks = co.chunks;
  wo.r_max = co.r_max;
  wo.table_mode = settings.String("inference.accuracy") == "table";
  wo.threads = threads;
  wo.learning_rate = settings.Double("train.learning_rate");
  wo.batch_size = static_cast<int>(settings.Int("train.batch_size"));
  wo.base_sample = static_cast<int>(settings.Int("train.base_sample"));
  wo.validation_fraction = settings.Double("train.validation_fraction");
  wo.start_from_deployed = settings.String("train.start") == "deployed";
  wo.device = device;
  wo.golden_forward_flops = golden.Flops(TrainScope::kAllLayers).forward;
  wo.seed = static_cast<uint64_t>(settings.Int("seed"));
  // A policy without estimates runs no micro-profiler: its prior is neither
  // read nor checked (a fair run of the prior's own seed is fine).
  Settings profiler_settings = settings;
  if (!policy.NeedsEstimates()) EKYA_RETURN_IF_ERROR(profiler_settings.Set("profiler.prior", ""));
  EKYA_ASSIGN_OR_RETURN(wo.profiler, MakeProfilerOptions(profiler_settings));
  wo.profiler.keep_bases = policy.ProfiledBases();
  EKYA_ASSIGN_OR_RETURN(Model start, store.Base(64));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<RealWorkload> workload,
                        RealWorkload::Create(bench, *firewall, bases, start, wo));

  VirtualExecutorOptions eo;
  eo.devices = co.devices;
  eo.r_max = co.r_max;
  eo.curve = device.curve;
  eo.threads = threads;
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<VirtualExecutor> executor, VirtualExecutor::Create(clock, eo));

  RunRecorder recorder(show_progress, policy.spec());
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Controller> controller,
                        Controller::Create(co, clock, *executor, *workload, policy, recorder));
  EKYA_RETURN_IF_ERROR(controller->Run());

  RunOutcome outcome;
  outcome.info.policy = policy.spec();
  outcome.info.clock = settings.String("clock");
  outcome.info.seed = static_cast<uint64_t>(settings.Int("seed"));
  outcome.info.streams = co.streams;
  outcome.info.windows = co.windows;
  outcome.info.devices = co.devices;
  outcome.info.window_seconds = co.window_seconds;
  for (const DeviceUsage& u : executor->Usage()) {
    for (size_t k = 0; k < u.seconds.size(); ++k) outcome.info.usage.seconds[k] += u.seconds[k];
  }
  outcome.info.wall_seconds = watch.ElapsedSeconds();
  outcome.summary = Summarise(recorder, outcome.info);
  char detail[64];
  std::snprintf(detail, sizeof detail, "mean accuracy %.4f", outcome.summary.mean_accuracy);
  recorder.FinishProgress(detail);
  EKYA_RETURN_IF_ERROR(WriteRunDirectory(out_dir, settings.ToYaml(), recorder, outcome.info));
  return outcome;
}

}  // namespace ekya::app
