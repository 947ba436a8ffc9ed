// `ekya simulate`: settings and recorded profiles -> SimulationOptions, one
// simulated run per policy (sim/simulation.h), the run directories and the
// comparison. Wiring only; the simulator lives in src/ekya/sim/.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ekya/common/files.h"
#include "ekya/config/settings.h"
#include "ekya/model/model.h"
#include "ekya/profile/cost_model.h"
#include "ekya/profile/profile_table.h"
#include "ekya/report/run_output.h"
#include "ekya/runtime/controller.h"
#include "ekya/sched/policy.h"
#include "ekya/sim/profiler_costs.h"
#include "ekya/sim/simulation.h"
#include "ekya/time/clock.h"
#include "simulate.h"
#include "wiring.h"

namespace ekya::app {
namespace {

// The profile directory's settings, then --config, --set, --seed, --streams, --devices.
Result<Settings> LoadSimulateSettings(const SimulateArgs& args) {
  Settings settings;
  const std::string recorded = args.profiles + "/settings.yaml";
  std::error_code ec;
  if (std::filesystem::exists(recorded, ec)) EKYA_RETURN_IF_ERROR(settings.LoadYamlFile(recorded));
  const CommonArgs& common = args.common;
  if (!common.config.empty()) EKYA_RETURN_IF_ERROR(settings.LoadYamlFile(common.config));
  for (const std::string& s : common.sets)
    EKYA_RETURN_IF_ERROR(settings.ApplyOverride(s).WithContext("--set"));
  if (common.seed) {
    EKYA_RETURN_IF_ERROR(settings.Set("seed", std::to_string(*common.seed)).WithContext("--seed"));
  }
  if (args.streams) {
    if (*args.streams < 1) {
      return Status::InvalidArgument("--streams: " + std::to_string(*args.streams) + " is not >= 1");
    }
    EKYA_RETURN_IF_ERROR(settings.Set("streams", std::to_string(*args.streams)).WithContext("--streams"));
  }
  if (args.devices) {
    if (*args.devices < 1) {
      return Status::InvalidArgument("--devices: " + std::to_string(*args.devices) + " is not >= 1");
    }
    EKYA_RETURN_IF_ERROR(settings.Set("devices", std::to_string(*args.devices)).WithContext("--devices"));
  }
  return settings;
}

// Device-seconds of labelling one frame with the golden model on the
// modelled device (device.flops); 0 with ground-truth labels.
double LabellingSecondsPerFrame(const Settings& s) {
  if (s.String("labels") != "golden") return 0.0;
  ModelSpec golden;
  golden.arch = s.String("golden.arch");
  golden.width = static_cast<int>(s.Int("golden.width"));
  golden.hidden = 256;
  golden.num_classes = 10;
  golden.input_size = 28;
  golden.in_channels = 1;
  return ComputeFlops(golden, TrainScope::kAllLayers).forward / s.Double("device.flops");
}

// Everything that can be refused, checked before anything runs or is written.
struct Prepared {
  Settings settings;
  ProfileTable profiles;
  ProfilerCosts costs;
  SimulationOptions options;
  std::vector<std::unique_ptr<Policy>> policies;
  std::string out;
};

Result<Prepared> Prepare(const SimulateArgs& args) {
  if (args.profiles.empty())
    return Status::InvalidArgument("--profiles DIR is required (the output of `ekya profile`)");
  std::error_code ec;
  if (!std::filesystem::is_directory(args.profiles, ec)) {
    return Status::NotFound("--profiles: '" + args.profiles + "' is not a directory");
  }
  Prepared p;
  EKYA_ASSIGN_OR_RETURN(p.settings, LoadSimulateSettings(args));
  const Settings& s = p.settings;
  EKYA_ASSIGN_OR_RETURN(p.profiles, ProfileTable::Load(args.profiles));
  EKYA_ASSIGN_OR_RETURN(p.costs, ProfilerCosts::Load(args.profiles));

  SimulationOptions& o = p.options;
  o.workload.streams = static_cast<int>(s.Int("streams"));
  o.workload.windows = static_cast<int>(s.Int("windows"));
  o.workload.chunks = static_cast<int>(s.Int("chunks"));
  o.workload.frames_per_window = static_cast<int>(s.Int("benchmark.frames_per_window"));
  o.workload.r_max = s.Double("inference.r_max");
  o.workload.labelling_seconds_per_frame = LabellingSecondsPerFrame(s);
  o.workload.frames_labelled_per_window = ExpectedSamplesPerWindow(s);
  o.devices = static_cast<int>(s.Int("devices"));
  o.window_seconds = s.Double("window_seconds");
  EKYA_ASSIGN_OR_RETURN(o.on_completion, ParseOnCompletion(s.String("on_completion")));
  o.profiler_share = s.Double("profiler.share");
  EKYA_ASSIGN_OR_RETURN(o.curve, ParseSpeedCurve(s.String("device.speed_curve")));
  o.configs = DefaultConfigSpace();

  // The profiles must be replayable with these options; the settings then
  // record the windows really simulated.
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<SimWorkload> probe,
                        SimWorkload::Create(p.profiles, p.costs, o.workload));
  EKYA_RETURN_IF_ERROR(p.settings.Set("windows", std::to_string(probe->windows())).WithContext("windows"));
  o.workload.windows = probe->windows();

