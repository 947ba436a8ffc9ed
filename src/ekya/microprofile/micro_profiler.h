// The micro-profiler (SPEC §6): at a window's start it estimates, for one
// stream and every candidate retraining config, the accuracy retraining
// would reach and the compute it would cost, from short training runs on a
// small sample of the data the config would train on.
//
// Algorithm (one MicroProfilingJob per stream and window):
//   0. Labelling: as a retraining job, the first step labels the windows of
//      the stream's history nobody labelled yet (charged as `labelling`).
//   1. Data: the retraining set of the window (BuildRetrainingSet, with the
//      retraining's own seed and base sample), except that the held-out slice
//      of the newest window is enlarged to at least `min_eval` samples (a
//      superset of the retraining's validation slice: the same seeded order).
//      Evaluation happens only on that held-out slice of data that has already
//      arrived — never on the window being predicted, whose labels do not
//      exist yet (the released prototype's leak).
//   2. For every base config b (scope, head width, data fraction f_b) still
//      in the profiled set, the real config would train on n_b = round(f_b·N)
//      samples per epoch; the profiling run trains on m_b = max(min_samples,
//      round(fraction·n_b)) of them (at most N), from the same start model,
//      for `epochs` epochs, evaluating after each epoch. Base configs with the
//      same scope and head width share one run, at the smallest m_b of that
//      family in the config space, pruned bases included (so each (scope,
//      width) is trained once and pruning never makes a run larger: the
//      profiler stays a small, steady fraction of the window, SPEC §6).
//      Each step is one batch.
//   3. The start accuracy a0 (start model on the held-out slice) and the
//      points (x_k, accuracy after epoch k) — progress x_k measured in
//      epochs of the real config: k·s_run/s_real by SGD steps (the default,
//      `profiler.progress`), or k·m_b/n_b by samples — are fitted with the
//      curve of `fit.estimator` (profile/curve_fit.h) and read at each
//      candidate config's epoch count E.
//   4. Cost: the uncached cost per training sample of the real job
//      (train-step FLOPs) × E × n_b, plus E × the
//      validation passes of the real job, plus the device's start-up cost.
//   5. The deployed model's accuracy on the held-out slice estimates the
//      stream's current accuracy; configs predicted to beat it are the
//      candidates. With `prune`, after every second window's profile (t even)
//      the profiled set keeps only base configs that have a config on the
//      accuracy/cost Pareto front, or that are the best of their (scope, head
//      width) (SPEC §6 step 5); the set never grows back within a run.
//   5a. With `shift` (profiler.shift, microprofile/shift_estimate.h), a
//      last step reads window t's frames that have arrived by then (through
//      the firewall: no labels, nothing ahead of the clock; at most
//      `shift_frames`, spread evenly over them) and runs the deployed model
//      and each run's final model (best epoch) over them; their passes over
//      the held-out slice are those already made. A model's label-free
//      estimate on the new frames against its held-out accuracy is how far
//      window t has moved for it: the deployed model's estimate becomes the
//      stream's current accuracy, and each run's difference moves the
//      predictions of its family (ShiftEstimate, ApplyShift). Charged as
//      forward passes over the new frames. Off by default: it costs more
//      device time than the thief wins from it (docs/results.md).
//   6. The inference profile (SPEC §5), from the first `inference_frames`
//      frames of the last window and no model pass: a skipped frame keeps
//      the prediction of the last analysed frame, which is right about as
//      often as the model is when both frames show the same object, and
//      right by chance (two frames' classes agreeing, Σ p_c² over the class
//      mix of the last window's labelled sample) otherwise.
//      Whether two consecutive frames show the same object is read from the
//      frames themselves (the mean absolute pixel difference splits into two
//      clusters, same object under jitter and a new object). For each
//      f = 0.05, 0.1, ..., 1 a credit sampler picks the analysed frames and
//      factor(f) = mean over frames of [same object as the last analysed
//      frame] + [not] · Σ p_c² / acc, capped at 1; the model's accuracy
//      times factor(f) is the estimated accuracy at f. (Plain agreement
//      between carried and full-rate predictions underestimates it badly:
//      jitter alone flips many full-rate predictions of the same object.)
// Cost of every step is charged from FLOPs on the modelled device, for the
// passes really made: training samples × train-step FLOPs, evaluations ×
// forward FLOPs. Head-only runs train on cached
// features (TrainOptions::cache_frozen_features): one backbone pass per
// sample of the run and of the held-out slice, then head-only passes; the
// start accuracy of a head width comes from its run (the cache's first use),
// and the deployed model is not evaluated again when it is one of the start
// models (Model::SharesWeightsWith). The cost estimate of a real config
// (step 4) still uses the uncached per-sample cost: retraining jobs do not
// cache. No start-up cost: the profiler is resident on its
// device, its start models and data stay loaded from one window to the next
// (the start-up cost of the device model is what launching a retraining job
// costs; docs/decisions/0003).
//
// Thread-safety: a job is used by one thread at a time. The profiler state
// (ProfilerState) is owned by the workload and touched only between jobs.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ekya/data/drift_benchmark.h"
#include "ekya/data/label_firewall.h"
#include "ekya/microprofile/config_prior.h"
#include "ekya/microprofile/shift_estimate.h"
#include "ekya/model/model.h"
#include "ekya/profile/cost_model.h"
#include "ekya/profile/curve_fit.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/runtime/job.h"
#include "ekya/sched/estimates.h"

