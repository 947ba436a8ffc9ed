#include "ekya/config/settings.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ekya {
namespace {

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool ParseInt(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& text, double* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// Normalises and validates a value; returns the stored text form.
Result<std::string> Validate(const SettingSpec& spec, const std::string& raw) {
  std::string value = Trim(raw);
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("setting '" + spec.key + "': value '" + value + "' " + why +
                                   "; allowed: " + spec.AllowedText());
  };
  switch (spec.type) {
    case SettingType::kInt: {
      int64_t v = 0;
      if (!ParseInt(value, &v)) return refuse("is not an integer");
      if (v < spec.min || v > spec.max) return refuse("is out of range");
      return std::to_string(v);
    }
    case SettingType::kDouble: {
      double v = 0;
      if (!ParseDouble(value, &v)) return refuse("is not a number");
      if (v < spec.min || v > spec.max) return refuse("is out of range");
      return FormatNumber(v);
    }
    case SettingType::kBool: {
      std::string v = value;
      std::transform(v.begin(), v.end(), v.begin(), ::tolower);
      if (v == "true" || v == "1" || v == "yes" || v == "on") return std::string("true");
      if (v == "false" || v == "0" || v == "no" || v == "off") return std::string("false");
      return refuse("is not a boolean");
    }
    case SettingType::kChoice: {
      if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
        return refuse("is not a known choice");
      }
      return value;
    }
    case SettingType::kString:
      if (value.empty() && !spec.allow_empty) return refuse("is empty");
      return value;
    case SettingType::kStringList: {
      std::vector<std::string> items;
      std::stringstream ss(value);
      std::string item;
      // Items are separated by ';' so that policy specs may contain commas.
      while (std::getline(ss, item, ';')) {
        item = Trim(item);
        if (!item.empty()) items.push_back(item);
      }
      std::string joined;
      for (size_t i = 0; i < items.size(); ++i) joined += (i ? ";" : "") + items[i];
      return joined;
    }
  }
  return refuse("has an unsupported type");
}

// Flattens a YAML map into dotted keys. Sequences become ';'-joined lists.
Status Flatten(const YAML::Node& node, const std::string& prefix,
               std::vector<std::pair<std::string, std::string>>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::string full = prefix.empty() ? key : prefix + "." + key;
      // A declared key whose value is a list, or a nested group.
      EKYA_RETURN_IF_ERROR(Flatten(kv.second, full, out));
    }
    return Status::Ok();
  }
  if (prefix.empty()) return Status::InvalidArgument("a scenario file must be a YAML map of settings");
  if (node.IsSequence()) {
    std::string joined;
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) {
        return Status::InvalidArgument("setting '" + prefix + "': list items must be plain values");
      }
      joined += (i ? ";" : "") + node[i].as<std::string>();
    }
    out->emplace_back(prefix, joined);
    return Status::Ok();
  }
  if (node.IsNull()) return Status::InvalidArgument("setting '" + prefix + "' has no value");
  out->emplace_back(prefix, node.as<std::string>());
  return Status::Ok();
}

// A few close keys, for "did you mean" hints.
std::string Suggest(const std::string& key) {
  std::string hints;
  std::string last = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  for (const auto& s : AllSettings()) {
    if (s.key.find(last) != std::string::npos || key.find(s.key) != std::string::npos) {
      hints += (hints.empty() ? "" : ", ") + s.key;
    }
  }
  return hints.empty() ? "" : " (did you mean: " + hints + "?)";
}

}  // namespace

std::string SettingSpec::AllowedText() const {
  switch (type) {
    case SettingType::kInt:
      return "integer in [" + FormatNumber(min) + ", " + FormatNumber(max) + "]";
    case SettingType::kDouble:
      return "number in [" + FormatNumber(min) + ", " + FormatNumber(max) + "]";
    case SettingType::kBool:
      return "true or false";
    case SettingType::kChoice: {
      std::string s = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
      return s;
    }
    case SettingType::kString:
      return allow_empty ? "a string (empty: none)" : "a non-empty string";
    case SettingType::kStringList:
      return "a list (YAML sequence, or items separated by ';')";
  }
  return "";
}

