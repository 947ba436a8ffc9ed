#include "ekya/sched/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace ekya {
namespace {

constexpr double kTinyShare = 1e-12;
// A victim left with less than this after a move gives all it has: rounding
// residues (0.25 − 5 × 0.05 = 1.4e-17) must not become jobs.
constexpr double kSnapShare = 1e-9;
constexpr int kPickPasses = 3;
constexpr int kReleasedRounds = 3;

// One job of a device: a stream's inference or retraining.
struct Slot {
  int local = 0;  // index of the stream among the device's streams
  bool retrain = false;
};

// The search on one device. Shares and choices live in flat vectors indexed
// by the device's streams; `sims_` mirrors them for the simulator. Buffers are
// sized once, so the inner loop does not allocate.
class DeviceSearch {
 public:
  DeviceSearch(const Snapshot& snapshot, const std::vector<StreamFacts>& facts, std::vector<int> streams,
               const SearchOptions& options, DeviceSimulator* simulator)
      : snapshot_(snapshot),
        facts_(facts),
        streams_(std::move(streams)),
        options_(options),
        simulator_(simulator) {
    const size_t n = streams_.size();
    inference_.assign(n, 0);
    retrain_.assign(n, 0);
    choice_.assign(n, kNoJob);
    allowed_.resize(n);
    choosable_.assign(n, false);
    sims_.resize(n);
    for (size_t j = 0; j < n; ++j) {
      const StreamFacts& f = facts_[streams_[j]];
      if (snapshot_.replan) {
        if (f.running) {
          choice_[j] = kRunningJob;
          slots_.push_back({static_cast<int>(j), false});
          slots_.push_back({static_cast<int>(j), true});
        } else {
          slots_.push_back({static_cast<int>(j), false});
        }
        continue;
      }
      if (f.can_start) {
        for (size_t c = 0; c < f.candidates->size(); ++c) {
          if (options_.only_config.has_value() && !((*f.candidates)[c].config == *options_.only_config))
            continue;
          allowed_[j].push_back(static_cast<int>(c));
        }
      }
      choosable_[j] = !allowed_[j].empty();
      slots_.push_back({static_cast<int>(j), false});
      if (choosable_[j]) slots_.push_back({static_cast<int>(j), true});
    }
  }

  // Runs the configured search; the result is left in the current state.
  void Run() {
    if (streams_.empty()) return;
    if (options_.variant == ThiefVariant::kReleased && options_.steal) {
      RunReleased();
    } else {
      RunPaper();
    }
  }

  void Materialise(Allocation* allocation) const {
    for (size_t j = 0; j < streams_.size(); ++j) {
      const int s = streams_[j];
      StreamAllocation& a = allocation->streams[s];
      a.stream = s;
      a.device = facts_[s].device;
      if (choice_[j] == kNoJob || !(retrain_[j] > 0)) {
        a.retrain.reset();
        a.inference_share = inference_[j] + retrain_[j];
        a.retrain_share = 0;
      } else {
        a.retrain = choice_[j] == kRunningJob ? *snapshot_.streams[s].running
                                              : (*facts_[s].candidates)[choice_[j]].config;
        a.inference_share = inference_[j];
        a.retrain_share = retrain_[j];
      }
    }
  }

 private:
  struct Saved {
    std::vector<double> inference, retrain;
    std::vector<int> choice;
    DeviceScore score;
  };

  double& Share(const Slot& slot) { return slot.retrain ? retrain_[slot.local] : inference_[slot.local]; }

  void Sync(int j) { sims_[j] = MakeSimStream(facts_[streams_[j]], inference_[j], retrain_[j], choice_[j]); }
  void SyncAll() {
    for (size_t j = 0; j < streams_.size(); ++j) Sync(static_cast<int>(j));
  }
  DeviceScore Score() { return simulator_->Run(sims_); }

  void Save(const DeviceScore& score, Saved* saved) const {
    saved->inference = inference_;  // same sizes: no allocation after the first
    saved->retrain = retrain_;
    saved->choice = choice_;
    saved->score = score;
  }
  void Restore(const Saved& saved) {
    std::copy(saved.inference.begin(), saved.inference.end(), inference_.begin());
    std::copy(saved.retrain.begin(), saved.retrain.end(), retrain_.begin());
    std::copy(saved.choice.begin(), saved.choice.end(), choice_.begin());
    SyncAll();
  }

