#include "ekya/sched/estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ekya {
namespace {

constexpr double kScoreTolerance = 1e-12;
// Jobs whose completion falls within this relative distance of the earliest
// one finish together (avoids phases of rounding-error length).
constexpr double kSimultaneous = 1e-12;

// ∫ max(0, y(τ)) dτ over [0, dt] for y linear from y0 to y1.
double PositivePartIntegral(double y0, double y1, double dt) {
  if (y0 <= 0 && y1 <= 0) return 0;
  if (y0 >= 0 && y1 >= 0) return 0.5 * (y0 + y1) * dt;
  // One sign change: the positive triangle.
  const double positive = std::max(y0, y1);
  const double crossing = positive / (std::abs(y0) + std::abs(y1));  // fraction of dt above 0
  return 0.5 * positive * crossing * dt;
}

}  // namespace

Result<TrainingAccuracy> ParseTrainingAccuracy(const std::string& name) {
  if (name == "old") return TrainingAccuracy::kOld;
  if (name == "linear") return TrainingAccuracy::kLinear;
  return Status::InvalidArgument("training accuracy '" + name + "' is not allowed; allowed: old, linear");
}

Result<EstimatorOptions> EstimatorOptionsFromSettings(const Settings& settings) {
  EstimatorOptions options;
  options.a_min = settings.Double("a_min");
  if (!std::isfinite(options.a_min) || options.a_min < 0 || options.a_min > 1) {
    return Status::InvalidArgument("setting a_min: " + std::to_string(options.a_min) +
                                   " is not a number in [0, 1]");
  }
  auto curve = ParseSpeedCurve(settings.String("device.speed_curve"));
  if (!curve.ok()) return curve.status().WithContext("setting device.speed_curve");
  options.curve = *curve;
  auto training = ParseTrainingAccuracy(settings.String("thief.training_accuracy"));
  if (!training.ok()) return training.status().WithContext("setting thief.training_accuracy");
  options.training_accuracy = *training;
  const double carryover = settings.Double("thief.carryover");
  if (!std::isfinite(carryover) || carryover < 0 || carryover > 1) {
    return Status::InvalidArgument("setting thief.carryover: " + std::to_string(carryover) +
                                   " is not a number in [0, 1]");
  }
  options.carryover = carryover;
  options.carryover_seconds = carryover * settings.Double("window_seconds");
  return options;
}

bool IsBetter(const DeviceScore& a, const DeviceScore& b) {
  if (a.shortfall < b.shortfall - kScoreTolerance) return true;
  if (a.shortfall > b.shortfall + kScoreTolerance) return false;
  return a.accuracy_sum > b.accuracy_sum + kScoreTolerance;
}

Estimate CombineScores(const std::vector<DeviceScore>& devices, int streams) {
  Estimate estimate;
  double accuracy = 0;
  double shortfall = 0;
  for (const DeviceScore& d : devices) {
    accuracy += d.accuracy_sum;
    shortfall += d.shortfall;
  }
  estimate.accuracy = streams > 0 ? accuracy / streams : 0;
  estimate.shortfall = shortfall;
  estimate.feasible = !(shortfall > kScoreTolerance);
  estimate.score = estimate.feasible ? estimate.accuracy : -1.0 - shortfall;
  return estimate;
}

DeviceSimulator::DeviceSimulator(double time_left, double r_max, const EstimatorOptions& options)
    : time_left_(time_left), r_max_(r_max), options_(options) {}

double DeviceSimulator::Factor(const InferenceProfile* profile, double inference) const {
  const double fraction = std::min(1.0, std::max(0.0, inference) / r_max_);
  if (profile == nullptr || profile->points.empty()) return fraction;
  return profile->At(fraction);
}

