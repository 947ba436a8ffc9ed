#include "ekya/sched/brute_force.h"

#include <cmath>
#include <vector>

#include "ekya/sched/search.h"

namespace ekya {
namespace {

constexpr int kMaxStreams = 3;
constexpr int kMaxDevices = 2;

// Exhaustive search over one device's streams.
class DeviceEnumerator {
 public:
  DeviceEnumerator(const Snapshot& snapshot, const std::vector<StreamFacts>& facts,
                   const std::vector<int>& streams, int units, DeviceSimulator* simulator)
      : snapshot_(snapshot), facts_(facts), streams_(streams), units_(units), simulator_(simulator) {
    const size_t n = streams_.size();
    options_.resize(n);
    for (size_t j = 0; j < n; ++j) {
      const StreamFacts& f = facts_[streams_[j]];
      if (snapshot_.replan) {
        options_[j].push_back(f.running ? kRunningJob : kNoJob);
      } else {
        options_[j].push_back(kNoJob);
        if (f.can_start) {
          for (size_t c = 0; c < f.candidates->size(); ++c) options_[j].push_back(static_cast<int>(c));
        }
      }
    }
    choice_.assign(n, kNoJob);
    units_of_.assign(2 * n, 0);
    best_units_.assign(2 * n, 0);
    best_choice_.assign(n, kNoJob);
    sims_.resize(n);
  }

  void Run() { Choose(0); }

  void Materialise(Allocation* allocation) const {
    for (size_t j = 0; j < streams_.size(); ++j) {
      const int s = streams_[j];
      StreamAllocation& a = allocation->streams[s];
      a.stream = s;
      a.device = facts_[s].device;
      a.inference_share = best_units_[2 * j] / static_cast<double>(units_);
      a.retrain_share = best_units_[2 * j + 1] / static_cast<double>(units_);
      if (best_choice_[j] == kRunningJob) {
        a.retrain = *snapshot_.streams[s].running;
      } else if (best_choice_[j] != kNoJob) {
        a.retrain = (*facts_[s].candidates)[best_choice_[j]].config;
      }
    }
  }

 private:
  void Choose(size_t j) {
    if (j == streams_.size()) {
      Split(0, units_);
      return;
    }
    for (int option : options_[j]) {
      choice_[j] = option;
      Choose(j + 1);
    }
  }

  // Slot k: stream k/2's inference (even) or retraining (odd) job.
  void Split(size_t k, int left) {
    if (k == 2 * streams_.size()) {
      Evaluate();
      return;
    }
    const bool retrain = k % 2 == 1;
    const bool job = retrain && choice_[k / 2] != kNoJob;
    if (retrain && !job) {
      units_of_[k] = 0;
      Split(k + 1, left);
      return;
    }
    for (int u = job ? 1 : 0; u <= left; ++u) {
      units_of_[k] = u;
      Split(k + 1, left - u);
    }
  }

  void Evaluate() {
    for (size_t j = 0; j < streams_.size(); ++j) {
      sims_[j] = MakeSimStream(facts_[streams_[j]], units_of_[2 * j] / static_cast<double>(units_),
                               units_of_[2 * j + 1] / static_cast<double>(units_), choice_[j]);
    }
    const DeviceScore score = simulator_->Run(sims_);
    if (!have_ || IsBetter(score, best_)) {
      have_ = true;
      best_ = score;
      best_units_ = units_of_;
      best_choice_ = choice_;
    }
  }

  const Snapshot& snapshot_;
  const std::vector<StreamFacts>& facts_;
  const std::vector<int>& streams_;
  const int units_;
  DeviceSimulator* simulator_;
  std::vector<std::vector<int>> options_;
  std::vector<int> choice_, units_of_, best_units_, best_choice_;
  std::vector<SimStream> sims_;
  DeviceScore best_;
  bool have_ = false;
};

}  // namespace

Result<BruteForceResult> BruteForceOptimum(const Snapshot& snapshot, const BruteForceOptions& options) {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, "brute force"));
  if (snapshot.streams.size() > static_cast<size_t>(kMaxStreams) || snapshot.devices > kMaxDevices) {
    return Status::InvalidArgument("brute force: " + std::to_string(snapshot.streams.size()) +
                                   " streams on " + std::to_string(snapshot.devices) + " devices; at most " +
                                   std::to_string(kMaxStreams) + " streams and " +
                                   std::to_string(kMaxDevices) + " devices");
  }
  const double m = options.grid > 0 ? 1.0 / options.grid : 0;
  const int units = static_cast<int>(std::lround(m));
  if (!(options.grid > 0) || units < 2 || units > 100 || std::abs(m - units) > 1e-6) {
    return Status::InvalidArgument("brute force: grid " + FormatNumber(options.grid) +
                                   " is not 1/m for an integer m in [2, 100]");
  }
  const std::vector<StreamFacts> facts = DescribeStreams(snapshot);
  std::vector<std::vector<int>> on_device = StreamsByDevice(facts, snapshot.devices);

  BruteForceResult result;
  result.allocation.streams.resize(snapshot.streams.size());
  DeviceSimulator simulator(snapshot.time_left(), snapshot.r_max, options.estimator);
  for (int d = 0; d < snapshot.devices; ++d) {
    if (on_device[d].empty()) continue;
    DeviceEnumerator enumerator(snapshot, facts, on_device[d], units, &simulator);
    enumerator.Run();
    enumerator.Materialise(&result.allocation);
  }
  result.evaluations = simulator.calls();
  EKYA_ASSIGN_OR_RETURN(result.estimate, EstimateAllocation(snapshot, result.allocation, options.estimator));
  return result;
}

}  // namespace ekya