  // The start's shares (choices untouched).
  void SetStartShares() {
    const size_t n = streams_.size();
    const double nd = static_cast<double>(n);
    size_t jobs = 0;
    for (size_t j = 0; j < n; ++j) {
      if (snapshot_.replan ? choice_[j] == kRunningJob : choosable_[j]) ++jobs;
    }
    for (size_t j = 0; j < n; ++j) {
      const bool has_job = snapshot_.replan ? choice_[j] == kRunningJob : choosable_[j];
      if (options_.inference_fraction.has_value()) {
        const double x = *options_.inference_fraction;
        if (jobs == 0 || (!snapshot_.replan && x >= 1.0)) {
          inference_[j] = 1.0 / nd;
          retrain_[j] = 0;
        } else {
          inference_[j] = x / nd;
          retrain_[j] = has_job ? (1.0 - x) / static_cast<double>(jobs) : 0.0;
        }
        if (snapshot_.replan && has_job && retrain_[j] < kMinRunningShare) {
          // x = 1 on a re-plan: a running job still needs a share.
          retrain_[j] = kMinRunningShare;
          inference_[j] = std::max(0.0, inference_[j] - kMinRunningShare);
        }
      } else if (snapshot_.replan) {
        const double each = 1.0 / static_cast<double>(n + jobs);
        inference_[j] = each;
        retrain_[j] = has_job ? each : 0.0;
      } else {
        inference_[j] = has_job ? 0.5 / nd : 1.0 / nd;
        retrain_[j] = has_job ? 0.5 / nd : 0.0;
      }
    }
    SyncAll();
  }

  // PickConfigs for stream j; returns the device's score with the choice made.
  DeviceScore Pick(int j) {
    if (!choosable_[j]) return Score();
    const bool any = retrain_[j] > 0;
    int best_choice = kNoJob;
    DeviceScore best;
    bool have = false;
    if (options_.allow_none || !any) {
      choice_[j] = kNoJob;
      Sync(j);
      best = Score();
      have = true;
    }
    if (any) {
      for (int c : allowed_[j]) {
        choice_[j] = c;
        Sync(j);
        const DeviceScore score = Score();
        if (!have || IsBetter(score, best)) {
          best = score;
          best_choice = c;
          have = true;
        }
      }
    }
    choice_[j] = best_choice;
    Sync(j);
    return best;
  }

  DeviceScore PickAll() {
    DeviceScore score;
    bool scored = false;
    for (int pass = 0; pass < kPickPasses; ++pass) {
      bool changed = false;
      for (size_t j = 0; j < streams_.size(); ++j) {
        if (!choosable_[j]) continue;
        const int before = choice_[j];
        score = Pick(static_cast<int>(j));
        scored = true;
        changed = changed || choice_[j] != before;
      }
      if (!changed) break;
    }
    return scored ? score : Score();
  }

  // After shares of streams a and b changed: re-pick both (a first).
  DeviceScore Repick(int a, int b) {
    Sync(a);
    if (b != a) Sync(b);
    const bool pa = choosable_[a];
    const bool pb = b != a && choosable_[b];
    if (!pa && !pb) return Score();
    DeviceScore score;
    if (pa) score = Pick(a);
    if (pb) score = Pick(b);
    return score;
  }

  // What may be taken from a slot.
  double Stealable(const Slot& victim) {
    double floor = 0;
    if (victim.retrain && choice_[victim.local] == kRunningJob) floor = kMinRunningShare;
    return std::max(0.0, Share(victim) - floor);
  }

  DeviceScore Start() {
    SetStartShares();
    return PickAll();
  }

  void RunPaper() {
    Save(Start(), &best_);
    if (!options_.steal) return;
    for (const Slot& thief : slots_) {
      for (const Slot& victim : slots_) {
        if (thief.local == victim.local && thief.retrain == victim.retrain) continue;
        Restore(best_);
        while (true) {
          const double whole = Stealable(victim);
          double amount = std::min(options_.delta, whole);
          if (whole - amount <= kSnapShare) amount = whole;
          if (amount <= kTinyShare) break;
          Share(victim) -= amount;
          Share(thief) += amount;
          const DeviceScore score = Repick(thief.local, victim.local);
          if (!IsBetter(score, best_.score)) break;
          Save(score, &best_);
        }
      }
    }
    Restore(best_);
  }

