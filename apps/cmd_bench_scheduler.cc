#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_scheduler.h"
#include "cli_common.h"
#include "ekya/config/settings.h"
#include "ekya/sched/estimator.h"
#include "ekya/sched/policy.h"
#include "ekya/sched/search.h"
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

}  // namespace

int RunBenchScheduler(const BenchSchedulerArgs& args) {
  if (!args.snapshot.empty()) {
    return ReportError(Status::InvalidArgument(
        "--snapshot " + args.snapshot +
        ": reading a snapshot from a file is not supported yet; the benchmark uses a seeded synthetic "
        "snapshot (--streams, --devices, --configs, --seed)"));
  }
  if (args.streams < 1 || args.devices < 1 || args.configs < 1 || args.repeats < 1) {
    return ReportError(Status::InvalidArgument("--streams, --devices, --configs and --repeats must be >= 1"));
  }
  SyntheticOptions options;
  options.streams = args.streams;
  options.devices = args.devices;
  options.configs = args.configs;
  options.seed = args.seed;
  Result<Snapshot> snapshot = MakeSyntheticSnapshot(options);
  if (!snapshot.ok()) return ReportError(snapshot.status());

  const Settings settings;
  Result<EstimatorOptions> estimator = EstimatorOptionsFromSettings(settings);
  if (!estimator.ok()) return ReportError(estimator.status());
  const std::vector<std::string> specs =
      args.policies.empty() ? std::vector<std::string>{"thief"} : args.policies;

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
      Result<Allocation> decided = (*policy)->Decide(*snapshot);
      ms.push_back(1e3 * watch.ElapsedSeconds());
      if (!decided.ok()) return ReportError(decided.status().WithContext("policy " + timing.spec));
      allocation = std::move(decided).value();
    }
    Status valid = ValidateAllocation(*snapshot, allocation);
    if (!valid.ok())
      return ReportError(valid.WithContext("policy " + timing.spec + " returned an invalid allocation"));
    timing.median_ms = Median(ms);
    timing.min_ms = *std::min_element(ms.begin(), ms.end());
    timing.max_ms = *std::max_element(ms.begin(), ms.end());
    for (const StreamAllocation& a : allocation.streams)
      timing.retraining_jobs += a.retrain.has_value() ? 1 : 0;
    Result<Estimate> estimate = EstimateAllocation(*snapshot, allocation, *estimator);
    if (!estimate.ok()) return ReportError(estimate.status());
    timing.accuracy = estimate->accuracy;
    if (const auto* planning = dynamic_cast<const PlanningPolicy*>(policy->get())) {
      Result<PlanResult> plan = planning->Plan(*snapshot);
      if (!plan.ok()) return ReportError(plan.status().WithContext("policy " + timing.spec));
      timing.estimator_calls = plan->estimator_calls;
    }
    timings.push_back(timing);
  }

  std::printf("scheduler benchmark: %d streams, %d devices, %d configs, seed %llu, %d repeats\n",
              args.streams, args.devices, args.configs, static_cast<unsigned long long>(args.seed),
              args.repeats);
  std::printf("%10s %10s %10s %9s %8s %15s  %s\n", "median_ms", "min_ms", "max_ms", "accuracy", "retrain",
              "estimator_calls", "policy");
  for (const PolicyTiming& t : timings) {
    std::printf("%10.3f %10.3f %10.3f %9.4f %8d %15lld  %s\n", t.median_ms, t.min_ms, t.max_ms, t.accuracy,
                t.retraining_jobs, static_cast<long long>(t.estimator_calls), t.spec.c_str());
  }
  std::printf("name,metric,value\n");
  for (const PolicyTiming& t : timings) {
    std::printf("bench_scheduler,%s.median_ms,%.6g\n", t.slug.c_str(), t.median_ms);
    std::printf("bench_scheduler,%s.accuracy,%.6g\n", t.slug.c_str(), t.accuracy);
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
