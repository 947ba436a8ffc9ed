#include "ekya/sim/profiler_costs.h"

#include <filesystem>
#include <vector>

#include "ekya/common/csv.h"
#include "ekya/common/files.h"

namespace ekya {
namespace {

constexpr char kHeader[] = "stream,window,seconds";

}  // namespace

Result<ProfilerCosts> ProfilerCosts::Parse(const std::string& csv, const std::string& origin) {
  ProfilerCosts costs;
  const std::string where = origin + "/profiler_costs.csv";
  EKYA_ASSIGN_OR_RETURN(
      int lines,
      ForEachCsvRow(csv, where, kHeader, 0,
                    [&](int n, const std::string& line, const std::vector<std::string>& f) -> Status {
                      int stream = 0;
                      int window = 0;
                      double seconds = 0;
                      if (f.size() != 3 || !ParseCsvInt(f[0], &stream) || !ParseCsvInt(f[1], &window) ||
                          !ParseCsvDouble(f[2], &seconds)) {
                        return CsvError(where, n, "expected stream,window,seconds: '" + line + "'");
                      }
                      if (seconds < 0) return CsvError(where, n, "seconds must be >= 0: '" + line + "'");
                      if (!costs.seconds_.emplace(std::make_pair(stream, window), seconds).second) {
                        return CsvError(where, n,
                                        "stream " + std::to_string(stream) + " window " +
                                            std::to_string(window) + " is repeated");
                      }
                      return Status::Ok();
                    }));
  if (lines == 0) return CsvError(where, 1, "the file is empty");
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