namespace ekya {

// How a profiling run's progress maps onto the real config's epochs (step
// 3): by samples seen (k epochs of m_b samples = k·m_b/n_b real epochs), or
// by SGD steps taken (k·s_run/s_real, s = batches per epoch: the profiler's
// small batch takes more steps per sample than the real job's batch).
enum class ProfileProgress { kSamples, kSteps };

struct MicroProfilerOptions {
  std::vector<RetrainConfig> configs;  // the candidate space (full configs)
  int epochs = 5;                      // profiler.epochs
  double fraction = 0.1;               // profiler.fraction
  int min_samples = 64;                // profiler.min_samples
  int min_eval = 100;                  // profiler.min_eval
  // Batch of the profiling runs (profiler.batch_size): small, so that a few
  // epochs on a small sample still take enough SGD steps to show a trend
  // (Ekya trained at batch 8). The cost charged is per sample, whatever the batch.
  int profile_batch_size = 8;
  CurveEstimator estimator = CurveEstimator::kOptimus;
  ProfileProgress progress = ProfileProgress::kSteps;  // profiler.progress (measured: docs/results.md)
  bool prune = true;
  std::set<std::string> keep_bases;  // never pruned: the policy's Policy::ProfiledBases()
  bool calibrate = true;  // profiler.calibrate: ProfileCalibration (below; measured: docs/results.md)
  int inference_frames = 100;  // frames of the last window for the inference profile
  ShiftMethod shift = ShiftMethod::kNone;  // profiler.shift (measured: docs/results.md)
  int shift_frames = 100;                  // profiler.shift_frames: most new frames step 5a reads
  // profiler.prior / profiler.prior_weight (microprofile/config_prior.h):
  // applied after calibration by the run's workload and `ekya profile`.
  ConfigPrior prior;
  double prior_weight = 0.75;
  // The retraining jobs' own recipe, so that the profile matches them.
  double learning_rate = 0.01;
  int batch_size = 32;
  int base_sample = 500;
  double validation_fraction = 0.2;
  DeviceModel device;
  uint64_t seed = 1;
};

// One profiled base config.
struct BaseProfile {
  std::string base_id;             // "all-h1024-f0.5"
  int64_t config_samples = 0;      // n_b: samples per epoch of the real config
  int64_t run_samples = 0;         // m_b: samples per epoch of the profiling run
  int64_t validation_samples = 0;  // per epoch, of the real retraining job
  int64_t config_steps = 0;        // batches per epoch of the real config (0: unknown)
  int64_t run_steps = 0;           // batches per epoch of the profiling run (0: unknown)
  double start_accuracy = 0;
  std::vector<double> accuracy_per_epoch;
  double seconds_per_sample = 0;       // measured: charged training seconds / samples
  double eval_seconds_per_sample = 0;  // one forward pass of the model
};

// Turns base profiles into estimates for the full configs whose base was
// profiled. Pure.
std::vector<ConfigEstimate> EstimateConfigs(const std::vector<BaseProfile>& profiles,
                                            const std::vector<RetrainConfig>& configs,
                                            CurveEstimator estimator, double startup_seconds,
                                            ProfileProgress progress = ProfileProgress::kSamples);

// Sets estimates.candidates to the configs of estimates.all predicted to
// beat the deployed accuracy (SPEC §6 step 5).
void SelectCandidates(StreamEstimates& estimates);

// The configs of `estimates` on the accuracy/cost Pareto front (higher
// accuracy, lower cost), plus the most accurate of each (scope, head width):
// their base ids.
std::set<std::string> ParetoBases(const std::vector<ConfigEstimate>& estimates);

// The inference profile of a stream from consecutive frames, the classes
// of a sample of the same window (their mix gives the chance that two
// frames' predictions agree) and the model's estimated accuracy (see 6.
// above). No frames give an empty profile; no classes, a chance of 0.
InferenceProfile EstimateInferenceProfile(const ImageBatch& frames, const std::vector<int>& classes,
                                          double accuracy);

// Online calibration of the micro-profiler by what full retraining really
// reached on the profiler's own target (profiler.calibrate). A retraining
// job keeps its best weights by their accuracy on its validation slice, a
// part of the held-out sample of window t−1 the profiler evaluates on; so at
// the job's end the system knows, with labels it has, what config c reached
// where the profiler predicted it. The difference (a residual) is recorded
// under c's family — scope and head width, "head-h64" or "all-h1024" —
// pooled over streams and windows. It is the profiler's own extrapolation
// error, apart from the drift to window t, which is common to every config:
// short runs on a small sample under-predict all-layer retraining more than
// head-only retraining (docs/results.md), and that skews the ranking.
// Apply adds to each estimate its family's correction, the mean residual
// shrunk by n/(n + 1) for n residuals (0 without any), clamps to [0, 1],
// and re-selects the candidates against the deployed accuracy (unchanged).
// The real workload applies it; the simulator replays recorded predictions
// uncorrected.
// Not thread-safe: one owner (the workload), between jobs.
class ProfileCalibration {
 public:
  static std::string Family(const RetrainConfig& config);  // "head-h64"
  void Record(const std::string& family, double residual);
  double Correction(const std::string& family) const;
  int count(const std::string& family) const;
  void Apply(StreamEstimates& estimates) const;

