// What a run records, and the sink it records into (SPEC §9). The report
// module turns these records into the run directory's files; tests collect
// them in memory. Plain values.
#pragma once

#include <optional>
#include <string>

#include "ekya/runtime/job.h"

namespace ekya {

// chunks.csv: one row per stream, window and chunk.
struct ChunkRecord {
  int stream = 0;
  int window = 0;
  int chunk = 0;
  double time_s = 0;      // chunk start, seconds since the window's start
  int model_version = 0;  // 0 = the base model; +1 at every swap
  double inference_share = 0;
  int frames_total = 0;
  int frames_analysed = 0;
  int correct = 0;
  std::string accuracy_mode;  // "measured" | "table"
  double accuracy() const { return frames_total > 0 ? static_cast<double>(correct) / frames_total : 0.0; }
};

// windows.csv: one row per stream and window.
struct WindowRecord {
  int stream = 0;
  int window = 0;
  std::string retrain_config = "none";  // full id with epochs, or "none"
  double inference_share = 0;           // as planned at the window's start
  double retrain_share = 0;
  double accuracy_before = 0;            // deployed model at the window's start, full frame rate
  std::optional<double> accuracy_after;  // the retrained model on this window, when it finished
  std::optional<double> retrain_done_s;  // seconds since the window's start, when it finished
  double window_accuracy = 0;            // mean of the chunk accuracies
};

// allocations.csv: a row whenever a job's share changes, and a closing row
// (share 0, reason "window_end") per job at the window's end.
struct AllocationRecord {
  int window = 0;
  double time_s = 0;
  int stream = 0;
  JobKind job = JobKind::kInference;
  int device = 0;
  double share = 0;
  std::string reason;  // window_start, plan, labelled, done, failed, handout, replan, window_end
};

// profiles.csv: the micro-profiler's prediction for one config, beside what
// retraining with it then measured (filled for the config that ran).
struct ProfileRecord {
  int stream = 0;
  int window = 0;
  std::string config;  // base id without epochs ("all-h1024-f0.5")
  int epochs = 0;
  double predicted_accuracy = 0;
  double predicted_cost_s = 0;
  std::optional<double> measured_accuracy;
  std::optional<double> measured_cost_s;
};

// inference_profile.csv: a stream's estimated accuracy at an analysed fraction.
struct InferenceProfileRecord {
  int stream = 0;
  int window = 0;
  double fraction = 0;
  double accuracy = 0;
};

struct Snapshot;  // sched/policy.h

// One call of the policy.
struct DecisionRecord {
  int window = 0;
  double time_s = 0;
  bool replan = false;
  double seconds = 0;  // real time the decision took
  // The snapshot the policy was asked with (snapshots.jsonl). Valid only
  // during the OnDecision call: a sink that keeps it keeps a copy. Null when
  // the caller has none (tests).
  const Snapshot* snapshot = nullptr;
};

class RunSink {
 public:
  virtual ~RunSink() = default;
  virtual void OnChunk(const ChunkRecord& r) = 0;
  virtual void OnWindow(const WindowRecord& r) = 0;
  virtual void OnAllocation(const AllocationRecord& r) = 0;
  virtual void OnDecision(const DecisionRecord& r) = 0;
  virtual void OnProfile(const ProfileRecord& r) { (void)r; }
  virtual void OnInferenceProfile(const InferenceProfileRecord& r) { (void)r; }
  // Progress for a display: window, stream (-1 for all) and what runs.
  virtual void OnProgress(int window, int windows, int stream, const std::string& what) = 0;
};

}  // namespace ekya
