// Settings -> the option structs of the components, and the set-up steps that
// several commands share (loading the data, opening the model cache).
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/microprofile/micro_profiler.h"
#include "ekya/pretrain/model_store.h"
#include "ekya/profile/cost_model.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/report/run_output.h"
#include "ekya/sched/policy.h"

namespace ekya::app {

DriftOptions MakeDriftOptions(const Settings& s);
PretrainOptions MakePretrainOptions(const Settings& s);
// The costliest config with the retraining learning rate and batch size of the settings.
RetrainConfig MakeCostliestConfig(const Settings& s);

// Loads Fashion-MNIST from dataset.path and builds the drift benchmark.
Result<std::unique_ptr<DriftBenchmark>> LoadBenchmark(const Settings& s);

// Opens the model cache and trains whatever is missing (with progress).
Result<std::unique_ptr<ModelStore>> EnsureModels(const Settings& s, const DriftBenchmark& bench, bool force);

// The modelled device of the settings (device.flops, device.startup_seconds,
// device.speed_curve), or with device.profile=measured one calibrated on this
// machine by a short training benchmark of the streams' model.
Result<DeviceModel> MakeDeviceModel(const Settings& s);

// The expected size of a window's labelled sample: one frame per track
// (mean track length) times sample_per_track.
double ExpectedSamplesPerWindow(const Settings& s);

// The calibration rule of SPEC §2.1 applied to a scenario: the device on
// which the costliest config (all layers, h1024, all the data, 30 epochs) at
// the mid-run history size (the expected retraining set of window W/2) takes
// 1.5 windows at full share, and the cheapest (head only, h64, 10%, 5 epochs)
// 2% of a window. The defaults of device.flops and device.startup_seconds are
// this rule applied to the default scenario (a test checks it).
Result<DeviceModel> CalibrateDevice(const Settings& s);

// The micro-profiler's options from the settings (profiler.*, the
// retraining recipe, the config space, the seed); the device is left at its
// default for the caller to set. An error when profiler.prior cannot be
// read.
Result<MicroProfilerOptions> MakeProfilerOptions(const Settings& s);

// Refuses settings that name something not built yet (clock=wall).
Status CheckRunnable(const Settings& s);

// What one run of the window loop produced.
struct RunOutcome {
  RunInfo info;
  RunSummary summary;
};

// Runs the window loop once with `policy` over the benchmark and the cached
// models, and writes the run directory `out_dir` (only when the run
// succeeds). settings.policy is set to the policy's full spec.
Result<RunOutcome> ExecuteRun(Settings settings, const DriftBenchmark& bench, const ModelStore& store,
                              const Policy& policy, const DeviceModel& device, const std::string& out_dir,
                              bool show_progress);

}  // namespace ekya::app
