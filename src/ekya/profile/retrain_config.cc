#include "ekya/profile/retrain_config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace ekya {
namespace {

std::string FormatFraction(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", f);
  std::string s(buf);
  // Keep one decimal at least: 0.10 -> 0.1, 1.00 -> 1.0, 0.25 -> 0.25.
  while (s.size() > 3 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) parts.push_back(item);
  return parts;
}

bool ParseIntAfter(const std::string& part, char prefix, int* out) {
  if (part.size() < 2 || part[0] != prefix) return false;
  try {
    size_t pos = 0;
    int v = std::stoi(part.substr(1), &pos);
    if (pos != part.size() - 1 || v <= 0) return false;
    *out = v;
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

std::string RetrainConfig::BaseId() const {
  return std::string(scope == TrainScope::kHeadOnly ? "head" : "all") + "-h" + std::to_string(hidden) +
         "-f" + FormatFraction(data_fraction);
}

std::string RetrainConfig::Id() const { return BaseId() + "-e" + std::to_string(epochs); }

Result<RetrainConfig> RetrainConfig::Parse(const std::string& id, bool allow_base) {
  auto bad = [&]() {
    return Status::InvalidArgument("retraining config '" + id +
                                   "' is not of the form head|all-h<hidden>-f<fraction>-e<epochs> "
                                   "(for example all-h1024-f0.5-e15)");
  };
  std::vector<std::string> parts = Split(id, '-');
  if (parts.size() != 4 && !(allow_base && parts.size() == 3)) return bad();
  RetrainConfig c;
  if (parts[0] == "head") {
    c.scope = TrainScope::kHeadOnly;
  } else if (parts[0] == "all") {
    c.scope = TrainScope::kAllLayers;
  } else {
    return bad();
  }
  if (!ParseIntAfter(parts[1], 'h', &c.hidden)) return bad();
  if (parts[2].size() < 2 || parts[2][0] != 'f') return bad();
  try {
    size_t pos = 0;
    c.data_fraction = std::stod(parts[2].substr(1), &pos);
    if (pos != parts[2].size() - 1) return bad();
  } catch (...) {
    return bad();
  }
  if (!(c.data_fraction > 0.0 && c.data_fraction <= 1.0)) {
    return Status::InvalidArgument("retraining config '" + id + "': data fraction must be in (0, 1]");
  }
  if (parts.size() == 4 && !ParseIntAfter(parts[3], 'e', &c.epochs)) return bad();
  return c;
}

bool operator==(const RetrainConfig& a, const RetrainConfig& b) {
  return a.scope == b.scope && a.hidden == b.hidden && std::abs(a.data_fraction - b.data_fraction) < 1e-9 &&
         a.epochs == b.epochs && a.batch_size == b.batch_size && a.learning_rate == b.learning_rate;
}

std::vector<RetrainConfig> DefaultConfigSpace() {
  std::vector<RetrainConfig> out;
  for (TrainScope scope : {TrainScope::kHeadOnly, TrainScope::kAllLayers}) {
    for (double f : {0.1, 0.5, 1.0}) {
      for (int e : {5, 15, 30}) {
        RetrainConfig c;
        c.scope = scope;
        c.hidden = scope == TrainScope::kHeadOnly ? 64 : 1024;
        c.data_fraction = f;
        c.epochs = e;
        out.push_back(c);
      }
    }
  }
  return out;
}

RetrainConfig CostliestConfig() {
  RetrainConfig c;
  c.scope = TrainScope::kAllLayers;
  c.hidden = 1024;
  c.data_fraction = 1.0;
  c.epochs = 30;
  return c;
}

std::vector<int> HeadWidths(const std::vector<RetrainConfig>& configs) {
  std::vector<int> widths;
  for (const auto& c : configs) {
    if (std::find(widths.begin(), widths.end(), c.hidden) == widths.end()) widths.push_back(c.hidden);
  }
  std::sort(widths.begin(), widths.end());
  return widths;
}

}  // namespace ekya
