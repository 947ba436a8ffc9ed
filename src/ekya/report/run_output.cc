#include "ekya/report/run_output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "ekya/common/files.h"

namespace ekya {
namespace {

// The one number formatter of the run directory. `digits` = 0 prints the
// shortest text that reads back as the very same double (accuracies: so that
// accuracy x frames_total gives back the whole number of correct frames);
// otherwise printf's "%.<digits>g" (times, shares, seconds). Negative zero
// prints as "0" and non-finite values as "nan", "inf" or "-inf", so the text
// depends on the value alone.
std::string Num(double v, int digits = 6) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  char buf[64];
  if (digits == 0) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    if (ec == std::errc()) return std::string(buf, end);
    digits = 17;  // not reached for finite doubles; keeps the value exact anyway
  }
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

// Chunk accuracies (and means in the comparison) are printed exactly; the
// window-level accuracies of windows.csv with 10 significant digits.
std::string Exact(double v) { return Num(v, 0); }

// A CSV field: quoted when it holds a comma, a quote or a line break, with
// quotes doubled.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Joins fields into one CSV line ending in '\n'.
std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += fields[i];
  }
  line += '\n';
  return line;
}

std::string Optional(const std::optional<double>& v, int digits) {
  return v ? Num(*v, digits) : std::string();
}

// Pads (or leaves) `s` to `width` characters; left- or right-aligned.
std::string Pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

constexpr JobKind kKinds[] = {JobKind::kInference, JobKind::kRetraining, JobKind::kProfiling,
                              JobKind::kLabelling};

}  // namespace

// ---------------------------------------------------------------- recorder

RunRecorder::RunRecorder(bool show_progress, std::string task)
    : task_(std::move(task)), show_progress_(show_progress) {}

RunRecorder::~RunRecorder() = default;

void RunRecorder::OnChunk(const ChunkRecord& r) { chunks_.push_back(r); }
void RunRecorder::OnWindow(const WindowRecord& r) { windows_.push_back(r); }
void RunRecorder::OnAllocation(const AllocationRecord& r) { allocations_.push_back(r); }
void RunRecorder::OnDecision(const DecisionRecord& r) {
  decisions_.push_back(r);
  decisions_.back().snapshot = nullptr;  // valid only during the call
  if (r.snapshot != nullptr) snapshots_.push_back({r.window, r.time_s, r.replan, *r.snapshot});
}
void RunRecorder::OnProfile(const ProfileRecord& r) { profiles_.push_back(r); }
void RunRecorder::OnInferenceProfile(const InferenceProfileRecord& r) { inference_profiles_.push_back(r); }

void RunRecorder::OnProgress(int window, int windows, int stream, const std::string& what) {
  if (!show_progress_) return;
  if (!progress_) progress_ = std::make_unique<Progress>(task_, windows);
  std::string detail = "window " + std::to_string(window) + "/" + std::to_string(windows) + " \u00b7 ";
  detail += stream < 0 ? std::string("all streams") : "stream " + std::to_string(stream);
  if (!what.empty()) detail += " \u00b7 " + what;
  progress_->Update(window, detail);
}

void RunRecorder::FinishProgress(const std::string& detail) {
  if (!progress_) return;
  progress_->Finish(detail);
  progress_.reset();
}

// ---------------------------------------------------------------- summary

RunSummary Summarise(const RunRecorder& recorder, const RunInfo& info) {
  RunSummary s;
  s.usage = info.usage;
  s.wall_seconds = info.wall_seconds;
  const auto& rows = recorder.windows();
  const bool any_later =
      std::any_of(rows.begin(), rows.end(), [](const WindowRecord& w) { return w.window >= 1; });
  // Sum in (stream, window) order so the means do not depend on the order
  // the records arrived in.
  std::vector<const WindowRecord*> used;
  for (const auto& w : rows) {
    if (!any_later || w.window >= 1) used.push_back(&w);
  }
  std::stable_sort(used.begin(), used.end(), [](const WindowRecord* a, const WindowRecord* b) {
    return std::make_pair(a->stream, a->window) < std::make_pair(b->stream, b->window);
  });
  std::map<int, std::pair<double, int>> sums;
  double total = 0;
  for (const WindowRecord* w : used) {
    total += w->window_accuracy;
    auto& [sum, n] = sums[w->stream];
    sum += w->window_accuracy;
    ++n;
  }
  if (!used.empty()) s.mean_accuracy = total / static_cast<double>(used.size());
  for (const auto& [stream, sn] : sums) s.per_stream[stream] = sn.first / sn.second;
  return s;
}

// ---------------------------------------------------------------- CSV files

