// RealWorkload: the Workload of real runs (virtual or wall clock) over the
// built-in drift benchmark. Frames are rendered by the benchmark, inference
// really runs the deployed models, retraining jobs really train (train/), and
// chunks are scored against the ground truth here, behind the Workload
// interface, so that nothing above sees a label.
//
// Inference (SPEC §2.1, §5). At share s a stream's inference analyses
//   measured: the frames the credit sampler picks at min(1, s/r_max); skipped
//             frames keep the previous prediction (across chunks and windows);
//   table:    1 in k = ceil(r_max/s) frames, and the chunk's correct count is
//             the full-rate count times the paper's factor for k (1.00, .78,
//             .64, .60, .44, .42, .41, .33, .28, .15 for k = 1..10, .12 at 15,
//             .04 at 20, 0 beyond; linear in between), rounded.
//
// Retraining jobs (SPEC §2 step 1, §5). A job for stream s in window t trains
// on the labelled history of windows 0..t−1 (BuildRetrainingSet through the
// label firewall, so labels exist only once the clock allows) plus a base
// sample. With golden labels, the windows of s's history not labelled yet
// are labelled by the job's first step, charged as `labelling`: frames ×
// the golden model's forward FLOPs on the modelled device. Each training step
// is one batch, charged samples × (forward + backward of the trained layers)
// FLOPs plus validation samples × forward FLOPs, and the device's start-up
// cost with the first batch. A job starts from the base model of its head
// width (or, with start_from_deployed, from the deployed model when the
// widths match), with the retraining learning rate and batch size of the
// options, seeded by (seed, stream, window).
//
// Threads: InferChunk, BeginWindow and Deploy fan out over `threads` worker
// threads, one intra-op thread each; a job's steps run on one intra-op
// thread. Not thread-safe otherwise (one owner). The benchmark, the firewall
// and the base models must outlive the workload and its jobs.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <vector>

#include "ekya/data/drift_benchmark.h"
#include "ekya/data/label_firewall.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/microprofile/micro_profiler.h"
#include "ekya/model/model.h"
#include "ekya/profile/cost_model.h"
#include "ekya/runtime/workload.h"
#include "ekya/train/retraining_set.h"

namespace ekya {

struct RealWorkloadOptions {
  int chunks = 10;              // C >= 1, at most the frames per window
  double r_max = 0.25;          // in (0, 1]
  bool table_mode = false;      // inference.accuracy = table
  int threads = 1;              // >= 1
  double learning_rate = 0.01;  // of every retraining config
  int batch_size = 32;
  int base_sample = 500;
  double validation_fraction = 0.2;
  bool start_from_deployed = false;
  DeviceModel device;
  // FLOPs of one golden-model forward pass; labelling is charged only when
  // the firewall's source is golden.
  double golden_forward_flops = 0;
  uint64_t seed = 1;
  // The micro-profiler's options (its configs, recipe and device are those
  // of the run).
  MicroProfilerOptions profiler;
};

// The paper's accuracy factor for analysing 1 in k frames (k >= 1).
double TableAccuracyFactor(int k);

class RealWorkload final : public Workload {
 public:
  // base_models: one per head width the configs need; start: every stream's
  // first deployed model. InvalidArgument for bad options or models.
  static Result<std::unique_ptr<RealWorkload>> Create(const DriftBenchmark& bench, LabelFirewall& firewall,
                                                      std::map<int, Model> base_models, Model start,
                                                      const RealWorkloadOptions& options);

  Status BeginWindow(int window) override;
  Result<std::vector<ChunkScore>> InferChunk(int chunk, const std::vector<double>& shares) override;
  Result<double> DeployedAccuracy(int stream) override;
  Result<std::unique_ptr<Job>> MakeRetrainingJob(int stream, const RetrainConfig& config) override;
  Result<double> Deploy(int stream, Job& job) override;
  Result<std::unique_ptr<Job>> MakeProfilingJob(int stream) override;
  Result<StreamEstimates> Estimates(int stream, Job& job) override;
  std::string accuracy_mode() const override { return options_.table_mode ? "table" : "measured"; }

 private:
  struct StreamState {
    Model deployed;
    ImageBatch frames;           // the current window's frames
    std::vector<int> truth;      // scoring only
    std::vector<int> full_rate;  // the deployed model's predictions on every frame
    CreditSampler sampler;
    int last_prediction = -1;
    std::vector<bool> labelled;  // per window: labelling already charged
    ImageBatch last_frames;                // the first frames of the previous window (inference profile)
    std::set<std::string> profiled_bases;  // base configs the micro-profiler still profiles
    // Calibration (profiler.calibrate): this window's uncorrected estimates.
    int estimates_window = -1;
    std::vector<ConfigEstimate> raw_estimates;
  };

  // Device-seconds of labelling the windows of the stream's history nobody
  // labelled yet (0 with ground-truth labels); marks them labelled.
  Result<double> ChargeLabelling(int stream);

  RealWorkload(const DriftBenchmark& bench, LabelFirewall& firewall, std::map<int, Model> base_models,
               const RealWorkloadOptions& options)
      : bench_(bench), firewall_(firewall), base_models_(std::move(base_models)), options_(options) {}

  const DriftBenchmark& bench_;
  LabelFirewall& firewall_;
  std::map<int, Model> base_models_;
  RealWorkloadOptions options_;
  std::vector<StreamState> streams_;
  ProfileCalibration calibration_;
  int window_ = -1;
};

}  // namespace ekya
