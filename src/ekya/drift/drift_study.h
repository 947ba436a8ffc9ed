// DriftStudy: measures how hard the drift benchmark is (SPEC §3.1, `ekya
// drift`), with ground-truth labels, full frame rate and model accuracy only.
//
// For every stream s and window t >= 1 it retrains the base model with the
// costliest config on s's labelled history 0..t−1 (plus a clean base sample;
// a held-out slice of window t−1's sample picks the best epoch) without a time
// limit, and scores models on whole windows. From those models and scores:
//   base_model_clean_accuracy  base model on the clean held-out base data;
//   noretrain_model_accuracy   base model on windows t >= 1 (mean over streams and windows);
//   best_retraining_accuracy   M[s][t] on window (s, t), mean over s and t >= 1;
//   stale_gap                  M[s][t] − M[s][t−1] on window (s, t), mean over t >= 2;
//   specialisation_gap         M[s][t] − M[s'][t] on window (s, t), mean over s' != s and t >= 1;
//   retrain_once_gap           M[s][t] − M[s][1] on window (s, t), mean over t >= 2
//                              (at t = 1 the two strategies are the same model);
//   golden_accuracy_drifted    golden model on windows t >= 1.
// All retraining runs are independent and seeded by (seed, stream, window),
// so the report does not depend on how many threads ran them.
//
// Labels for training come through the LabelFirewall, with a ManualClock set
// to the end of window t−1 before window t's model is trained; scoring goes
// through GroundTruthScorer. Not thread-safe itself; it runs its retraining
// jobs on `threads` worker threads with one intra-op thread each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/model/model.h"
#include "ekya/profile/retrain_config.h"

namespace ekya {

struct DriftStudyOptions {
  RetrainConfig config;              // the costliest config (learning rate and batch from settings)
  int base_sample = 500;             // clean base images added to every training set
  double validation_fraction = 0.2;  // of window t−1's sample, held out to pick the best epoch
  int threads = 2;                   // worker threads (each trains with one intra-op thread)
  uint64_t seed = 1;
};

struct DriftReport {
  double base_model_clean_accuracy = 0;
  double noretrain_model_accuracy = 0;
  double best_retraining_accuracy = 0;
  double stale_gap = 0;
  double specialisation_gap = 0;
  double retrain_once_gap = 0;
  double golden_accuracy_drifted = 0;
  int streams = 0;
  int windows = 0;
  uint64_t seed = 0;
  double seconds = 0;
  // Per stream and window (t >= 1; index 0 unused): base, retrained and golden accuracy.
  std::vector<std::vector<double>> noretrain;
  std::vector<std::vector<double>> retrained;
  std::vector<std::vector<double>> golden;
  std::vector<std::vector<std::string>> appearance;

  // The floors of SPEC §3.1; each failed floor is one line of text.
  std::vector<std::string> FailedFloors() const;
  // drift.json: exactly the seven metrics plus streams, windows and seed.
  std::string ToJson() const;
  // drift_windows.csv: stream,window,appearance,noretrain_accuracy,
  // retrained_accuracy,golden_accuracy for every stream and window t >= 1.
  std::string ToWindowsCsv() const;
  // The table printed by `ekya drift`.
  std::string ToTable() const;
};

// Requires streams >= 2 (for the specialisation gap) and windows >= 3 (for
// the stale and retrain-once gaps): InvalidArgument otherwise. Returns the
// first training, labelling or scoring error with its stream and window.
Result<DriftReport> MeasureDrift(const DriftBenchmark& bench, const Model& base, const Model& golden,
                                 const DriftStudyOptions& options);

}  // namespace ekya
