#include "ekya/sim/profiler_costs.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace ekya {
namespace {

constexpr char kHeader[] = "stream,window,seconds";

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

bool ToInt(const std::string& s, int* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ToDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

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
    const std::vector<std::string> f = Split(line);
    int stream = 0;
    int window = 0;
    double seconds = 0;
    if (f.size() != 3 || !ToInt(f[0], &stream) || !ToInt(f[1], &window) || !ToDouble(f[2], &seconds)) {
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), dir);
}

std::optional<double> ProfilerCosts::Find(int stream, int window) const {
  auto it = seconds_.find({stream, window});
  if (it == seconds_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ekya
