#include "ekya/sched/run_record.h"

#include <cmath>

#include "ekya/common/csv.h"
#include "ekya/common/files.h"

namespace ekya {
namespace {

constexpr char kWindowsHeader[] =
    "stream,window,retrain_config,inference_share,retrain_share,accuracy_before,accuracy_after,"
    "retrain_done_s,window_accuracy";
constexpr char kAllocationsHeader[] = "window,time_s,stream,job,device,share,reason";

// An integer >= 0 filling the whole field.
bool ParseIndex(const std::string& text, int* out) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return false;
  return ParseCsvInt(text, out);
}

// A number filling the whole field; "nan" and "inf" only when allowed.
bool ParseNumber(const std::string& text, bool finite_only, double* out) {
  return ParseCsvDouble(text, out, finite_only);
}

bool ParseShare(const std::string& text, double* out) { return ParseNumber(text, true, out) && *out >= 0; }

bool ParseOptional(const std::string& text, std::optional<double>* out) {
  if (text.empty()) {
    out->reset();
    return true;
  }
  double value = 0;
  if (!ParseNumber(text, false, &value)) return false;
  *out = value;
  return true;
}

bool ParseJob(const std::string& text, RecordedJob* out) {
  if (text == "inference") {
    *out = RecordedJob::kInference;
  } else if (text == "retraining") {
    *out = RecordedJob::kRetraining;
  } else if (text == "profiling") {
    *out = RecordedJob::kProfiling;
  } else if (text == "labelling") {
    *out = RecordedJob::kLabelling;
  } else {
    return false;
  }
  return true;
}

Status Bad(const std::string& origin, const char* file, int line, const std::string& what) {
  return CsvError(origin + "/" + file, line, what);
}

// ForEachCsvRow over one of the run's files; an empty file is an error.
template <typename RowFn>
Status ForEachRow(const std::string& text, const std::string& origin, const char* file, const char* header,
                  size_t columns, RowFn row) {
  const std::string where = origin + "/" + file;
  EKYA_ASSIGN_OR_RETURN(int lines,
                        ForEachCsvRow(text, where, header, columns,
                                      [&](int n, const std::string&, const std::vector<std::string>& fields) {
                                        return row(n, fields);
                                      }));
  if (lines == 0) return CsvError(where, 1, "the file is empty (no header)");
  return Status::Ok();
}

}  // namespace

Result<RunRecord> RunRecord::Parse(const std::string& windows_csv, const std::string& allocations_csv,
                                   const std::string& origin) {
  RunRecord record;
  constexpr char kWindows[] = "windows.csv";
  EKYA_RETURN_IF_ERROR(ForEachRow(
      windows_csv, origin, kWindows, kWindowsHeader, 9,
      [&](int n, const std::vector<std::string>& f) -> Status {
        RecordedWindow w;
        if (!ParseIndex(f[0], &w.stream) || !ParseIndex(f[1], &w.window)) {
          return Bad(origin, kWindows, n,
                     "stream and window must be integers >= 0, got '" + f[0] + "', '" + f[1] + "'");
        }
        if (f[2] != "none") {
          Result<RetrainConfig> config = RetrainConfig::Parse(f[2]);
          if (!config.ok()) return Bad(origin, kWindows, n, "retrain_config: " + config.status().message());
          w.retrain = *config;
        }
        if (!ParseShare(f[3], &w.inference_share) || !ParseShare(f[4], &w.retrain_share)) {
          return Bad(origin, kWindows, n,
                     "inference_share and retrain_share must be finite numbers >= 0, got '" + f[3] + "', '" +
                         f[4] + "'");
        }
        if (!ParseNumber(f[5], false, &w.accuracy_before) || !ParseOptional(f[6], &w.accuracy_after) ||
            !ParseOptional(f[7], &w.retrain_done_s) || !ParseNumber(f[8], false, &w.window_accuracy)) {
          return Bad(origin, kWindows, n, "an accuracy or retrain_done_s does not parse as a number");
        }
        if (!record.window_index_.emplace(std::make_pair(w.stream, w.window), record.windows_.size())
                 .second) {
          return Bad(origin, kWindows, n, "stream " + f[0] + " window " + f[1] + " appears twice");
        }
        record.windows_.push_back(std::move(w));
        return Status::Ok();
      }));
  constexpr char kAllocations[] = "allocations.csv";
  EKYA_RETURN_IF_ERROR(ForEachRow(
      allocations_csv, origin, kAllocations, kAllocationsHeader, 7,
      [&](int n, const std::vector<std::string>& f) -> Status {
        RecordedAllocation a;
        if (!ParseIndex(f[0], &a.window) || !ParseIndex(f[2], &a.stream) || !ParseIndex(f[4], &a.device)) {
          return Bad(origin, kAllocations, n, "window, stream and device must be integers >= 0");
        }
        if (!ParseNumber(f[1], true, &a.time_s)) {
          return Bad(origin, kAllocations, n, "time_s '" + f[1] + "' is not a finite number");
        }
        if (!ParseJob(f[3], &a.job)) {
          return Bad(origin, kAllocations, n,
                     "job '" + f[3] + "' is not one of inference, retraining, profiling, labelling");
        }
        if (!ParseShare(f[5], &a.share)) {
          return Bad(origin, kAllocations, n, "share '" + f[5] + "' is not a finite number >= 0");
        }
        if (f[6].empty()) return Bad(origin, kAllocations, n, "the reason is empty");
        a.reason = f[6];
        if (a.job == RecordedJob::kProfiling) record.profiled_ = true;
        record.allocations_by_window_[a.window].push_back(record.allocations_.size());
        record.allocations_.push_back(std::move(a));
        return Status::Ok();
      }));
  return record;
}

Result<RunRecord> RunRecord::Load(const std::string& dir) {
  EKYA_ASSIGN_OR_RETURN(std::string windows, ReadFileWhole(dir + "/windows.csv"));
  EKYA_ASSIGN_OR_RETURN(std::string allocations, ReadFileWhole(dir + "/allocations.csv"));
  return Parse(windows, allocations, dir);
}

const RecordedWindow* RunRecord::FindWindow(int stream, int window) const {
  auto it = window_index_.find({stream, window});
  return it == window_index_.end() ? nullptr : &windows_[it->second];
}

std::vector<const RecordedAllocation*> RunRecord::Allocations(int window) const {
  std::vector<const RecordedAllocation*> rows;
  auto it = allocations_by_window_.find(window);
  if (it == allocations_by_window_.end()) return rows;
  rows.reserve(it->second.size());
  for (size_t i : it->second) rows.push_back(&allocations_[i]);
  return rows;
}

}  // namespace ekya
