// Settings -> the option structs of the components, and the set-up steps that
// several commands share (loading the data, opening the model cache).
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/pretrain/model_store.h"
#include "ekya/profile/retrain_config.h"

namespace ekya::app {

DriftOptions MakeDriftOptions(const Settings& s);
PretrainOptions MakePretrainOptions(const Settings& s);
// The costliest config with the retraining learning rate and batch size of the settings.
RetrainConfig MakeCostliestConfig(const Settings& s);

// Loads Fashion-MNIST from dataset.path and builds the drift benchmark.
Result<std::unique_ptr<DriftBenchmark>> LoadBenchmark(const Settings& s);

// Opens the model cache and trains whatever is missing (with progress).
Result<std::unique_ptr<ModelStore>> EnsureModels(const Settings& s, const DriftBenchmark& bench, bool force);

}  // namespace ekya::app
