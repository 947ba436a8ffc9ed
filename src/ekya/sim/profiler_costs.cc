#include "ekya/sim/profiler_costs.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "ekya/common/csv.h"
#include "ekya/common/files.h"

namespace ekya {
namespace {

constexpr char kHeader[] = "stream,window,seconds";

Status Bad(const std::string& origin, int line, const std::string& what) {
  return Status::Corrupt(origin + "/profiler_costs.csv line " + std::to_string(line) + ": " + what);
}

}  // namespace

Result<ProfilerCosts> ProfilerCosts::Parse(const std::string& csv, const std::string& origin) {
  ProfilerCosts costs;
  std::stringstream in(csv);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1) {
      if (line != kHeader) return Bad(origin, n, std::string("the header is not '") + kHeader + "'");
      continue;
    }
    if (line.empty()) continue;
    const std::vector<std::string> f = SplitCsvLine(line);
    int stream = 0;
    int window = 0;
    double seconds = 0;
    if (f.size() != 3 || !ParseCsvInt(f[0], &stream) || !ParseCsvInt(f[1], &window) ||
        !ParseCsvDouble(f[2], &seconds)) {
      return Bad(origin, n, "expected stream,window,seconds: '" + line + "'");
    }
    if (seconds < 0) return Bad(origin, n, "seconds must be >= 0: '" + line + "'");
    if (!costs.seconds_.emplace(std::make_pair(stream, window), seconds).second) {
      return Bad(origin, n,
                 "stream " + std::to_string(stream) + " window " + std::to_string(window) + " is repeated");
    }
  }
  if (n == 0) return Bad(origin, 1, "the file is empty");
  return costs;
}

Result<ProfilerCosts> ProfilerCosts::Load(const std::string& dir) {
  const std::string path = dir + "/profiler_costs.csv";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ProfilerCosts();
  EKYA_ASSIGN_OR_RETURN(std::string text, ReadFileWhole(path));
  return Parse(text, dir);
}

std::optional<double> ProfilerCosts::Find(int stream, int window) const {
  auto it = seconds_.find({stream, window});
  if (it == seconds_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ekya
