// The `replay` policy (SPEC §7.5): replays the schedule an earlier run (or
// the simulator) recorded in its run directory, so that a schedule can be
// re-run under another clock, seed or workload, or checked for determinism.
//
// Contract. The record is read once, when the policy is made (RunRecord:
// windows.csv and allocations.csv of the directory `run`); Decide is then a
// pure function of the record and the snapshot. Every allocation it returns
// passes ValidateAllocation; a recorded schedule that cannot (a device the
// snapshot does not have, shares over a device's capacity, a config on a
// stream that may not retrain) is refused with InvalidArgument naming the run
// directory, the stream and the window, never patched silently.
//
// When it is asked. NeedsEstimates() is RunRecord::profiled(): true when the
// recorded run had the micro-profiler's phase (allocations.csv rows of job
// `profiling`, as thief, oracle, thief-fixedres, thief-fixedconfig, fair-sco
// and fair-naive record). The window loop then runs the same profiling phase
// (its estimates are not used) and asks for the window's plan when it ends,
// at the moment the recorded run asked; the plan returned is the recorded
// one (below), and the jobs it starts then end, and re-plans come, at the
// recorded times. A run without that phase (noretrain, fair, replay of such
// a run) keeps NeedsEstimates() false: the plan is asked at the window's
// start, as it was. Replaying under other settings (profiler.share, the
// profiler's costs, another workload) moves these moments; the plans are
// still the recorded ones, and a re-plan that no longer matches a recorded
// time keeps the current shares.
//
// Algorithm.
//  * Plan (Snapshot::replan false), per stream s of window t: the
//    windows.csv row (s, t) gives the config (a full id or none) and the
//    planned inference and retraining shares (what the recorded plan gave,
//    the shares of its rows with reason "plan"; windows.csv has a row per
//    stream even where a share did not change and so got no row); the config is the snapshot's
//    candidate config with that id when there is one (so batch size and
//    learning rate are the run's), the parsed id otherwise. The stream's
//    device is that of its first allocations.csv row of window t with reason
//    "plan", or the snapshot's device when there is none.
//    A stream without a row (more streams than recorded, a window past the
//    record) gets none; on each device such streams split what the recorded
//    streams there leave (1 − their shares, at least 0) equally among their
//    inference jobs — the whole device, 1/n_d each, when none is recorded.
//  * Re-plan (Snapshot::replan true), window t at time τ = snapshot.time_s:
//    the allocations.csv rows of window t with reason "replan" whose time_s
//    is nearest τ, if that is within 1e-6 + 5e-6·|τ| (allocations.csv prints
//    times with 6 significant digits), are the recorded re-plan. A stream's
//    inference share is its inference row there, a running job's share its
//    retraining (or labelling) row there; anything without a row keeps the
//    snapshot's current share (the controller records a share only when it
//    changes), and so does everything when no re-plan matches. As a re-plan
//    demands, a running job keeps its config and every other stream gets
//    none (share 0); streams keep the snapshot's devices.
//  * Rounding: shares are printed with 6 significant digits, so a device's
//    recorded shares may sum to slightly more than 1. When a device's sum
//    exceeds 1 + 1e-9 by at most 1e-4, its shares are scaled by 1/sum; a
//    larger excess is left to ValidateAllocation (and refused). Shares that
//    already fit are returned bit for bit.
//
// Parameter (validated like the setting `replay.run`, an optional string):
//   run  the run directory to replay (required: empty is refused).
//
// Thread-safety: immutable after construction; Decide is const and pure.
#pragma once

#include <memory>
#include <string>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/sched/policy.h"
#include "ekya/sched/run_record.h"

namespace ekya {

class ReplayPolicy : public Policy {
 public:
  static constexpr const char* kName = "replay";

  // Loads `run_dir` (RunRecord::Load). InvalidArgument naming `replay.run`
  // when run_dir is empty; NotFound or Corrupt naming the file otherwise.
  static Result<std::unique_ptr<ReplayPolicy>> Create(const std::string& run_dir);
  // A policy over a record already read (tests); `run_dir` names it in
  // messages and in spec().
  static std::unique_ptr<ReplayPolicy> FromRecord(RunRecord record, std::string run_dir);

  // "replay:run=<dir>".
  std::string spec() const override;
  Result<Allocation> Decide(const Snapshot& snapshot) const override;
  // Whether the recorded run had a profiling phase (RunRecord::profiled()).
  bool NeedsEstimates() const override { return record_.profiled(); }

  const RunRecord& record() const { return record_; }

 private:
  ReplayPolicy(RunRecord record, std::string run_dir)
      : record_(std::move(record)), run_dir_(std::move(run_dir)) {}

  Result<Allocation> WindowStart(const Snapshot& snapshot) const;
  Result<Allocation> Replan(const Snapshot& snapshot) const;

  RunRecord record_;
  std::string run_dir_;
};

// The registry's factory: reads `replay.run`.
Result<std::unique_ptr<Policy>> MakeReplayPolicy(const Settings& settings);

}  // namespace ekya
