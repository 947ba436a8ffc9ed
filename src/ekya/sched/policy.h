// Schedulers (SPEC §7): the snapshot a policy sees, the allocation it
// returns, the Policy interface and the registry of policies by name.
//
// A policy is a pure function of a Snapshot: it never reads time, labels or
// true profiles, and the same snapshot gives the same allocation. It is asked
// at every window's start (t >= 1) and, with `on_completion: replan`, again
// whenever a retraining job finishes (Snapshot::replan); a re-plan changes
// shares only: a running job keeps its config, a stream whose job already
// finished (or failed) this window gets no new one.
//
// Placement: a stream's inference and retraining jobs share one device; the
// fair start places stream s on device s mod G (PlaceRoundRobin).
//
// Policies are registered by name (registry.cc); parameters come from the
// spec ("fair:config=all-h1024-f0.5-e15,inference_fraction=0.3"), falling
// back to the settings under the policy's prefix (`fair.config`, ...). Each
// parameter is validated like the setting of the same name.
//
// Thread-safety: Policy::Decide is const and may be called from several
// threads; the registry is immutable.
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/config/settings.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/sched/estimates.h"

namespace ekya {

struct StreamState {
  int stream = 0;
  int device = 0;  // where the stream is placed now
  // A retraining job running now (replan only), with its config and the work
  // it still needs, in device-seconds at full speed (a lower bound when the
  // executor only knows the step in progress).
  std::optional<RetrainConfig> running;
  double running_remaining_seconds = 0;
  // True when the stream's retraining already finished or failed this window.
  bool retrained_this_window = false;
  double inference_share = 0;  // current shares (replan); 0 at the window start
  double retrain_share = 0;
  // Estimates (empty or NaN when the run has no profiler): the deployed
  // model's full-rate accuracy on the current window, its accuracy against
  // the analysed fraction, and the micro-profiler's candidates.
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  InferenceProfile inference_profile;
  std::vector<ConfigEstimate> candidates;
};

struct Snapshot {
  int window = 0;               // t >= 1
  double window_seconds = 0;    // P
  double time_s = 0;            // seconds since the window's start
  int devices = 1;              // G
  double r_max = 0.25;          // share for full-rate inference
  bool replan = false;          // asked at a completion, not at the window's start
  std::vector<StreamState> streams;     // indexed by stream
  std::vector<RetrainConfig> configs;   // the candidate retraining configs
  double time_left() const { return window_seconds - time_s; }
};

struct StreamAllocation {
  int stream = 0;
  int device = 0;
  std::optional<RetrainConfig> retrain;  // none: no retraining this window
  double inference_share = 0;
  double retrain_share = 0;  // > 0 exactly when retrain is set (or a job runs)
};

struct Allocation {
  std::vector<StreamAllocation> streams;  // one per stream, indexed by stream
};

// Checks an allocation against its snapshot: one entry per stream in order;
// devices in [0, G); shares finite and >= 0; per device the shares sum to at
// most 1 (+1e-9); a retraining share > 0 exactly when a config is set; on a
// re-plan a running job keeps its config and device, and a stream with
// retrained_this_window gets none. InvalidArgument naming the stream and the
// rule otherwise.
Status ValidateAllocation(const Snapshot& snapshot, const Allocation& allocation);

// Stream s on device s mod devices.
std::vector<int> PlaceRoundRobin(int streams, int devices);

class Policy {
 public:
  virtual ~Policy() = default;
  // The spec it was made from, as text ("fair:config=head-h64-f0.5-e5,...",
  // every parameter spelled out, in a stable order).
  virtual std::string spec() const = 0;
  virtual Result<Allocation> Decide(const Snapshot& snapshot) const = 0;
  // True when the policy plans with the profilers' estimates: the window loop
  // then runs the micro-profiler before asking it (SPEC §2 step 3).
  virtual bool NeedsEstimates() const { return false; }
  // Base configs ("all-h1024-f0.1") the policy needs estimated in every
  // window: the micro-profiler's pruning (SPEC §6 step 5) keeps them.
  virtual std::set<std::string> ProfiledBases() const { return {}; }
};

// A policy's name and parameters: "name" or "name:key=value,key=value".
struct PolicySpec {
  std::string name;
  std::map<std::string, std::string> params;
  // InvalidArgument for an empty name, a parameter without '=', an empty key
  // or a repeated key.
  static Result<PolicySpec> Parse(const std::string& text);
  std::string ToString() const;
  // A folder name for the policy's run directory: letters, digits, '-', '_',
  // '.' and '=' kept, everything else '_' ("fair_config=head-h64-f0.5-e5").
  std::string Slug() const;
};

// Registered names, sorted.
std::vector<std::string> KnownPolicies();
// One line per policy: name, its parameters and a description.
std::string DescribePolicies();

// Builds a registered policy. NotFound naming the unknown policy and listing
// the known ones; InvalidArgument for an unknown parameter (listing the
// policy's parameters) or a bad value (naming the parameter and what is
// allowed). Settings supply the parameters the spec leaves out.
Result<std::unique_ptr<Policy>> MakePolicy(const PolicySpec& spec, const Settings& settings);
Result<std::unique_ptr<Policy>> MakePolicy(const std::string& spec_text, const Settings& settings);

}  // namespace ekya
