// Throughput benchmark of a model spec on this machine (`ekya bench train`):
// training samples/s (all layers, and head only; SGD with momentum on random
// images of the spec's input size, including the uint8 -> tensor conversion)
// and inference samples/s (Model::Predict, batch 256), with the analytic FLOPs
// per sample, from which a device's throughput can be calibrated
// (`device.profile=measured`).
//
// Threads: runs on the calling thread with a libtorch intra-op budget of
// `threads`. Not meant to run beside other jobs (it measures the machine).
// Real time is read through ekya::Stopwatch (time/).
// Failures: InvalidArgument for a bad spec or argument; Internal for a
// libtorch exception.
#pragma once

#include <cstdint>

#include "ekya/common/status.h"
#include "ekya/model/model.h"

namespace ekya {

struct BenchResult {
  ModelSpec spec;
  int batch = 0;
  int threads = 0;
  double train_samples_per_s = 0;            // all layers trained
  double train_head_only_samples_per_s = 0;  // backbone frozen
  double infer_samples_per_s = 0;            // batch 256
  FlopCount flops_all_layers;                // per sample
  FlopCount flops_head_only;
  // Achieved training GFLOP/s (all layers): train_samples_per_s * train_step.
  double train_gflops_per_s() const { return train_samples_per_s * flops_all_layers.train_step / 1e9; }
};

// Each of the three measurements runs for about seconds_each (after a short
// warm-up, at least 3 steps). Requires batch >= 1, threads >= 1,
// seconds_each > 0.
Result<BenchResult> BenchmarkThroughput(const ModelSpec& spec, int batch, int threads, double seconds_each,
                                        uint64_t seed);

}  // namespace ekya
