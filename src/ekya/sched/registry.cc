// The registry of policies: one row per policy (name, parameter names,
// description, factory). A parameter `p` of policy `name` is validated and
// defaulted as the setting `name.p`; a new policy is one row here plus its
// settings in config/settings_registry.cc.
#include <algorithm>

#include "ekya/sched/policies/fair.h"
#include "ekya/sched/policies/fair_naive.h"
#include "ekya/sched/policies/fair_sco.h"
#include "ekya/sched/policies/noretrain.h"
#include "ekya/sched/policies/oracle.h"
#include "ekya/sched/policies/replay.h"
#include "ekya/sched/policies/thief.h"
#include "ekya/sched/policies/thief_fixedconfig.h"
#include "ekya/sched/policies/thief_fixedres.h"
#include "ekya/sched/policy.h"

namespace ekya {
namespace {

using PolicyFactory = Result<std::unique_ptr<Policy>> (*)(const Settings& settings);

struct PolicyEntry {
  const char* name;
  std::vector<std::string> params;  // each one is also the setting `name.param`
  const char* description;
  PolicyFactory make;
};

// Sorted by name.
const std::vector<PolicyEntry>& Registry() {
  static const std::vector<PolicyEntry> kRegistry = {
      {"fair",
       {"config", "inference_fraction"},
       "every stream retrains with one fixed config; a fixed fraction of each device goes to inference, "
       "the rest to retraining, split equally (the paper's Uniform)",
       &MakeFairPolicy},
      {"fair-naive",
       {"inference_fraction"},
       "fair shares; per stream the most accurate config that finishes in the window at its share",
       &MakeFairNaivePolicy},
      {"fair-sco",
       {"inference_fraction"},
       "fair shares; per stream the config with the best estimated window accuracy at that split",
       &MakeFairScoPolicy},
      {"noretrain", {}, "inference only; each device split equally among its streams", &MakeNoRetrainPolicy},
      {"oracle",
       {"profiles"},
       "the thief planning with true profiles (measured accuracy and cost of every config, read from the "
       "profiles.csv of `ekya profile` in the folder `profiles`; uses the thief's settings)",
       &MakeOraclePolicy},
      {"replay",
       {"run"},
       "replays the configs and shares an earlier run recorded in its run directory `run` (windows.csv, "
       "allocations.csv)",
       &MakeReplayPolicy},
      {"thief",
       {"carryover", "delta", "training_accuracy", "variant"},
       "Ekya's scheduler: per-stream config choice by the estimator and share stealing between jobs "
       "(uses a_min and device.speed_curve)",
       &MakeThiefPolicy},
      {"thief-fixedconfig",
       {"config"},
       "ablation: the thief's share search with one fixed config (or none) for every stream",
       &MakeThiefFixedConfigPolicy},
      {"thief-fixedres",
       {},
       "ablation: the thief's per-stream config choice at the fair split, no stealing",
       &MakeThiefFixedResPolicy},
  };
  return kRegistry;
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text;
}

std::string SettingKey(const PolicyEntry& entry, const std::string& param) {
  return std::string(entry.name) + "." + param;
}

}  // namespace

std::vector<std::string> KnownPolicies() {
  std::vector<std::string> names;
  for (const PolicyEntry& entry : Registry()) names.push_back(entry.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string DescribePolicies() {
  std::string text;
  for (const PolicyEntry& entry : Registry()) {
    text += entry.name;
    if (!entry.params.empty()) {
      std::vector<std::string> params;
      for (const std::string& param : entry.params) {
        const SettingSpec* setting = FindSetting(SettingKey(entry, param));
        std::string item = param;
        if (setting != nullptr) {
          item += "=" + setting->default_value + " (" + setting->AllowedText() + ")";
        }
        params.push_back(item);
      }
      text += " [" + Join(params) + "]";
    }
    text += ": " + std::string(entry.description) + "\n";
  }
  return text;
}

Result<std::unique_ptr<Policy>> MakePolicy(const PolicySpec& spec, const Settings& settings) {
  const auto& registry = Registry();
  auto entry = std::find_if(registry.begin(), registry.end(),
                            [&](const PolicyEntry& e) { return spec.name == e.name; });
  if (entry == registry.end()) {
    return Status::NotFound("unknown policy '" + spec.name + "'; known policies: " + Join(KnownPolicies()));
  }
  // Parameters are written into a scratch copy of the settings, which
  // validates them and supplies the defaults of those the spec leaves out.
  Settings resolved = settings;
  for (const auto& [key, value] : spec.params) {
    if (std::find(entry->params.begin(), entry->params.end(), key) == entry->params.end()) {
      return Status::InvalidArgument("policy '" + spec.name + "' has no parameter '" + key + "'; " +
                                     (entry->params.empty() ? std::string("it has no parameters")
                                                            : "its parameters: " + Join(entry->params)));
    }
    EKYA_RETURN_IF_ERROR(
        resolved.Set(SettingKey(*entry, key), value).WithContext("policy '" + spec.name + "'"));
  }
  auto policy = entry->make(resolved);
  if (!policy.ok()) return policy.status().WithContext("policy '" + spec.name + "'");
  return policy;
}

Result<std::unique_ptr<Policy>> MakePolicy(const std::string& spec_text, const Settings& settings) {
  EKYA_ASSIGN_OR_RETURN(PolicySpec spec, PolicySpec::Parse(spec_text));
  return MakePolicy(spec, settings);
}

}  // namespace ekya
