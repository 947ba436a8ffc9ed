// `ekya run` and `ekya compare`: the window loop with one policy, or with
// several on the same scenario.
#include <cstdio>
#include <vector>

#include "commands.h"
#include "ekya/common/files.h"
#include "ekya/runtime/controller.h"
#include "wiring.h"

namespace ekya::app {
namespace {

// Everything that can be refused is checked before any model trains or any
// file is written: settings, clock, policies.
struct Prepared {
  Settings settings;
  std::vector<std::unique_ptr<Policy>> policies;
};

Result<Prepared> Prepare(const CommonArgs& args, const std::vector<std::string>& policy_texts) {
  Prepared p;
  EKYA_ASSIGN_OR_RETURN(p.settings, LoadSettings(args));
  EKYA_RETURN_IF_ERROR(CheckRunnable(p.settings));
  EKYA_RETURN_IF_ERROR(ParseOnCompletion(p.settings.String("on_completion")).status());
  for (const std::string& text : policy_texts) {
    EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy, MakePolicy(text, p.settings));
    // The micro-profiler's settings (its prior) are checked before any model trains.
    if (policy->NeedsEstimates()) EKYA_RETURN_IF_ERROR(MakeProfilerOptions(p.settings).status());
    p.policies.push_back(std::move(policy));
  }
  if (p.policies.empty())
    return Status::InvalidArgument("no policy given (--policy NAME, or the setting 'compare')");
  return p;
}

struct Loaded {
  std::unique_ptr<DriftBenchmark> bench;
  std::unique_ptr<ModelStore> store;
  DeviceModel device;
};

Result<Loaded> Load(const Settings& settings) {
  Loaded l;
  EKYA_ASSIGN_OR_RETURN(l.device, MakeDeviceModel(settings));
  EKYA_ASSIGN_OR_RETURN(l.bench, LoadBenchmark(settings));
  EKYA_ASSIGN_OR_RETURN(l.store, EnsureModels(settings, *l.bench, /*force=*/false));
  return l;
}

}  // namespace

int RunRun(const CommonArgs& args, const std::string& policy_flag) {
  // --policy overrides the scenario's `policy` setting.
  std::string policy_text = policy_flag;
  if (policy_text.empty()) {
    auto s = LoadSettings(args);
    if (!s.ok()) return ReportError(s.status());
    policy_text = s->String("policy");
  }
  auto prepared = Prepare(args, {policy_text});
  if (!prepared.ok()) return ReportError(prepared.status());
  Prepared& p = *prepared;
  const Policy& policy = *p.policies.front();
  const std::string out = args.out.empty() ? "runs/" + PolicySpec::Parse(policy.spec())->Slug() : args.out;

  auto loaded = Load(p.settings);
  if (!loaded.ok()) return ReportError(loaded.status());
  auto outcome = ExecuteRun(p.settings, *loaded->bench, *loaded->store, policy, loaded->device, out,
                            /*show_progress=*/true);
  if (!outcome.ok()) return ReportError(outcome.status());
  std::printf("%s", RunTable(outcome->summary, outcome->info).c_str());
  std::printf("wrote %s/\n", out.c_str());
  return 0;
}

int RunCompare(const CommonArgs& args, const std::vector<std::string>& policy_flags) {
  std::vector<std::string> texts = policy_flags;
  if (texts.empty()) {
    auto s = LoadSettings(args);
    if (!s.ok()) return ReportError(s.status());
    texts = s->List("compare");
  }
  auto prepared = Prepare(args, texts);
  if (!prepared.ok()) return ReportError(prepared.status());
  Prepared& p = *prepared;
  const std::string out = args.out.empty() ? "runs/compare" : args.out;

  auto loaded = Load(p.settings);
  if (!loaded.ok()) return ReportError(loaded.status());
  std::vector<ComparisonRow> rows;
  for (const auto& policy : p.policies) {
    const std::string dir = out + "/" + PolicySpec::Parse(policy->spec())->Slug();
    auto outcome = ExecuteRun(p.settings, *loaded->bench, *loaded->store, *policy, loaded->device, dir,
                              /*show_progress=*/true);
    if (!outcome.ok()) return ReportError(outcome.status().WithContext("policy " + policy->spec()));
    rows.push_back({policy->spec(), outcome->summary.mean_accuracy, outcome->summary.usage.Total(),
                    outcome->info.wall_seconds});
  }
  if (Status st = WriteFileWhole(out + "/comparison.csv", ComparisonCsv(rows)); !st.ok())
    return ReportError(st);
  std::printf("%s", ComparisonTable(rows).c_str());
  std::printf("wrote %s/comparison.csv\n", out.c_str());
  return 0;
}

}  // namespace ekya::app
