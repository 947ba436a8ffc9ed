#include "ekya/microprofile/config_prior.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "ekya/microprofile/micro_profiler.h"

namespace ekya {

std::optional<double> ConfigPrior::Of(const RetrainConfig& config) const {
  auto it = advantage.find({config.BaseId(), config.epochs});
  if (it == advantage.end()) return std::nullopt;
  return it->second;
}

ConfigPrior LearnConfigPrior(const std::vector<ProfileRow>& rows) {
  std::map<std::tuple<int, int, int>, std::vector<const ProfileRow*>> groups;
  for (const ProfileRow& r : rows) {
    if (r.config == "none" || !r.measured_accuracy.has_value()) continue;
    groups[{r.stream, r.window, r.epochs}].push_back(&r);
  }
  std::map<std::pair<std::string, int>, std::pair<double, int>> sums;
  ConfigPrior prior;
  for (const auto& [key, members] : groups) {
    if (members.size() < 2) continue;
    double mean = 0;
    for (const ProfileRow* r : members) mean += *r->measured_accuracy;
    mean /= static_cast<double>(members.size());
    for (const ProfileRow* r : members) {
      auto& [sum, count] = sums[{r->config, r->epochs}];
      sum += *r->measured_accuracy - mean;
      ++count;
    }
    ++prior.groups;
  }
  for (const auto& [key, sum_count] : sums) {
    prior.advantage[key] = sum_count.first / static_cast<double>(sum_count.second);
  }
  return prior;
}

Result<ConfigPrior> LoadConfigPrior(const std::string& dir) {
  EKYA_ASSIGN_OR_RETURN(ProfileTable table, ProfileTable::Load(dir));
  ConfigPrior prior = LearnConfigPrior(table.rows());
  if (prior.empty()) {
    return Status::InvalidArgument("'" + dir +
                                   "/profiles.csv' has no (stream, window, epochs) group of two or more "
                                   "configs with measured_accuracy: write it with `ekya profile`");
  }
  return prior;
}

Status ApplyConfigPrior(StreamEstimates& estimates, const ConfigPrior& prior, double weight) {
  if (!(weight >= 0 && weight <= 1)) {
    return Status::InvalidArgument("prior weight " + std::to_string(weight) + " is not in [0, 1]");
  }
  if (prior.empty() || weight == 0) return Status::Ok();
  // epochs -> the configs of that epoch count the prior knows, with their advantage.
  std::map<int, std::vector<std::pair<ConfigEstimate*, double>>> groups;
  for (ConfigEstimate& c : estimates.all) {
    if (std::optional<double> p = prior.Of(c.config)) groups[c.config.epochs].push_back({&c, *p});
  }
  for (auto& [epochs, members] : groups) {
    double mean = 0;
    double prior_mean = 0;
    for (const auto& [c, p] : members) {
      mean += c->accuracy;
      prior_mean += p;
    }
    mean /= static_cast<double>(members.size());
    prior_mean /= static_cast<double>(members.size());
    for (auto& [c, p] : members) {
      c->accuracy = std::clamp(mean + (1 - weight) * (c->accuracy - mean) + weight * (p - prior_mean), 0.0, 1.0);
    }
  }
  SelectCandidates(estimates);
  return Status::Ok();
}

}  // namespace ekya
