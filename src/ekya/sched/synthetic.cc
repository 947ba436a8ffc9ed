#include "ekya/sched/synthetic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "ekya/common/rng.h"

namespace ekya {

std::vector<RetrainConfig> SyntheticConfigSpace(int k) {
  const std::vector<RetrainConfig> base = DefaultConfigSpace();
  std::vector<RetrainConfig> configs;
  configs.reserve(std::max(0, k));
  for (int i = 0; i < k; ++i) {
    RetrainConfig c = base[i % base.size()];
    c.epochs += 30 * (i / static_cast<int>(base.size()));
    configs.push_back(c);
  }
  return configs;
}

InferenceProfile PaperInferenceProfile() {
  // 1 in k frames: factor for k = 1..10, 15, 20.
  static constexpr std::pair<int, double> kTable[] = {{20, .04}, {15, .12}, {10, .15}, {9, .28},
                                                      {8, .33},  {7, .41},  {6, .42},  {5, .44},
                                                      {4, .60},  {3, .64},  {2, .78},  {1, 1.0}};
  InferenceProfile profile;
  for (const auto& [k, factor] : kTable) profile.points.emplace_back(1.0 / k, factor);
  return profile;
}

Result<Snapshot> MakeSyntheticSnapshot(const SyntheticOptions& options) {
  if (options.streams < 1 || options.devices < 1 || options.configs < 1) {
    return Status::InvalidArgument("synthetic snapshot: streams (" + std::to_string(options.streams) +
                                   "), devices (" + std::to_string(options.devices) + ") and configs (" +
                                   std::to_string(options.configs) + ") must be >= 1");
  }
  if (!(options.window_seconds > 0)) {
    return Status::InvalidArgument("synthetic snapshot: window_seconds must be > 0");
  }
  const double P = options.window_seconds;
  Snapshot snapshot;
  snapshot.window = 1;
  snapshot.window_seconds = P;
  snapshot.devices = options.devices;
  snapshot.r_max = 0.25;
  snapshot.replan = options.replan;
  snapshot.configs = SyntheticConfigSpace(options.configs);

  // Configs grouped by base id, in order of epochs (the space lists epochs ascending).
  std::map<std::string, std::vector<int>> by_base;
  for (int c = 0; c < options.configs; ++c) by_base[snapshot.configs[c].BaseId()].push_back(c);
  for (auto& [id, members] : by_base) {
    std::sort(members.begin(), members.end(),
              [&](int a, int b) { return snapshot.configs[a].epochs < snapshot.configs[b].epochs; });
  }

  const InferenceProfile profile = PaperInferenceProfile();
  const std::vector<int> placement = PlaceRoundRobin(options.streams, options.devices);
  std::vector<int> on_device(options.devices, 0);
  for (int d : placement) ++on_device[d];

  Rng timing(DeriveSeed(options.seed, {0x5e1ec7, 0}));
  snapshot.time_s = options.replan ? timing.Uniform(0.1, 0.6) * P : 0.0;

  for (int s = 0; s < options.streams; ++s) {
    Rng rng(DeriveSeed(options.seed, {0x5e1ec7, 1, static_cast<uint64_t>(s)}));
    StreamState state;
    state.stream = s;
    state.device = placement[s];
    state.accuracy = rng.Uniform(0.5, 0.8);
    state.inference_profile = profile;
    state.candidates.resize(options.configs);
    for (const auto& [id, members] : by_base) {
      std::vector<double> gains, costs;
      for (size_t i = 0; i < members.size(); ++i) {
        gains.push_back(rng.Uniform(0.0, 0.3));
        costs.push_back(1.5 * P * std::pow(200.0, -rng.Uniform()));
      }
      std::sort(gains.begin(), gains.end());
      std::sort(costs.begin(), costs.end());
      for (size_t i = 0; i < members.size(); ++i) {
        ConfigEstimate& e = state.candidates[members[i]];
        e.config = snapshot.configs[members[i]];
        e.accuracy = std::min(0.99, state.accuracy + gains[i]);
        e.cost_seconds = costs[i];
      }
    }
    if (options.replan) {
      const double fate = rng.Uniform();
      const double n = on_device[state.device];
      if (fate < 0.4) {
        const ConfigEstimate& c = state.candidates[rng.Below(state.candidates.size())];
        state.running = c.config;
        state.running_remaining_seconds = c.cost_seconds * rng.Uniform(0.05, 1.0);
        state.inference_share = 0.5 / n;
        state.retrain_share = 0.5 / n;
      } else {
        state.retrained_this_window = fate < 0.6;
        state.inference_share = 1.0 / n;
      }
    }
    snapshot.streams.push_back(std::move(state));
  }
  return snapshot;
}

}  // namespace ekya
