#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bench_scheduler.h"
#include "cli_common.h"
#include "ekya/config/settings.h"
#include "ekya/sched/estimator.h"
#include "ekya/sched/policy.h"
#include "ekya/sched/search.h"
#include "ekya/sched/snapshot_io.h"
#include "ekya/sched/synthetic.h"
#include "ekya/time/clock.h"

namespace ekya::app {
namespace {

struct PolicyTiming {
  std::string spec;
  std::string slug;  // the spec without ':' and ',' (CSV names)
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double accuracy = 0;
  int retraining_jobs = 0;
  int64_t estimator_calls = 0;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The snapshot to time, the settings to build the policies with, and the
// line that says what the snapshot is.
struct BenchInput {
  Snapshot snapshot;
  Settings settings;
  std::string header;
};

int CandidateCount(const Snapshot& snapshot) {
  int n = 0;
  for (const StreamState& st : snapshot.streams) n += static_cast<int>(st.candidates.size());
  return n;
}

// The plan (not re-plan) snapshot with the most candidates, the first of
// equals; any snapshot when the file holds re-plans only.
size_t DefaultSnapshotIndex(const std::vector<SnapshotRecord>& records) {
  const bool any_plan =
      std::any_of(records.begin(), records.end(), [](const SnapshotRecord& r) { return !r.snapshot.replan; });
  size_t best = 0;
  int best_count = -1;
  for (size_t i = 0; i < records.size(); ++i) {
    if (any_plan && records[i].snapshot.replan) continue;
    const int count = CandidateCount(records[i].snapshot);
    if (count > best_count) {
      best = i;
      best_count = count;
    }
  }
  return best;
}

Result<BenchInput> SyntheticInput(const BenchSchedulerArgs& args) {
  if (args.snapshot_index) return Status::InvalidArgument("--snapshot-index needs --snapshot FILE");
  if (args.streams < 1 || args.devices < 1 || args.configs < 1)
    return Status::InvalidArgument("--streams, --devices and --configs must be >= 1");
  SyntheticOptions options;
  options.streams = args.streams;
  options.devices = args.devices;
  options.configs = args.configs;
  options.seed = args.seed;
  BenchInput input;
  EKYA_ASSIGN_OR_RETURN(input.snapshot, MakeSyntheticSnapshot(options));
  char header[160];
  std::snprintf(
      header, sizeof header, "scheduler benchmark: %d streams, %d devices, %d configs, seed %llu, %d repeats",
      args.streams, args.devices, args.configs, static_cast<unsigned long long>(args.seed), args.repeats);
  input.header = header;
  return input;
}

Result<BenchInput> FileInput(const BenchSchedulerArgs& args) {
  if (!args.synthetic_options_given.empty()) {
    std::string given;
    for (const std::string& name : args.synthetic_options_given) given += (given.empty() ? "" : ", ") + name;
    return Status::InvalidArgument("--snapshot " + args.snapshot + " cannot be combined with " + given +
                                   ": they describe the synthetic snapshot; the streams, devices and "
                                   "configs come from the file");
  }
  EKYA_ASSIGN_OR_RETURN(std::vector<SnapshotRecord> records, LoadSnapshotFile(args.snapshot));
  size_t index = DefaultSnapshotIndex(records);
  if (args.snapshot_index) {
    if (*args.snapshot_index < 0 || *args.snapshot_index >= static_cast<int>(records.size())) {
      return Status::InvalidArgument("--snapshot-index " + std::to_string(*args.snapshot_index) + ": " +
                                     args.snapshot + " holds " + std::to_string(records.size()) +
                                     " snapshot(s), indices 0.." + std::to_string(records.size() - 1));
    }
    index = static_cast<size_t>(*args.snapshot_index);
  }
  BenchInput input;
  input.snapshot = std::move(records[index].snapshot);
  const std::filesystem::path settings_file =
      std::filesystem::path(args.snapshot).parent_path() / "settings.yaml";
  std::error_code ec;
  std::string settings_note = "default settings";
  if (std::filesystem::is_regular_file(settings_file, ec)) {
    EKYA_RETURN_IF_ERROR(input.settings.LoadYamlFile(settings_file.string())
                             .WithContext("the settings beside --snapshot " + args.snapshot));
    settings_note = "settings " + settings_file.string();
  }
  const Snapshot& snap = input.snapshot;
  char where[200];
  std::snprintf(where, sizeof where,
                " (window %d, %s at %g s): %zu streams, %d devices, %d candidates, %zu configs, %d repeats, ",
                snap.window, snap.replan ? "replan" : "plan", snap.time_s, snap.streams.size(), snap.devices,
                CandidateCount(snap), snap.configs.size(), args.repeats);
  input.header = "scheduler benchmark: snapshot " + args.snapshot + " index " + std::to_string(index) +
                 " of " + std::to_string(records.size()) + where + settings_note;
  return input;
}

}  // namespace

int RunBenchScheduler(const BenchSchedulerArgs& args) {
  if (args.repeats < 1) return ReportError(Status::InvalidArgument("--repeats must be >= 1"));
  Result<BenchInput> input = args.snapshot.empty() ? SyntheticInput(args) : FileInput(args);
  if (!input.ok()) return ReportError(input.status());
  const Snapshot& snapshot = input->snapshot;
  const Settings& settings = input->settings;
  Result<EstimatorOptions> estimator = EstimatorOptionsFromSettings(settings);
  if (!estimator.ok()) return ReportError(estimator.status());
  const std::vector<std::string> specs =
      args.policies.empty() ? std::vector<std::string>{settings.String("policy")} : args.policies;

  std::vector<PolicyTiming> timings;
  for (const std::string& text : specs) {
    Result<std::unique_ptr<Policy>> policy = MakePolicy(text, settings);
    if (!policy.ok()) return ReportError(policy.status());
    PolicyTiming timing;
    timing.spec = (*policy)->spec();
    Result<PolicySpec> parsed = PolicySpec::Parse(timing.spec);
    timing.slug = parsed.ok() ? parsed->Slug() : timing.spec;
    std::vector<double> ms;
    Allocation allocation;
    for (int r = 0; r < args.repeats; ++r) {
      Stopwatch watch;
      Result<Allocation> decided = (*policy)->Decide(snapshot);
      ms.push_back(1e3 * watch.ElapsedSeconds());
      if (!decided.ok()) return ReportError(decided.status().WithContext("policy " + timing.spec));
      allocation = std::move(decided).value();
    }
    Status valid = ValidateAllocation(snapshot, allocation);
    if (!valid.ok())
      return ReportError(valid.WithContext("policy " + timing.spec + " returned an invalid allocation"));
    timing.median_ms = Median(ms);
    timing.min_ms = *std::min_element(ms.begin(), ms.end());
    timing.max_ms = *std::max_element(ms.begin(), ms.end());
    for (const StreamAllocation& a : allocation.streams)
      timing.retraining_jobs += a.retrain.has_value() ? 1 : 0;
    Result<Estimate> estimate = EstimateAllocation(snapshot, allocation, *estimator);
    if (!estimate.ok()) return ReportError(estimate.status());
    // Without every stream's accuracy estimate (a run whose policy plans
    // without the profiler) the estimator's score means nothing: unknown.
    const bool known = std::all_of(snapshot.streams.begin(), snapshot.streams.end(),
                                   [](const StreamState& st) { return std::isfinite(st.accuracy); });
    timing.accuracy = known ? estimate->accuracy : std::numeric_limits<double>::quiet_NaN();
    if (const auto* planning = dynamic_cast<const PlanningPolicy*>(policy->get())) {
      Result<PlanResult> plan = planning->Plan(snapshot);
      if (!plan.ok()) return ReportError(plan.status().WithContext("policy " + timing.spec));
      timing.estimator_calls = plan->estimator_calls;
    }
    timings.push_back(timing);
  }

  std::printf("%s\n", input->header.c_str());
  std::printf("%10s %10s %10s %9s %8s %15s  %s\n", "median_ms", "min_ms", "max_ms", "accuracy", "retrain",
              "estimator_calls", "policy");
  for (const PolicyTiming& t : timings) {
    char accuracy[32] = "n/a";
    if (std::isfinite(t.accuracy)) std::snprintf(accuracy, sizeof accuracy, "%.4f", t.accuracy);
    std::printf("%10.3f %10.3f %10.3f %9s %8d %15lld  %s\n", t.median_ms, t.min_ms, t.max_ms, accuracy,
                t.retraining_jobs, static_cast<long long>(t.estimator_calls), t.spec.c_str());
  }
  std::printf("name,metric,value\n");
  for (const PolicyTiming& t : timings) {
    std::printf("bench_scheduler,%s.median_ms,%.6g\n", t.slug.c_str(), t.median_ms);
    if (std::isfinite(t.accuracy)) std::printf("bench_scheduler,%s.accuracy,%.6g\n", t.slug.c_str(), t.accuracy);
    std::printf("bench_scheduler,%s.retraining_jobs,%d\n", t.slug.c_str(), t.retraining_jobs);
    std::printf("bench_scheduler,%s.estimator_calls,%lld\n", t.slug.c_str(),
                static_cast<long long>(t.estimator_calls));
  }
  const PolicyTiming& last = timings.back();
  std::printf("retraining_jobs=%d\n", last.retraining_jobs);
  std::printf("estimator_calls=%lld\n", static_cast<long long>(last.estimator_calls));
  std::printf("median_ms=%.3f\n", last.median_ms);
  return 0;
}

}  // namespace ekya::app