  const std::vector<std::string> texts = args.policies.empty() ? s.List("compare") : args.policies;
  for (const std::string& text : texts) {
    EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy, MakePolicy(text, p.settings));
    p.policies.push_back(std::move(policy));
  }
  if (p.policies.empty())
    return Status::InvalidArgument("no policy given (--policy SPEC, or the setting 'compare')");
  p.out = args.common.out.empty() ? "runs/simulate" : args.common.out;
  return p;
}

struct Outcome {
  RunInfo info;
  RunSummary summary;
};

// One simulated run with `policy`, written to `dir`.
Result<Outcome> SimulateOne(const Prepared& p, const Policy& policy, const std::string& dir) {
  Settings settings = p.settings;
  EKYA_RETURN_IF_ERROR(settings.Set("policy", policy.spec()));
  EKYA_RETURN_IF_ERROR(settings.Set("clock", "simulated"));
  Stopwatch watch;
  RunRecorder recorder(/*show_progress=*/true, "simulate " + policy.spec());
  EKYA_ASSIGN_OR_RETURN(SimulationResult result,
                        RunSimulation(p.profiles, p.costs, p.options, policy, recorder));
  Outcome outcome;
  outcome.info.policy = policy.spec();
  outcome.info.clock = "simulated";
  outcome.info.seed = static_cast<uint64_t>(settings.Int("seed"));
  outcome.info.streams = result.streams;
  outcome.info.windows = result.windows;
  outcome.info.devices = p.options.devices;
  outcome.info.window_seconds = p.options.window_seconds;
  outcome.info.usage = result.usage;
  outcome.info.wall_seconds = watch.ElapsedSeconds();
  outcome.summary = Summarise(recorder, outcome.info);
  char detail[64];
  std::snprintf(detail, sizeof detail, "mean accuracy %.4f", outcome.summary.mean_accuracy);
  recorder.FinishProgress(detail);
  EKYA_RETURN_IF_ERROR(WriteRunDirectory(dir, settings.ToYaml(), recorder, outcome.info));
  return outcome;
}

}  // namespace

int RunSimulate(const SimulateArgs& args) {
  auto prepared = Prepare(args);
  if (!prepared.ok()) return ReportError(prepared.status());
  const Prepared& p = *prepared;

  if (p.policies.size() == 1) {
    const Policy& policy = *p.policies.front();
    auto outcome = SimulateOne(p, policy, p.out);
    if (!outcome.ok()) return ReportError(outcome.status().WithContext("policy " + policy.spec()));
    std::printf("%s", RunTable(outcome->summary, outcome->info).c_str());
    std::printf("wrote %s/\n", p.out.c_str());
    return 0;
  }
  std::vector<ComparisonRow> rows;
  for (const auto& policy : p.policies) {
    const std::string dir = p.out + "/" + PolicySpec::Parse(policy->spec())->Slug();
    auto outcome = SimulateOne(p, *policy, dir);
    if (!outcome.ok()) return ReportError(outcome.status().WithContext("policy " + policy->spec()));
    std::printf("%s", RunTable(outcome->summary, outcome->info).c_str());
    rows.push_back({policy->spec(), outcome->summary.mean_accuracy, outcome->summary.usage.Total(),
                    outcome->info.wall_seconds});
  }
  if (Status st = WriteFileWhole(p.out + "/comparison.csv", ComparisonCsv(rows)); !st.ok())
    return ReportError(st);
  std::printf("%s", ComparisonTable(rows).c_str());
  std::printf("wrote %s/comparison.csv\n", p.out.c_str());
  return 0;
}

}  // namespace ekya::app