 private:
  std::map<std::string, std::pair<double, int>> sums_;  // family -> (sum, count)
};

// What step 5a read off the new window's first frames.
struct ShiftEstimate {
  bool measured = false;  // false: shift none, or no frame had arrived
  int frames = 0;         // new frames read
  double deployed_held_out = 0;  // the deployed model on the held-out slice
  double deployed_new = 0;       // ... and its estimate on the new frames
  // Family ("all-h1024") -> (its run's final model on the held-out slice,
  // its estimate on the new frames).
  std::map<std::string, std::pair<double, double>> family;
};

// Moves estimates made on the held-out slice to the new window: the
// deployed accuracy becomes its estimate on the new frames, each config
// moves by its family's difference (clamped to [0, 1]; configs of a family
// without a run keep theirs), and the candidates are re-selected. Nothing
// changes when !shift.measured.
void ApplyShift(StreamEstimates& estimates, const ShiftEstimate& shift);

// Everything the workload hands a profiling job.
struct ProfilingInputs {
  LabelFirewall* firewall = nullptr;
  const LabelledImages* base_data = nullptr;
  int stream = 0;
  int window = 0;
  std::map<int, Model> start_models;  // by head width
  Model deployed;
  ImageBatch last_window_frames;  // the first inference_frames frames of window t−1
  std::set<std::string> bases;    // base ids to profile
  double labelling_seconds = 0;   // charged by the first step (0: nothing to label)
};

class MicroProfilingJob final : public Job {
 public:
  MicroProfilingJob(ProfilingInputs inputs, const MicroProfilerOptions& options);
  ~MicroProfilingJob() override;

  Result<JobStep> RunStep() override;
  JobKind NextKind() const override;
  std::string Describe() const override;

  int stream() const;
  bool finished() const;
  // After the last step: the estimates for the new window (the held-out
  // ones moved by the shift, step 5a), the estimates on the held-out slice
  // (what full retraining's validation is compared with), the shift, and the
  // base profiles they came from.
  Result<StreamEstimates> Estimates() const;
  Result<StreamEstimates> HeldOutEstimates() const;
  Result<ShiftEstimate> Shift() const;
  Result<std::vector<BaseProfile>> BaseProfiles() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ekya
