// Exhaustive profiling (`ekya profile`, issue 4): for every stream and window
// t >= 1, the micro-profiler's predictions for every config (pruning off)
// beside what retraining with that config in full really reached, and what
// it cost. The result is the ground truth the profiler is judged by, the
// true profiles `oracle` plans with, and the profiles the simulator replays.
//
// For stream s and window t (labels of windows 0..t−1 available: a
// ManualClock is set to the end of window t−1 plus the labelling delay, or
// later, see below):
//   - predictions: a MicroProfilingJob with every base config, run to its
//     end, from the stream's start model (the model a stream that never
//     retrained would have deployed), corrected as a run's profiler corrects
//     them: by ProfileCalibration learnt from the earlier windows' full
//     retraining (profiler.calibrate; a run learns only from the jobs that
//     ran) and by profiler.prior; with profiler.shift the clock is then
//     at window t's start plus the time its first shift_frames frames take
//     to arrive (a run's profiler ends later than that);
//   - measured: every config trained in full exactly as a run's retraining
//     job would train it (same retraining set, seeds and recipe), scored at
//     full frame rate on window t's frames against the ground truth; its
//     cost as a run would charge it (start-up + FLOPs of the samples
//     processed, labelling excluded);
//   - config "none": the start model's accuracy on window t (cost 0);
//   - the inference profile (inference_profile.csv): the start model's
//     measured accuracy on window t's frames at each analysed fraction
//     f = 0.05, 0.1, ..., 1 (credit sampler, skipped frames carry the last
//     prediction) — the truth the simulator replays; a run's
//     inference_profile.csv holds the profiler's estimate instead.
// Jobs are independent and run on `threads` worker threads (one intra-op
// thread each, longest first); results do not depend on the thread count.
//
// Not thread-safe itself; the benchmark and models must outlive the call.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/data/label_firewall.h"
#include "ekya/microprofile/micro_profiler.h"
#include "ekya/model/model.h"
#include "ekya/runtime/records.h"

namespace ekya {

struct ProfileStudyOptions {
  MicroProfilerOptions profiler;  // configs, recipe, device, seed (prune is ignored: off)
  LabelSource labels = LabelSource::kGolden;
  int threads = 1;
};

struct ProfileStudy {
  std::vector<ProfileRecord> rows;  // config "none" included
  std::vector<InferenceProfileRecord> inference;
  // profiler_costs.csv rows: (stream, window) -> device-seconds of its
  // micro-profiling job, labelling excluded (the study labels each window
  // before the jobs start; a run charges labelling separately).
  std::vector<std::tuple<int, int, double>> profiler_costs;
  // The same micro-profiles read by every estimator (profiler.estimator ×
  // profiler.progress), named "optimus/samples", ...: rows as `rows`, with
  // that estimator's predicted accuracy. So estimators are compared on one
  // set of profiling runs, and the default is chosen by measurement. Plus
  // "calibrated": the configured estimator corrected by ProfileCalibration
  // learnt from the earlier windows' full retraining (held_out − predicted),
  // without the prior. With profiler.prior, "prior": the configured estimator
  // moved towards the prior without calibration, and "prior-ranking": the
  // prior's ranking alone (weight 1) on the calibrated estimates.
  // With profiler.shift, every row is moved to window t by the shift
  // (ApplyShift), and two more rows show its parts: "unshifted" (the
  // configured estimator on the held-out slice, as without the shift) and
  // "shifted-by-deployed" (every config moved as the deployed model moved).
  std::map<std::string, std::vector<ProfileRecord>> by_estimator;
  // held_out.csv rows: (stream, window, base config id, epochs) -> the fully
  // retrained model's best accuracy on its validation slice (window t−1's
  // held-out sample, labelled as `labels` says): what the micro-profiler's
  // curve extrapolates to, beside measured_accuracy on window t. Separates
  // the profiler's own error from the drift between the two windows.
  std::vector<std::tuple<int, int, std::string, int, double>> held_out;
  double profiling_seconds = 0;   // device-seconds the micro-profiler was charged, in all
  double exhaustive_seconds = 0;  // device-seconds of training every config in full, in all
};

// bases: the base model per head width; start: the streams' first model;
// golden: the labeller (used when labels are golden).
Result<ProfileStudy> RunProfileStudy(const DriftBenchmark& bench, const std::map<int, Model>& bases,
                                     const Model& start, const Model& golden,
                                     const ProfileStudyOptions& options);

// The figures of issue 4 computed from profiles.csv rows (configs with both
// a prediction and a measurement; "none" rows give the start accuracy).
struct ProfilerQuality {
  int pairs = 0;                      // (stream, window, config) rows compared
  double median_abs_error = 0;        // |predicted − measured| accuracy, median
  double naive_median_abs_error = 0;  // the naive predictor "start + mean gain seen so far"
  int groups = 0;                     // (stream, window, epochs) groups
  double top1_hit_rate = 0;           // predicted best is within 0.005 of the true best
  double mean_regret = 0;             // true best − true accuracy of the predicted best
  double median_cost_error = 0;       // |predicted − measured| / measured cost, median
};
ProfilerQuality AssessProfiles(const std::vector<ProfileRecord>& rows);

// estimators.csv: estimator,median_abs_error,top1_hit_rate,mean_regret (one
// row per entry of by_estimator) and the same as text lines.
std::string EstimatorsCsv(const ProfileStudy& study);
std::string EstimatorsTable(const ProfileStudy& study);

// held_out.csv: stream,window,config,epochs,held_out_accuracy.
std::string HeldOutCsv(const ProfileStudy& study);

// profiler_costs.csv: stream,window,seconds.
std::string ProfilerCostsCsv(const ProfileStudy& study);

// A short text report of the figures above and the profiling cost.
std::string ProfileStudyTable(const ProfileStudy& study, const ProfilerQuality& q, int streams, int windows,
                              double window_seconds);

}  // namespace ekya