DeviceScore DeviceSimulator::Run(const SimStream* streams, size_t count, StreamOutcome* outcomes) {
  ++calls_;
  DeviceScore score;
  if (count == 0) return score;
  if (states_.size() < count) states_.resize(count);
  const double a_min = options_.a_min;
  const bool linear = options_.training_accuracy == TrainingAccuracy::kLinear;

  for (size_t j = 0; j < count; ++j) {
    const SimStream& in = streams[j];
    State& st = states_[j];
    st = State();
    st.inference = in.inference_share;
    st.active = in.retrain_share > 0;
    st.share = st.active ? in.retrain_share : 0;
    st.remaining = std::max(0.0, in.work);
    st.work0 = st.remaining;
    st.model = in.old_accuracy;
    st.factor = Factor(in.profile, st.inference);
  }

  if (!(time_left_ > 0)) {
    for (size_t j = 0; j < count; ++j) {
      const double accuracy = states_[j].model * states_[j].factor;
      const double shortfall = a_min > 0 ? std::max(0.0, a_min - accuracy) : 0.0;
      score.accuracy_sum += accuracy;
      score.shortfall += shortfall;
      if (outcomes != nullptr) outcomes[j] = {accuracy, shortfall, -1, states_[j].model};
    }
    return score;
  }

  double now = 0;
  while (true) {
    // Lending: idle inference share goes to the running jobs by their shares.
    double idle = 0;
    double job_shares = 0;
    for (size_t j = 0; j < count; ++j) {
      const State& st = states_[j];
      idle += std::max(0.0, st.inference - r_max_);
      if (st.active) job_shares += st.share;
    }
    const double horizon = time_left_ - now;
    double dt = horizon;
    for (size_t j = 0; j < count; ++j) {
      State& st = states_[j];
      if (!st.active) continue;
      double effective = st.share + (job_shares > 0 ? idle * st.share / job_shares : 0.0);
      effective = std::min(effective, 1.0);
      st.rate = SpeedAtShare(options_.curve, effective);
      st.until_done = st.rate > 0 ? st.remaining / st.rate : horizon + 1;
      dt = std::min(dt, st.until_done);
    }

    // Accuracy over [now, now + dt], then progress.
    for (size_t j = 0; j < count; ++j) {
      State& st = states_[j];
      const double accuracy = st.model * st.factor;
      st.accuracy_integral += accuracy * dt;
      if (a_min > 0) st.shortfall_old += std::max(0.0, a_min - accuracy) * dt;
      if (st.active) {
        const double before = st.remaining;
        const double after = std::max(0.0, st.remaining - st.rate * dt);
        if (linear && std::isfinite(st.work0)) {
          const SimStream& in = streams[j];
          const double p0 = st.work0 > 0 ? 1.0 - before / st.work0 : 1.0;
          const double p1 = st.work0 > 0 ? 1.0 - after / st.work0 : 1.0;
          const double q0 = in.progress + (1.0 - in.progress) * p0;
          const double q1 = in.progress + (1.0 - in.progress) * p1;
          const double gain = in.new_accuracy - in.old_accuracy;
          st.linear_bonus += st.factor * gain * 0.5 * (q0 + q1) * dt;
          if (a_min > 0) {
            const double y0 = a_min - st.factor * (in.old_accuracy + gain * q0);
            const double y1 = a_min - st.factor * (in.old_accuracy + gain * q1);
            st.shortfall_linear += PositivePartIntegral(y0, y1, dt);
          }
        }
        st.remaining = after;
      } else if (linear && a_min > 0) {
        st.shortfall_linear += std::max(0.0, a_min - accuracy) * dt;
      }
    }
    now += dt;
    if (dt >= horizon) break;

    // Completions at `now`: the swap, then the fair re-split of freed shares.
    double freed = 0;
    for (size_t j = 0; j < count; ++j) {
      State& st = states_[j];
      if (!st.active || st.until_done > dt * (1 + kSimultaneous)) continue;
      st.active = false;
      st.remaining = 0;
      st.done = now;
      st.model = streams[j].new_accuracy;
      if (linear) {
        st.accuracy_integral += st.linear_bonus;
        st.shortfall_old = st.shortfall_linear;
      }
      freed += st.share;
      st.share = 0;
    }
    if (freed > 0) {
      const double each = freed / static_cast<double>(count);
      for (size_t j = 0; j < count; ++j) {
        State& st = states_[j];
        st.inference += each;
        st.factor = Factor(streams[j].profile, st.inference);
      }
    }
  }

  // The carry-over into the next window (EstimatorOptions::carryover_seconds).
  const double carry = std::max(0.0, options_.carryover_seconds);
  for (size_t j = 0; j < count; ++j) {
    const State& st = states_[j];
    score.accuracy_sum += (st.accuracy_integral + carry * st.model * st.factor) / (time_left_ + carry);
    score.shortfall += st.shortfall_old / time_left_;
    if (outcomes != nullptr) {
      outcomes[j] = {st.accuracy_integral / time_left_, st.shortfall_old / time_left_, st.done, st.model};
    }
  }
  return score;
}

std::vector<std::vector<int>> StreamsByDevice(const std::vector<StreamFacts>& facts, int devices) {
  std::vector<std::vector<int>> on_device(devices);
  for (size_t s = 0; s < facts.size(); ++s) on_device[facts[s].device].push_back(static_cast<int>(s));
  return on_device;
}

