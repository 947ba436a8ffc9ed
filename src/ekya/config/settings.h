// Settings: every tunable of the system, declared once (settings_registry.cc)
// with its type, default, allowed range or choices and a one-line description.
//
// A Settings object holds the effective value of every declared key. Values
// come from the defaults, then a YAML scenario file (nested maps are
// flattened with dots: `dataset: {path: X}` is `dataset.path`), then
// `--set key=value` overrides, then dedicated flags (--seed). Every write is
// validated: an unknown key or a bad value is refused with InvalidArgument
// naming the key, the value and what is allowed, and the object is unchanged.
// Components never read Settings directly; the application turns them into
// typed option structs. A Settings object is a value; not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ekya/common/status.h"

namespace ekya {

enum class SettingType { kInt, kDouble, kString, kBool, kChoice, kStringList };

struct SettingSpec {
  std::string key;
  SettingType type = SettingType::kString;
  std::string default_value;  // in the same text form `--set` accepts
  double min = 0;             // kInt / kDouble: inclusive range
  double max = 0;
  std::vector<std::string> choices;  // kChoice: the allowed values
  bool allow_empty = false;          // kString: "" is allowed (means none)
  std::string description;

  // "integer in [1, 64]", "one of golden, ground_truth", ...
  std::string AllowedText() const;
};

// The registry, in a stable order (the order `ekya list settings` prints).
const std::vector<SettingSpec>& AllSettings();
// nullptr when the key is not declared.
const SettingSpec* FindSetting(const std::string& key);

class Settings {
 public:
  // Every declared key at its default.
  Settings();

  // Validates and stores `value` (text form) for `key`. Lists are written
  // comma-separated or as YAML sequences in files.
  Status Set(const std::string& key, const std::string& value);
  // "key=value", as given to --set.
  Status ApplyOverride(const std::string& assignment);
  // Loads a YAML scenario file; all keys are validated, the first error is
  // returned with the file name and the key. On error nothing is applied.
  Status LoadYamlFile(const std::string& path);
  Status LoadYamlString(const std::string& text, const std::string& origin = "<string>");

  // Typed reads of declared keys. Reading an undeclared key or with the wrong
  // type is a programming error (aborts with a message).
  int64_t Int(const std::string& key) const;
  double Double(const std::string& key) const;
  bool Bool(const std::string& key) const;
  const std::string& String(const std::string& key) const;  // kString and kChoice
  std::vector<std::string> List(const std::string& key) const;

  // The effective settings as YAML (nested by dotted prefixes), enough to
  // rerun: `ekya ... --config settings.yaml` reproduces the run.
  std::string ToYaml() const;
  // Keys whose value differs from the default.
  std::vector<std::string> ChangedKeys() const;

 private:
  const SettingSpec& SpecOrDie(const std::string& key, SettingType a, SettingType b) const;
  std::map<std::string, std::string> values_;
};

}  // namespace ekya
