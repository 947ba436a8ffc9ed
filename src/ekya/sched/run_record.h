// A recorded schedule read back from a run directory (SPEC §7.5, §9): the
// rows of windows.csv and allocations.csv that an earlier run (or the
// simulator) wrote, for `replay`. Torch-free; sched cannot depend on the
// report module that writes these files, so the columns are spelled here too
// and must match report/run_output.h:
//
//   windows.csv      stream,window,retrain_config,inference_share,retrain_share,
//                    accuracy_before,accuracy_after,retrain_done_s,window_accuracy
//   allocations.csv  window,time_s,stream,job,device,share,reason
//
// Rules of the reader. The first line must be exactly the header above (a
// trailing '\r' is dropped); blank lines are skipped; fields are split on
// commas with CSV quoting ("a,b", doubled quotes). windows.csv: stream and
// window are integers >= 0, retrain_config is "none" or a full config id with
// epochs (RetrainConfig::Parse), the shares are finite numbers >= 0, the
// accuracies and retrain_done_s are numbers ("nan" allowed) and the last
// three may be empty; a (stream, window) pair appears at most once.
// allocations.csv: window, stream and device are integers >= 0, time_s and
// share finite numbers (share >= 0), job one of inference, retraining,
// profiling, labelling, and reason not empty. Any other line is
// refused with Corrupt naming "<origin>/<file> line <n>".
//
// profiled() says whether the run had the micro-profiler's phase: true when
// allocations.csv has a row of job `profiling` (the controller records one,
// reason "profile", per stream of every window t >= 1 of a policy that
// NeedsEstimates()), false otherwise.
//
// Plain values; loading is a pure function of the files. Thread-safe to read
// (every accessor is const and allocates nothing shared).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/retrain_config.h"

namespace ekya {

// One windows.csv row.
struct RecordedWindow {
  int stream = 0;
  int window = 0;
  std::optional<RetrainConfig> retrain;  // none when the row says "none"
  double inference_share = 0;            // as planned at the window's start
  double retrain_share = 0;
  double accuracy_before = 0;
  std::optional<double> accuracy_after;
  std::optional<double> retrain_done_s;
  double window_accuracy = 0;
};

// The job column of allocations.csv. A retraining job's labelling phase is
// recorded as kLabelling (it holds the retraining job's share).
enum class RecordedJob { kInference, kRetraining, kProfiling, kLabelling };

// One allocations.csv row.
struct RecordedAllocation {
  int window = 0;
  double time_s = 0;  // seconds since the window's start (printed with 6 significant digits)
  int stream = 0;
  RecordedJob job = RecordedJob::kInference;
  int device = 0;
  double share = 0;
  std::string reason;  // window_start, plan, replan, done, window_end, ...
};

class RunRecord {
 public:
  // Reads DIR/windows.csv and DIR/allocations.csv; both are required.
  // NotFound naming the path of a missing file; Corrupt naming the file and
  // line of a bad header or row.
  static Result<RunRecord> Load(const std::string& dir);
  // The same from text (tests); `origin` stands for the directory in messages.
  static Result<RunRecord> Parse(const std::string& windows_csv, const std::string& allocations_csv,
                                 const std::string& origin = "<text>");

  const std::vector<RecordedWindow>& windows() const { return windows_; }
  // In file order (the order the run recorded them).
  const std::vector<RecordedAllocation>& allocations() const { return allocations_; }

  // The windows.csv row of (stream, window); nullptr when absent.
  const RecordedWindow* FindWindow(int stream, int window) const;
  // The allocations.csv rows of one window, in file order.
  std::vector<const RecordedAllocation*> Allocations(int window) const;
  // Whether any allocations.csv row is of job `profiling`.
  bool profiled() const { return profiled_; }

 private:
  std::vector<RecordedWindow> windows_;
  std::vector<RecordedAllocation> allocations_;
  std::map<std::pair<int, int>, size_t> window_index_;        // (stream, window) -> row
  std::map<int, std::vector<size_t>> allocations_by_window_;  // window -> rows, in file order
  bool profiled_ = false;
};

}  // namespace ekya