std::vector<StreamFacts> DescribeStreams(const Snapshot& snapshot) {
  std::vector<StreamFacts> facts(snapshot.streams.size());
  for (size_t s = 0; s < snapshot.streams.size(); ++s) {
    const StreamState& state = snapshot.streams[s];
    StreamFacts& f = facts[s];
    f.device = state.device;
    const bool known = std::isfinite(state.accuracy);
    f.accuracy = known ? state.accuracy : 1.0;
    f.has_estimates = known && !state.candidates.empty();
    f.can_start = !snapshot.replan && f.has_estimates && !state.retrained_this_window;
    f.profile = &state.inference_profile;
    f.candidates = &state.candidates;
    if (snapshot.replan && state.running.has_value()) {
      f.running = true;
      f.running_work = std::max(0.0, state.running_remaining_seconds);
      f.running_accuracy = f.accuracy;
      for (const ConfigEstimate& c : state.candidates) {
        if (c.config == *state.running) {
          f.running_accuracy = c.accuracy;
          if (c.cost_seconds > 0) {
            f.running_progress = std::clamp(1.0 - f.running_work / c.cost_seconds, 0.0, 1.0);
          }
          break;
        }
      }
    }
  }
  return facts;
}

SimStream MakeSimStream(const StreamFacts& facts, double inference_share, double retrain_share, int choice) {
  SimStream sim;
  sim.profile = facts.profile;
  sim.old_accuracy = facts.accuracy;
  sim.new_accuracy = facts.accuracy;
  if (choice == kNoJob || !(retrain_share > 0)) {
    sim.inference_share = inference_share + retrain_share;
    return sim;
  }
  sim.inference_share = inference_share;
  sim.retrain_share = retrain_share;
  if (choice == kRunningJob) {
    sim.work = facts.running_work;
    sim.new_accuracy = facts.running_accuracy;
    sim.progress = facts.running_progress;
  } else {
    const ConfigEstimate& c = (*facts.candidates)[choice];
    sim.work = c.cost_seconds;
    sim.new_accuracy = c.accuracy;
  }
  return sim;
}

Result<Estimate> EstimateAllocation(const Snapshot& snapshot, const Allocation& allocation,
                                    const EstimatorOptions& options, std::vector<StreamOutcome>* outcomes) {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument("estimator: snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  if (!(snapshot.r_max > 0)) {
    return Status::InvalidArgument("estimator: r_max " + std::to_string(snapshot.r_max) + " is not > 0");
  }
  if (allocation.streams.size() != snapshot.streams.size()) {
    return Status::InvalidArgument("estimator: allocation has " + std::to_string(allocation.streams.size()) +
                                   " streams, the snapshot " + std::to_string(snapshot.streams.size()));
  }
  const std::vector<StreamFacts> facts = DescribeStreams(snapshot);
  std::vector<std::vector<SimStream>> per_device(snapshot.devices);
  std::vector<std::vector<int>> members(snapshot.devices);
  for (size_t s = 0; s < allocation.streams.size(); ++s) {
    const StreamAllocation& a = allocation.streams[s];
    if (a.device < 0 || a.device >= snapshot.devices) {
      return Status::InvalidArgument("estimator: stream " + std::to_string(s) + " is on device " +
                                     std::to_string(a.device) + ", not in [0, " +
                                     std::to_string(snapshot.devices) + ")");
    }
    const StreamFacts& f = facts[s];
    int choice = kNoJob;
    bool unknown = false;  // a config without an estimate: a job that never finishes
    if (a.retrain.has_value() && a.retrain_share > 0) {
      const StreamState& state = snapshot.streams[s];
      if (f.running && *a.retrain == *state.running) {
        choice = kRunningJob;
      } else {
        unknown = true;
        for (size_t c = 0; c < f.candidates->size(); ++c) {
          if ((*f.candidates)[c].config == *a.retrain) {
            choice = static_cast<int>(c);
            unknown = false;
            break;
          }
        }
      }
    }
    SimStream sim = MakeSimStream(f, a.inference_share, a.retrain_share, choice);
    if (unknown) {
      sim.inference_share = a.inference_share;
      sim.retrain_share = a.retrain_share;
      sim.work = std::numeric_limits<double>::infinity();
    }
    per_device[a.device].push_back(sim);
    members[a.device].push_back(static_cast<int>(s));
  }
  DeviceSimulator simulator(snapshot.time_left(), snapshot.r_max, options);
  std::vector<DeviceScore> scores(snapshot.devices);
  std::vector<StreamOutcome> device_outcomes;
  if (outcomes != nullptr) outcomes->assign(snapshot.streams.size(), StreamOutcome());
  for (int d = 0; d < snapshot.devices; ++d) {
    device_outcomes.assign(per_device[d].size(), StreamOutcome());
    scores[d] = simulator.Run(per_device[d].data(), per_device[d].size(), device_outcomes.data());
    if (outcomes == nullptr) continue;
    for (size_t j = 0; j < members[d].size(); ++j) {
      StreamOutcome o = device_outcomes[j];
      if (o.done_s >= 0) o.done_s += snapshot.time_s;
      (*outcomes)[members[d][j]] = o;
    }
  }
  return CombineScores(scores, static_cast<int>(snapshot.streams.size()));
}

}  // namespace ekya