std::string ChunksCsv(const std::vector<ChunkRecord>& rows) {
  std::vector<const ChunkRecord*> sorted;
  sorted.reserve(rows.size());
  for (const auto& r : rows) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const ChunkRecord* a, const ChunkRecord* b) {
    return std::tie(a->stream, a->window, a->chunk) < std::tie(b->stream, b->window, b->chunk);
  });
  std::string out =
      "stream,window,chunk,time_s,model_version,inference_share,frames_total,frames_analysed,correct,"
      "accuracy,accuracy_mode\n";
  for (const ChunkRecord* r : sorted) {
    out += CsvLine({std::to_string(r->stream), std::to_string(r->window), std::to_string(r->chunk),
                    Num(r->time_s), std::to_string(r->model_version), Num(r->inference_share),
                    std::to_string(r->frames_total), std::to_string(r->frames_analysed),
                    std::to_string(r->correct), Exact(r->accuracy()), CsvField(r->accuracy_mode)});
  }
  return out;
}

std::string WindowsCsv(const std::vector<WindowRecord>& rows) {
  std::vector<const WindowRecord*> sorted;
  sorted.reserve(rows.size());
  for (const auto& r : rows) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const WindowRecord* a, const WindowRecord* b) {
    return std::tie(a->stream, a->window) < std::tie(b->stream, b->window);
  });
  std::string out =
      "stream,window,retrain_config,inference_share,retrain_share,accuracy_before,accuracy_after,"
      "retrain_done_s,window_accuracy\n";
  for (const WindowRecord* r : sorted) {
    out +=
        CsvLine({std::to_string(r->stream), std::to_string(r->window), CsvField(r->retrain_config),
                 Num(r->inference_share), Num(r->retrain_share), Num(r->accuracy_before, 10),
                 Optional(r->accuracy_after, 10), Optional(r->retrain_done_s, 6), Num(r->window_accuracy, 10)});
  }
  return out;
}

std::string AllocationsCsv(const std::vector<AllocationRecord>& rows) {
  std::string out = "window,time_s,stream,job,device,share,reason\n";
  for (const auto& r : rows) {
    out += CsvLine({std::to_string(r.window), Num(r.time_s), std::to_string(r.stream), JobKindName(r.job),
                    std::to_string(r.device), Num(r.share), CsvField(r.reason)});
  }
  return out;
}

std::string DecisionsCsv(const std::vector<DecisionRecord>& rows) {
  std::string out = "window,time_s,replan,seconds\n";
  for (const auto& r : rows) {
    out += CsvLine({std::to_string(r.window), Num(r.time_s), r.replan ? "1" : "0", Num(r.seconds)});
  }
  return out;
}

std::string SnapshotsJsonl(const std::vector<SnapshotRecord>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += SnapshotRecordToJson(r);
    out += '\n';
  }
  return out;
}

std::string ProfilesCsv(const std::vector<ProfileRecord>& rows) {
  std::vector<const ProfileRecord*> sorted;
  for (const auto& r : rows) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const ProfileRecord* a, const ProfileRecord* b) {
    return std::tie(a->stream, a->window, a->config, a->epochs) < std::tie(b->stream, b->window, b->config, b->epochs);
  });
  std::string out =
      "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n";
  for (const ProfileRecord* r : sorted) {
    out += CsvLine({std::to_string(r->stream), std::to_string(r->window), CsvField(r->config),
                    std::to_string(r->epochs), Num(r->predicted_accuracy, 10), Num(r->predicted_cost_s),
                    Optional(r->measured_accuracy, 10), Optional(r->measured_cost_s, 6)});
  }
  return out;
}

std::string InferenceProfileCsv(const std::vector<InferenceProfileRecord>& rows) {
  std::vector<const InferenceProfileRecord*> sorted;
  for (const auto& r : rows) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const InferenceProfileRecord* a, const InferenceProfileRecord* b) {
                     return std::tie(a->stream, a->window, a->fraction) < std::tie(b->stream, b->window, b->fraction);
                   });
  std::string out = "stream,window,fraction,accuracy\n";
  for (const InferenceProfileRecord* r : sorted) {
    out += CsvLine({std::to_string(r->stream), std::to_string(r->window), Num(r->fraction), Num(r->accuracy, 10)});
  }
  return out;
}

// ---------------------------------------------------------------- summary.json

std::string SummaryJson(const RunSummary& summary, const RunInfo& info) {
  // ordered_json keeps the keys in the order of the contract.
  nlohmann::ordered_json j;
  j["policy"] = info.policy;
  j["clock"] = info.clock;
  j["seed"] = info.seed;
  j["streams"] = info.streams;
  j["windows"] = info.windows;
  j["devices"] = info.devices;
  j["mean_accuracy"] = summary.mean_accuracy;
  nlohmann::ordered_json per_stream = nlohmann::ordered_json::object();
  for (const auto& [stream, mean] : summary.per_stream) per_stream[std::to_string(stream)] = mean;
  j["per_stream"] = std::move(per_stream);
  nlohmann::ordered_json seconds = nlohmann::ordered_json::object();
  for (JobKind k : kKinds) seconds[JobKindName(k)] = summary.usage[k];
  j["device_seconds"] = std::move(seconds);
  j["wall_seconds"] = summary.wall_seconds;
  return j.dump(2) + "\n";
}