const SettingSpec* FindSetting(const std::string& key) {
  for (const auto& s : AllSettings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// The default in its stored (normalised) form; a default that does not
// validate is a mistake in the registry, caught by the first test to run.
static std::string NormalisedDefault(const SettingSpec& spec) {
  Result<std::string> v = Validate(spec, spec.default_value);
  if (!v.ok()) {
    std::fprintf(stderr, "settings registry: bad default for '%s': %s\n", spec.key.c_str(),
                 v.status().ToString().c_str());
    std::abort();
  }
  return *v;
}

Settings::Settings() {
  for (const auto& s : AllSettings()) values_[s.key] = NormalisedDefault(s);
}

Status Settings::Set(const std::string& key, const std::string& value) {
  const SettingSpec* spec = FindSetting(key);
  if (spec == nullptr) {
    return Status::InvalidArgument("unknown setting '" + key + "'" + Suggest(key) +
                                   "; `ekya list settings` prints every known setting");
  }
  EKYA_ASSIGN_OR_RETURN(std::string normalised, Validate(*spec, value));
  values_[key] = normalised;
  return Status::Ok();
}

Status Settings::ApplyOverride(const std::string& assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("--set '" + assignment + "' is not of the form key=value");
  }
  return Set(Trim(assignment.substr(0, eq)), assignment.substr(eq + 1));
}

Status Settings::LoadYamlString(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(origin + ": not valid YAML: " + e.what());
  }
  if (root.IsNull()) return Status::Ok();  // an empty file changes nothing
  std::vector<std::pair<std::string, std::string>> flat;
  try {
    EKYA_RETURN_IF_ERROR(Flatten(root, "", &flat).WithContext(origin));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
  Settings staged = *this;
  for (const auto& [key, value] : flat) EKYA_RETURN_IF_ERROR(staged.Set(key, value).WithContext(origin));
  *this = std::move(staged);
  return Status::Ok();
}

Status Settings::LoadYamlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("scenario file '" + path + "' cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  return LoadYamlString(buf.str(), path);
}

const SettingSpec& Settings::SpecOrDie(const std::string& key, SettingType a, SettingType b) const {
  const SettingSpec* spec = FindSetting(key);
  if (spec == nullptr || (spec->type != a && spec->type != b)) {
    std::fprintf(stderr, "internal error: setting '%s' read as the wrong type or undeclared\n", key.c_str());
    std::abort();
  }
  return *spec;
}

int64_t Settings::Int(const std::string& key) const {
  SpecOrDie(key, SettingType::kInt, SettingType::kInt);
  return std::strtoll(values_.at(key).c_str(), nullptr, 10);
}

double Settings::Double(const std::string& key) const {
  SpecOrDie(key, SettingType::kDouble, SettingType::kInt);
  return std::strtod(values_.at(key).c_str(), nullptr);
}

bool Settings::Bool(const std::string& key) const {
  SpecOrDie(key, SettingType::kBool, SettingType::kBool);
  return values_.at(key) == "true";
}

const std::string& Settings::String(const std::string& key) const {
  SpecOrDie(key, SettingType::kString, SettingType::kChoice);
  return values_.at(key);
}

std::vector<std::string> Settings::List(const std::string& key) const {
  SpecOrDie(key, SettingType::kStringList, SettingType::kStringList);
  std::vector<std::string> items;
  std::stringstream ss(values_.at(key));
  std::string item;
  while (std::getline(ss, item, ';')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string Settings::ToYaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  // Group dotted keys under their prefix, keeping registry order.
  std::vector<std::string> groups_done;
  for (const auto& spec : AllSettings()) {
    size_t dot = spec.key.find('.');
    auto emit_value = [&](const SettingSpec& s, const std::string& name) {
      out << YAML::Key << name << YAML::Value;
      const std::string& v = values_.at(s.key);
      if (s.type == SettingType::kStringList) {
        out << YAML::BeginSeq;
        for (const auto& item : List(s.key)) out << YAML::DoubleQuoted << item;
        out << YAML::EndSeq;
      } else if (s.type == SettingType::kString || s.type == SettingType::kChoice) {
        out << YAML::DoubleQuoted << v;
      } else {
        out << v;
      }
    };
    if (dot == std::string::npos) {
      emit_value(spec, spec.key);
      continue;
    }
    std::string group = spec.key.substr(0, dot);
    if (std::find(groups_done.begin(), groups_done.end(), group) != groups_done.end()) continue;
    groups_done.push_back(group);
    out << YAML::Key << group << YAML::Value << YAML::BeginMap;
    for (const auto& inner : AllSettings()) {
      if (inner.key.rfind(group + ".", 0) == 0) emit_value(inner, inner.key.substr(group.size() + 1));
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> Settings::ChangedKeys() const {
  std::vector<std::string> changed;
  for (const auto& s : AllSettings()) {
    if (values_.at(s.key) != NormalisedDefault(s)) changed.push_back(s.key);
  }
  return changed;
}

}  // namespace ekya
