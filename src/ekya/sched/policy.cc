#include "ekya/sched/policy.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace ekya {
namespace {

constexpr double kShareTolerance = 1e-9;

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string StreamPrefix(size_t s) { return "stream " + std::to_string(s) + ": "; }

}  // namespace

Status ValidateAllocation(const Snapshot& snapshot, const Allocation& allocation) {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument("snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  if (allocation.streams.size() != snapshot.streams.size()) {
    return Status::InvalidArgument("allocation has " + std::to_string(allocation.streams.size()) +
                                   " streams, the snapshot " + std::to_string(snapshot.streams.size()));
  }
  std::vector<double> used(snapshot.devices, 0.0);
  for (size_t s = 0; s < allocation.streams.size(); ++s) {
    const StreamAllocation& a = allocation.streams[s];
    const StreamState& state = snapshot.streams[s];
    const std::string at = StreamPrefix(s);
    if (a.stream != static_cast<int>(s)) {
      return Status::InvalidArgument(at + "allocation entry " + std::to_string(s) + " is for stream " +
                                     std::to_string(a.stream) + "; entries must be in stream order");
    }
    if (a.device < 0 || a.device >= snapshot.devices) {
      return Status::InvalidArgument(at + "device " + std::to_string(a.device) + " is not in [0, " +
                                     std::to_string(snapshot.devices) + ")");
    }
    if (!std::isfinite(a.inference_share) || a.inference_share < 0) {
      return Status::InvalidArgument(at + "inference share " + Num(a.inference_share) +
                                     " is not a finite number >= 0");
    }
    if (!std::isfinite(a.retrain_share) || a.retrain_share < 0) {
      return Status::InvalidArgument(at + "retraining share " + Num(a.retrain_share) +
                                     " is not a finite number >= 0");
    }
    if (a.retrain_share > 0 && !a.retrain.has_value()) {
      return Status::InvalidArgument(at + "retraining share " + Num(a.retrain_share) +
                                     " without a retraining config");
    }
    if (a.retrain.has_value() && a.retrain_share <= 0) {
      return Status::InvalidArgument(at + "retraining config " + a.retrain->Id() +
                                     " with a retraining share of 0");
    }
    if (state.retrained_this_window && a.retrain.has_value()) {
      return Status::InvalidArgument(
          at + "its retraining already ended this window; it cannot get a new job (" + a.retrain->Id() + ")");
    }
    if (snapshot.replan) {
      if (state.running.has_value()) {
        if (!a.retrain.has_value() || !(*a.retrain == *state.running)) {
          return Status::InvalidArgument(at + "a re-plan must keep the running job's config " +
                                         state.running->Id() + ", not " +
                                         (a.retrain.has_value() ? a.retrain->Id() : std::string("none")));
        }
        if (a.device != state.device) {
          return Status::InvalidArgument(at + "a re-plan must keep the running job on device " +
                                         std::to_string(state.device) + ", not move it to device " +
                                         std::to_string(a.device));
        }
      } else if (a.retrain.has_value()) {
        return Status::InvalidArgument(at + "a re-plan changes shares only; it cannot start a new job (" +
                                       a.retrain->Id() + ")");
      }
    }
    used[a.device] += a.inference_share + a.retrain_share;
    if (used[a.device] > 1.0 + kShareTolerance) {
      // Report the device's total, naming the stream that exceeds it first.
      double total = 0;
      for (const StreamAllocation& other : allocation.streams) {
        if (other.device == a.device) total += other.inference_share + other.retrain_share;
      }
      return Status::InvalidArgument(at + "shares on device " + std::to_string(a.device) + " sum to " +
                                     Num(total) + " > 1");
    }
  }
  return Status::Ok();
}

std::vector<int> PlaceRoundRobin(int streams, int devices) {
  std::vector<int> placement(streams > 0 ? streams : 0, 0);
  if (devices < 1) return placement;
  for (int s = 0; s < streams; ++s) placement[s] = s % devices;
  return placement;
}

Result<PolicySpec> PolicySpec::Parse(const std::string& text) {
  PolicySpec spec;
  const size_t colon = text.find(':');
  spec.name = Trim(text.substr(0, colon));
  if (spec.name.empty()) {
    return Status::InvalidArgument("policy spec '" + text + "' has no policy name; expected name or " +
                                   "name:key=value,key=value");
  }
  if (colon == std::string::npos) return spec;
  const std::string rest = text.substr(colon + 1);
  size_t begin = 0;
  while (true) {
    const size_t comma = rest.find(',', begin);
    const std::string item =
        Trim(rest.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("policy spec '" + text + "': parameter '" + item +
                                     "' is not of the form key=value");
    }
    const std::string key = Trim(item.substr(0, eq));
    const std::string value = Trim(item.substr(eq + 1));
    if (key.empty()) {
      return Status::InvalidArgument("policy spec '" + text + "': parameter '" + item + "' has an empty key");
    }
    if (!spec.params.emplace(key, value).second) {
      return Status::InvalidArgument("policy spec '" + text + "': parameter '" + key + "' is given twice");
    }
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return spec;
}

std::string PolicySpec::ToString() const {
  std::string text = name;
  char separator = ':';
  for (const auto& [key, value] : params) {
    text += separator;
    text += key + "=" + value;
    separator = ',';
  }
  return text;
}

std::string PolicySpec::Slug() const {
  std::string slug = ToString();
  for (char& c : slug) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '=';
    if (!keep) c = '_';
  }
  return slug;
}

}  // namespace ekya

namespace ekya {

double InferenceProfile::At(double fraction) const {
  const double f = fraction < 0 ? 0 : (fraction > 1 ? 1 : fraction);
  if (points.empty()) return f;
  if (f <= points.front().first) {
    // Between (0, 0) and the first point.
    const auto [x, y] = points.front();
    return x > 0 ? y * f / x : y;
  }
  for (size_t i = 1; i < points.size(); ++i) {
    if (f <= points[i].first) {
      const auto [x0, y0] = points[i - 1];
      const auto [x1, y1] = points[i];
      return x1 > x0 ? y0 + (y1 - y0) * (f - x0) / (x1 - x0) : y1;
    }
  }
  return points.back().second;
}

}  // namespace ekya