// ---------------------------------------------------------------- the directory

Status WriteRunDirectory(const std::string& dir, const std::string& settings_yaml,
                         const RunRecorder& recorder, const RunInfo& info) {
  namespace fs = std::filesystem;
  const RunSummary summary = Summarise(recorder, info);
  const std::pair<const char*, std::string> files[] = {
      {"settings.yaml", settings_yaml},
      {"chunks.csv", ChunksCsv(recorder.chunks())},
      {"windows.csv", WindowsCsv(recorder.windows())},
      {"allocations.csv", AllocationsCsv(recorder.allocations())},
      {"decisions.csv", DecisionsCsv(recorder.decisions())},
      {"snapshots.jsonl", SnapshotsJsonl(recorder.snapshots())},
      {"profiles.csv", ProfilesCsv(recorder.profiles())},
      {"inference_profile.csv", InferenceProfileCsv(recorder.inference_profiles())},
      {"summary.json", SummaryJson(summary, info)},
  };
  for (const auto& [name, text] : files) {
    const std::string path = (fs::path(dir) / name).string();
    Status st = WriteFileWhole(path, text);
    if (!st.ok()) return Status::IoError("cannot write run file '" + path + "': " + st.message());
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- tables

std::string RunTable(const RunSummary& summary, const RunInfo& info) {
  std::string out = "Run of policy " + info.policy + " (" + info.clock + " clock, seed " +
                    std::to_string(info.seed) + ", " + std::to_string(info.streams) + " streams, " +
                    std::to_string(info.windows) + " windows, " + std::to_string(info.devices) +
                    " devices)\n";
  constexpr size_t kLabel = 14;
  constexpr size_t kValue = 14;
  out += "  " + Pad("stream", kLabel) + Pad("mean accuracy", kValue, true) + "\n";
  for (const auto& [stream, mean] : summary.per_stream) {
    out += "  " + Pad(std::to_string(stream), kLabel) + Pad(Fixed(mean, 4), kValue, true) + "\n";
  }
  out += "  " + Pad("all", kLabel) + Pad(Fixed(summary.mean_accuracy, 4), kValue, true) + "\n";
  out += "\n";
  out += "  " + Pad("job", kLabel) + Pad("device-s", kValue, true) + "\n";
  for (JobKind k : kKinds) {
    out += "  " + Pad(JobKindName(k), kLabel) + Pad(Fixed(summary.usage[k], 1), kValue, true) + "\n";
  }
  out += "  " + Pad("total", kLabel) + Pad(Fixed(summary.usage.Total(), 1), kValue, true) + "\n";
  out += "  " + Pad("wall s", kLabel) + Pad(Fixed(summary.wall_seconds, 2), kValue, true) + "\n";
  return out;
}

std::string ComparisonCsv(const std::vector<ComparisonRow>& rows) {
  std::string out = "policy,mean_accuracy,device_seconds_total,wall_seconds\n";
  for (const auto& r : rows) {
    out += CsvLine(
        {CsvField(r.policy), Exact(r.mean_accuracy), Num(r.device_seconds_total), Num(r.wall_seconds)});
  }
  return out;
}

std::string ComparisonTable(const std::vector<ComparisonRow>& rows) {
  size_t policy_width = 6;  // "policy"
  double best = -1;
  for (const auto& r : rows) {
    policy_width = std::max(policy_width, r.policy.size());
    if (!std::isnan(r.mean_accuracy)) best = std::max(best, r.mean_accuracy);
  }
  constexpr size_t kValue = 14;
  std::string out = "  " + Pad("policy", policy_width) + Pad("mean accuracy", kValue, true) + "  " +
                    Pad("device-s", kValue, true) + Pad("wall s", kValue, true) + "\n";
  for (const auto& r : rows) {
    // Every row with the best accuracy gets the mark (ties are all best).
    const bool is_best = !rows.empty() && r.mean_accuracy == best;
    out += "  " + Pad(r.policy, policy_width) + Pad(Fixed(r.mean_accuracy, 4), kValue, true) +
           (is_best ? " *" : "  ") + Pad(Fixed(r.device_seconds_total, 1), kValue, true) +
           Pad(Fixed(r.wall_seconds, 2), kValue, true) + "\n";
  }
  if (!rows.empty()) out += "  * best mean accuracy\n";
  return out;
}

}  // namespace ekya
