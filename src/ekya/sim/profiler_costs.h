// ProfilerCosts: what the micro-profiler's job cost, per recorded stream and
// window, as `ekya profile` recorded it (DIR/profiler_costs.csv):
//
//   stream,window,seconds
//
// seconds = device-seconds at full speed of one device that the profiling
// job of (stream, window) was charged. The simulator (sim/sim_workload.h)
// replays them as the cost of its profiling jobs. The file is optional: a
// profile directory without it gives an empty table, and the simulator then
// charges profiling nothing.
//
// Plain value; loading is a pure function of the file. Thread-safe to read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ekya/common/status.h"

namespace ekya {

class ProfilerCosts {
 public:
  // Reads DIR/profiler_costs.csv; an empty table when the file does not
  // exist. Corrupt naming the file and line for a bad header, a wrong number
  // of fields, a value that does not parse, a negative cost or a repeated
  // (stream, window).
  static Result<ProfilerCosts> Load(const std::string& dir);
  // The same from text (tests); `origin` names the source in errors.
  static Result<ProfilerCosts> Parse(const std::string& csv, const std::string& origin = "<text>");

  bool empty() const { return seconds_.empty(); }
  size_t size() const { return seconds_.size(); }
  // The recorded seconds of (stream, window); nullopt when absent.
  std::optional<double> Find(int stream, int window) const;

 private:
  std::map<std::pair<int, int>, double> seconds_;
};

}  // namespace ekya