  void RunReleased() {
    const int rounds = snapshot_.replan ? 1 : kReleasedRounds;
    std::vector<std::vector<int>> started;  // each round's choices after its PickAll
    bool have_best = false;
    for (int round = 0; round < rounds; ++round) {
      SetStartShares();  // choices carry over from the previous round
      DeviceScore current = PickAll();
      if (std::find(started.begin(), started.end(), choice_) != started.end()) break;
      started.push_back(choice_);
      if (!have_best || IsBetter(current, best_.score)) {
        Save(current, &best_);
        have_best = true;
      }
      for (const Slot& thief : slots_) {
        for (const Slot& victim : slots_) {
          if (thief.local == victim.local && thief.retrain == victim.retrain) continue;
          Save(current, &base_);
          line_best_.score = current;
          bool improved = false;
          const double whole = Stealable(victim);
          for (int k = 1;; ++k) {
            double amount = std::min(k * options_.delta, whole);
            if (whole - amount <= kSnapShare) amount = whole;
            if (amount <= kTinyShare) break;
            Restore(base_);
            Share(victim) -= amount;
            Share(thief) += amount;
            const DeviceScore score = Repick(thief.local, victim.local);
            if (IsBetter(score, line_best_.score)) {
              Save(score, &line_best_);
              improved = true;
            }
            if (amount >= whole) break;
          }
          Restore(improved ? line_best_ : base_);
          current = improved ? line_best_.score : base_.score;
          if (IsBetter(current, best_.score)) Save(current, &best_);
        }
      }
    }
    Restore(best_);
  }

  const Snapshot& snapshot_;
  const std::vector<StreamFacts>& facts_;
  const std::vector<int> streams_;
  const SearchOptions& options_;
  DeviceSimulator* simulator_;

  std::vector<Slot> slots_;
  std::vector<double> inference_, retrain_;
  std::vector<int> choice_;
  std::vector<std::vector<int>> allowed_;  // candidate indices PickConfigs may choose
  std::vector<bool> choosable_;
  std::vector<SimStream> sims_;
  Saved best_, base_, line_best_;
};

}  // namespace

Result<ThiefVariant> ParseThiefVariant(const std::string& name) {
  if (name == "paper") return ThiefVariant::kPaper;
  if (name == "released") return ThiefVariant::kReleased;
  return Status::InvalidArgument("thief variant '" + name + "' is not allowed; allowed: paper, released");
}

const char* ThiefVariantName(ThiefVariant variant) {
  return variant == ThiefVariant::kPaper ? "paper" : "released";
}

const char* TrainingAccuracyName(TrainingAccuracy training) {
  return training == TrainingAccuracy::kOld ? "old" : "linear";
}

std::string FormatNumber(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

Status CheckSnapshot(const Snapshot& snapshot, const std::string& who) {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument(who + ": snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  if (!(snapshot.r_max > 0)) {
    return Status::InvalidArgument(who + ": snapshot r_max " + FormatNumber(snapshot.r_max) + " is not > 0");
  }
  for (size_t s = 0; s < snapshot.streams.size(); ++s) {
    const int d = snapshot.streams[s].device;
    if (d < 0 || d >= snapshot.devices) {
      return Status::InvalidArgument(who + ": stream " + std::to_string(s) + " is on device " +
                                     std::to_string(d) + ", not in [0, " + std::to_string(snapshot.devices) +
                                     ")");
    }
  }
  return Status::Ok();
}

Status CheckEstimatorOptions(const EstimatorOptions& options, const std::string& who) {
  if (!std::isfinite(options.a_min) || options.a_min < 0 || options.a_min > 1) {
    return Status::InvalidArgument(who + ": a_min " + FormatNumber(options.a_min) + " is not in [0, 1]");
  }
  return Status::Ok();
}

Result<PlanResult> PlanAllocation(const Snapshot& snapshot, const SearchOptions& options) {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, "planner"));
  if (!(options.delta > 0) || options.delta > 1) {
    return Status::InvalidArgument("planner: delta " + FormatNumber(options.delta) + " is not in (0, 1]");
  }
  if (options.inference_fraction.has_value()) {
    const double x = *options.inference_fraction;
    if (!std::isfinite(x) || x < 0 || x > 1) {
      return Status::InvalidArgument("planner: inference_fraction " + FormatNumber(x) + " is not in [0, 1]");
    }
  }
  const std::vector<StreamFacts> facts = DescribeStreams(snapshot);
  std::vector<std::vector<int>> on_device = StreamsByDevice(facts, snapshot.devices);

  PlanResult result;
  result.allocation.streams.resize(snapshot.streams.size());
  DeviceSimulator simulator(snapshot.time_left(), snapshot.r_max, options.estimator);
  for (int d = 0; d < snapshot.devices; ++d) {
    if (on_device[d].empty()) continue;
    DeviceSearch search(snapshot, facts, std::move(on_device[d]), options, &simulator);
    search.Run();
    search.Materialise(&result.allocation);
  }
  result.estimator_calls = simulator.calls();
  EKYA_ASSIGN_OR_RETURN(result.estimate, EstimateAllocation(snapshot, result.allocation, options.estimator));
  return result;
}

Result<Allocation> PlanningPolicy::Decide(const Snapshot& snapshot) const {
  EKYA_ASSIGN_OR_RETURN(PlanResult plan, Plan(snapshot));
  return std::move(plan.allocation);
}

}  // namespace ekya
