// The run directory (SPEC §9, issue 3): what a run recorded, turned into
// files and tables.
//
//   settings.yaml     the effective settings (written by the caller's text)
//   chunks.csv        stream,window,chunk,time_s,model_version,inference_share,
//                     frames_total,frames_analysed,correct,accuracy,accuracy_mode
//   windows.csv       stream,window,retrain_config,inference_share,retrain_share,
//                     accuracy_before,accuracy_after,retrain_done_s,window_accuracy
//   allocations.csv   window,time_s,stream,job,device,share,reason
//   decisions.csv     window,time_s,replan,seconds  (how long each policy call took)
//   snapshots.jsonl   one line per row of decisions.csv, in the same order: the
//                     snapshot that policy call was asked with, as
//                     {"window":..,"time_s":..,"replan":..,"snapshot":{...}}
//                     (sched/snapshot_io.h); empty when the policy was never asked
//   profiles.csv      stream,window,config,epochs,predicted_accuracy,predicted_cost_s,
//                     measured_accuracy,measured_cost_s  (the micro-profiler's predictions;
//                     measured_* filled for the config that ran; header only without a profiler)
//   inference_profile.csv  stream,window,fraction,accuracy
//   summary.json      policy, clock, seed, streams, windows, devices,
//                     mean_accuracy, per_stream, device_seconds, wall_seconds
//
// Rows are sorted (chunks by stream, window, chunk; windows by stream,
// window; allocations and decisions in the order recorded), numbers are
// printed with fixed rules so that the same run gives byte-identical files.
// Every file is written whole (temporary file + rename), never half.
//
// RunRecorder is the RunSink of a real run: it keeps every record in memory
// and, when asked, drives a progress display. Not thread-safe: the
// controller calls it from one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/report/progress.h"
#include "ekya/runtime/executor.h"
#include "ekya/runtime/records.h"
#include "ekya/sched/snapshot_io.h"

namespace ekya {

class RunRecorder : public RunSink {
 public:
  // show_progress: draw a progress display (quiet when stderr is not a
  // terminal, see progress.h) titled `task`.
  explicit RunRecorder(bool show_progress = false, std::string task = "run");
  ~RunRecorder() override;

  void OnChunk(const ChunkRecord& r) override;
  void OnWindow(const WindowRecord& r) override;
  void OnAllocation(const AllocationRecord& r) override;
  void OnDecision(const DecisionRecord& r) override;
  void OnProfile(const ProfileRecord& r) override;
  void OnInferenceProfile(const InferenceProfileRecord& r) override;
  void OnProgress(int window, int windows, int stream, const std::string& what) override;
  // Ends the progress display (no-op without one).
  void FinishProgress(const std::string& detail);

  const std::vector<ChunkRecord>& chunks() const { return chunks_; }
  const std::vector<WindowRecord>& windows() const { return windows_; }
  const std::vector<AllocationRecord>& allocations() const { return allocations_; }
  const std::vector<DecisionRecord>& decisions() const { return decisions_; }
  // A copy of the snapshot of every decision that came with one, in order.
  const std::vector<SnapshotRecord>& snapshots() const { return snapshots_; }
  const std::vector<ProfileRecord>& profiles() const { return profiles_; }
  const std::vector<InferenceProfileRecord>& inference_profiles() const { return inference_profiles_; }

 private:
  std::vector<ChunkRecord> chunks_;
  std::vector<WindowRecord> windows_;
  std::vector<AllocationRecord> allocations_;
  std::vector<DecisionRecord> decisions_;
  std::vector<SnapshotRecord> snapshots_;
  std::vector<ProfileRecord> profiles_;
  std::vector<InferenceProfileRecord> inference_profiles_;
  std::unique_ptr<Progress> progress_;
  std::string task_;
  bool show_progress_;
};

// Facts about a run that the records do not hold.
struct RunInfo {
  std::string policy;  // the policy spec as text
  std::string clock;   // "virtual"
  uint64_t seed = 0;
  int streams = 0;
  int windows = 0;
  int devices = 0;
  double window_seconds = 0;
  DeviceUsage usage;          // summed over devices
  double wall_seconds = 0;    // real time the run took
};

struct RunSummary {
  double mean_accuracy = 0;             // mean window_accuracy over streams and windows t >= 1
  std::map<int, double> per_stream;     // stream -> mean window_accuracy over t >= 1
  DeviceUsage usage;
  double wall_seconds = 0;
};

// Means over window records with window >= 1 (all windows if the run has
// only window 0).
RunSummary Summarise(const RunRecorder& recorder, const RunInfo& info);

std::string ChunksCsv(const std::vector<ChunkRecord>& rows);
std::string WindowsCsv(const std::vector<WindowRecord>& rows);
std::string AllocationsCsv(const std::vector<AllocationRecord>& rows);
std::string DecisionsCsv(const std::vector<DecisionRecord>& rows);
// snapshots.jsonl: one SnapshotRecordToJson line per record, in order.
std::string SnapshotsJsonl(const std::vector<SnapshotRecord>& rows);
// Sorted by stream, window, config, epochs.
std::string ProfilesCsv(const std::vector<ProfileRecord>& rows);
// Sorted by stream, window, fraction.
std::string InferenceProfileCsv(const std::vector<InferenceProfileRecord>& rows);
// summary.json: exactly the keys listed above; device_seconds is an object
// with inference, retraining, profiling and labelling.
std::string SummaryJson(const RunSummary& summary, const RunInfo& info);

// Writes every file above into `dir` (created when missing). IOError naming
// the file on failure.
Status WriteRunDirectory(const std::string& dir, const std::string& settings_yaml, const RunRecorder& recorder,
                         const RunInfo& info);

// The table printed at the end of `ekya run`: per stream mean accuracy, the
// overall mean, device-seconds by job kind, wall time.
std::string RunTable(const RunSummary& summary, const RunInfo& info);

// One row of `ekya compare`.
struct ComparisonRow {
  std::string policy;
  double mean_accuracy = 0;
  double device_seconds_total = 0;
  double wall_seconds = 0;
};
// comparison.csv: policy,mean_accuracy,device_seconds_total,wall_seconds
// (policy quoted when it contains a comma).
std::string ComparisonCsv(const std::vector<ComparisonRow>& rows);
// The table printed by `ekya compare`, best accuracy marked.
std::string ComparisonTable(const std::vector<ComparisonRow>& rows);

}  // namespace ekya
