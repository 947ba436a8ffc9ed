#include "wiring.h"

#include "ekya/data/idx.h"

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

}  // namespace ekya::app
