// The `ekya` command: parses arguments and hands over to the modules.
//
//   ekya run      --config FILE [--set k=v]... [--policy SPEC] [--seed N] [--out DIR]
//   ekya compare  --config FILE [--set k=v]... [--policy SPEC]... [--seed N] [--out DIR]
//   ekya list settings|configs|policies
//   ekya profile  --config FILE [--set k=v]... [--seed N] --out DIR
//   ekya simulate --profiles DIR [--policy SPEC]... [--streams N] [--devices G] [--out DIR]
//   ekya pretrain --config FILE [--set k=v]... [--seed N] [--force]
//   ekya drift    --config FILE [--set k=v]... [--seed N] --out DIR
//   ekya bench train --model NAME [--batch B] [--threads T]
//   ekya bench scheduler [--streams N] [--devices G] [--configs K] [--policy SPEC]...
//   ekya bench scheduler --snapshot FILE [--snapshot-index K] [--policy SPEC]...
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "bench_scheduler.h"
#include "cli_common.h"
#include "commands.h"
#include "simulate.h"

namespace {

// OpenMP threads that spin without bound while waiting collapse training
// when another process holds the cores, and threads that never spin lose
// almost half the speed on a quiet machine (docs/decisions/0001). libgomp
// reads its wait settings only at start-up, so when neither OMP_WAIT_POLICY
// nor GOMP_SPINCOUNT is set the process restarts itself once with a bounded
// spin. Explicit settings are respected.
void EnsureBoundedOpenMpSpin(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  setenv("GOMP_SPINCOUNT", "100000", 1);
  execv("/proc/self/exe", argv);
  // If the restart fails the run goes on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ekya::app;
  EnsureBoundedOpenMpSpin(argv);
  CLI::App app{"Ekya: continuous learning of video analytics models on edge compute servers"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every subcommand");

  // list
  std::string what;
  auto* list = app.add_subcommand("list", "list known settings or retraining configs");
  list->add_option("what", what, "settings | configs | policies")
      ->required()
      ->check(CLI::IsMember({"settings", "configs", "policies"}));

  // run
  CommonArgs run_args;
  std::string run_policy;
  auto* run = app.add_subcommand("run", "run the window loop with one policy; writes a run directory");
  AddCommonOptions(run, &run_args, /*with_out=*/true, /*out_required=*/false);
  run->add_option("--policy", run_policy,
                  "policy spec, e.g. fair:config=head-h64-f0.5-e5 (default: the setting 'policy')");

  // compare
  CommonArgs compare_args;
  std::vector<std::string> compare_policies;
  auto* compare =
      app.add_subcommand("compare", "run several policies on the same scenario; writes comparison.csv");
  AddCommonOptions(compare, &compare_args, /*with_out=*/true, /*out_required=*/false);
  compare
      ->add_option("--policy", compare_policies, "policy spec (repeatable; default: the setting 'compare')")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  // pretrain
  CommonArgs pretrain_args;
  bool force = false;
  auto* pretrain = app.add_subcommand("pretrain", "train and cache the base and golden models");
  AddCommonOptions(pretrain, &pretrain_args, /*with_out=*/false);
  pretrain->add_flag("--force", force, "retrain even when a matching cached model exists");

  // drift
  CommonArgs drift_args;
  auto* drift = app.add_subcommand("drift", "measure the drift benchmark's hardness; writes DIR/drift.json");
  AddCommonOptions(drift, &drift_args, /*with_out=*/true);

  // profile
  CommonArgs profile_args;
  auto* profile = app.add_subcommand(
      "profile",
      "exhaustive profiling: every config trained in full in every window; writes DIR/profiles.csv");
  AddCommonOptions(profile, &profile_args, /*with_out=*/true);

  // simulate
  SimulateArgs simulate_args;
  auto* simulate = app.add_subcommand(
      "simulate", "the window loop under the simulated clock, from recorded profiles (no training)");
  AddCommonOptions(simulate, &simulate_args.common, /*with_out=*/true, /*out_required=*/false);
  simulate->add_option("--profiles", simulate_args.profiles, "folder written by `ekya profile`")->required();
  simulate
      ->add_option("--policy", simulate_args.policies,
                   "policy spec (repeatable; default: the setting 'compare')")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  simulate->add_option("--streams", simulate_args.streams,
                       "streams to simulate (recorded streams are recycled)");
  simulate->add_option("--devices", simulate_args.devices, "devices to simulate");

  // bench
  auto* bench = app.add_subcommand("bench", "speed benchmarks");
  bench->require_subcommand(1);
  BenchTrainArgs bench_train_args;
  auto* bench_train = bench->add_subcommand("train", "training and inference throughput of a model");
  bench_train
      ->add_option("--model", bench_train_args.model, "resnet8 | resnet14 | resnet20 | resnet18 | resnet34")
      ->default_val("resnet8");
  bench_train->add_option("--width", bench_train_args.width, "width of narrow ResNets")->default_val(16);
  bench_train->add_option("--input", bench_train_args.input_size,
                          "input side in pixels (default: 28, 32 for resnet18/34)");
  bench_train->add_option("--batch", bench_train_args.batch, "training batch size")->default_val(32);
  bench_train->add_option("--threads", bench_train_args.threads, "intra-op threads")->default_val(2);
  bench_train->add_option("--seconds", bench_train_args.seconds, "measuring time of each phase")
      ->default_val(5.0);

  BenchSchedulerArgs bench_sched_args;
  auto* bench_sched =
      bench->add_subcommand("scheduler", "how long the schedulers take to decide (SPEC §7.7)");
  bench_sched->add_option("--streams", bench_sched_args.streams, "streams of the synthetic snapshot")
      ->default_val(10);
  bench_sched->add_option("--devices", bench_sched_args.devices, "devices of the synthetic snapshot")
      ->default_val(8);
  bench_sched
      ->add_option("--configs", bench_sched_args.configs,
                   "candidate configs per stream of the synthetic snapshot")
      ->default_val(18);
  bench_sched
      ->add_option(
          "--policy", bench_sched_args.policies,
          "policy spec (repeatable; default: the setting 'policy', thief unless a run's settings.yaml "
          "beside --snapshot says otherwise)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  bench_sched->add_option("--snapshot", bench_sched_args.snapshot,
                          "time a snapshot saved by a run instead: a run directory's snapshots.jsonl "
                          "or a single-snapshot .json file");
  bench_sched->add_option("--snapshot-index", bench_sched_args.snapshot_index,
                          "which snapshot of the file, 0-based (default: the window plan, not a re-plan, "
                          "with the most candidates)");
  bench_sched->add_option("--repeats", bench_sched_args.repeats, "timed decisions per policy")
      ->default_val(20);
  bench_sched->add_option("--seed", bench_sched_args.seed, "seed of the synthetic snapshot")->default_val(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (list->parsed()) return RunList(what);
  if (pretrain->parsed()) return RunPretrain(pretrain_args, force);
  if (drift->parsed()) return RunDrift(drift_args);
  if (run->parsed()) return RunRun(run_args, run_policy);
  if (profile->parsed()) return RunProfile(profile_args);
  if (simulate->parsed()) return RunSimulate(simulate_args);
  if (compare->parsed()) return RunCompare(compare_args, compare_policies);
  if (bench_train->parsed()) return RunBenchTrain(bench_train_args);
  if (bench_sched->parsed()) {
    for (const char* name : {"--streams", "--devices", "--configs", "--seed"}) {
      if (bench_sched->count(name) > 0) bench_sched_args.synthetic_options_given.push_back(name);
    }
    return RunBenchScheduler(bench_sched_args);
  }
  return 0;
}
