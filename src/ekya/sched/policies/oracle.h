// The `oracle` policy (SPEC §7.4): the thief fed with true profiles, an
// upper reference for what better estimates would buy.
//
// Contract. The true profiles come from a source no other policy can reach:
// the policy itself loads the ProfileTable of the directory `profiles` (as
// written by `ekya profile`, whose measured columns are what retraining each
// config in full really reached and cost) when it is made. It never reads the
// snapshot's predicted candidates. Decide is then a pure function of the
// table and the snapshot, and returns an allocation that passes
// ValidateAllocation (PlanAllocation's contract).
//
// Algorithm. For window t and snapshot stream s, the recorded stream is
// r = recorded[s mod R], where recorded are the R distinct streams of the
// table in ascending order (more streams than recorded recycle them). The
// stream's candidates are replaced by the true ones of (r, t): every config
// row with both measured_accuracy and measured_cost_s, as
//   accuracy = measured_accuracy, cost_seconds = measured_cost_s;
// when the snapshot lists configs, only those (in the snapshot's order, with
// the snapshot's RetrainConfig, so batch size and learning rate are the
// run's), otherwise every recorded config (in file order). A (r, t) without
// rows gives no candidates: the stream plans none. The stream's current
// accuracy stays the snapshot's (the deployed model's estimate) or, when it
// is NaN, becomes the measured accuracy of (r, t)'s "none" row (still NaN
// without one: the stream plans none). The inference profile, placement,
// running jobs and their remaining work stay as given. The thief's search
// (sched/search.h: fair start, PickConfigs, Algorithm 1 or the released
// variant; re-plans keep running configs and re-split shares) then plans on
// this true snapshot.
//
// Parameter (validated like the setting `oracle.profiles`, an optional
// string): profiles, the directory holding profiles.csv (required). The
// factory reads `thief.delta`, `thief.variant`, `thief.training_accuracy`,
// `a_min` and `device.speed_curve` like the thief's. NeedsEstimates() is
// true: the window loop still provides each stream's current accuracy and
// inference profile.
//
// Errors: Create returns InvalidArgument naming `oracle.profiles` when it is
// empty or the table has no row with measured values, NotFound or Corrupt
// naming the file when profiles.csv is missing or malformed, and the thief's
// InvalidArgument for bad search options. Decide returns InvalidArgument for a
// snapshot without devices, with r_max <= 0 or with a stream placed outside
// [0, devices).
//
// Thread-safety: immutable after construction; Decide, Plan and TrueSnapshot
// are const and pure.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/profile/profile_table.h"
#include "ekya/sched/policies/thief.h"
#include "ekya/sched/search.h"

namespace ekya {

struct OracleOptions {
  std::string profiles;  // directory with profiles.csv
  ThiefOptions thief;    // the search: delta, variant, estimator options
};

class OraclePolicy : public PlanningPolicy {
 public:
  static constexpr const char* kName = "oracle";

  // Loads options.profiles (ProfileTable::Load); errors as described above.
  static Result<std::unique_ptr<OraclePolicy>> Create(const OracleOptions& options);

  // "oracle:profiles=<dir>".
  std::string spec() const override;
  Result<PlanResult> Plan(const Snapshot& snapshot) const override;

  // The snapshot the search plans on: the candidates and (when NaN) the
  // current accuracies replaced by the true ones, as described above.
  Snapshot TrueSnapshot(const Snapshot& snapshot) const;

  const OracleOptions& options() const { return options_; }

 private:
  OraclePolicy(OracleOptions options, ProfileTable table);

  // The table's row indices of (recorded stream, window), in file order.
  const std::vector<size_t>* RowsOf(int recorded_stream, int window) const;

  OracleOptions options_;
  ProfileTable table_;
  std::vector<int> recorded_streams_;  // ascending
  std::map<std::pair<int, int>, std::vector<size_t>> by_stream_window_;
};

// The registry's factory: reads `oracle.profiles` and the thief's settings.
Result<std::unique_ptr<Policy>> MakeOraclePolicy(const Settings& settings);

}  // namespace ekya
