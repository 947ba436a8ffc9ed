#include "ekya/profile/profile_table.h"

#include <algorithm>
#include <set>

#include "ekya/common/csv.h"
#include "ekya/common/files.h"

namespace ekya {
namespace {

constexpr char kProfilesHeader[] =
    "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s";
constexpr char kInferenceHeader[] = "stream,window,fraction,accuracy";

}  // namespace

std::string ProfileRow::FullId() const {
  return config == "none" ? config : config + "-e" + std::to_string(epochs);
}

Result<ProfileTable> ProfileTable::Parse(const std::string& profiles_csv, const std::string& inference_csv,
                                         const std::string& origin) {
  ProfileTable t;
  const std::string profiles = origin + "/profiles.csv";
  EKYA_ASSIGN_OR_RETURN(
      int lines,
      ForEachCsvRow(profiles_csv, profiles, kProfilesHeader, 8,
                    [&](int n, const std::string& line, const std::vector<std::string>& f) -> Status {
                      ProfileRow r;
                      r.config = f[2];
                      double v = 0;
                      if (!ParseCsvInt(f[0], &r.stream) || !ParseCsvInt(f[1], &r.window) ||
                          !ParseCsvInt(f[3], &r.epochs) || !ParseCsvDouble(f[4], &r.predicted_accuracy) ||
                          !ParseCsvDouble(f[5], &r.predicted_cost_s)) {
                        return CsvError(profiles, n, "a field does not parse: '" + line + "'");
                      }
                      if (!f[6].empty()) {
                        if (!ParseCsvDouble(f[6], &v))
                          return CsvError(profiles, n, "measured_accuracy does not parse");
                        r.measured_accuracy = v;
                      }
                      if (!f[7].empty()) {
                        if (!ParseCsvDouble(f[7], &v))
                          return CsvError(profiles, n, "measured_cost_s does not parse");
                        r.measured_cost_s = v;
                      }
                      if (r.config != "none" && !RetrainConfig::Parse(r.config, /*allow_base=*/true).ok()) {
                        return CsvError(profiles, n,
                                        "config '" + r.config + "' is not a base config id or none");
                      }
                      t.index_[{r.stream, r.window, r.FullId()}] = t.rows_.size();
                      t.rows_.push_back(std::move(r));
                      return Status::Ok();
                    }));
  if (lines == 0) return CsvError(profiles, 1, "the file is empty");
  const std::string inference = origin + "/inference_profile.csv";
  EKYA_RETURN_IF_ERROR(
      ForEachCsvRow(inference_csv, inference, kInferenceHeader, 0,
                    [&](int n, const std::string& line, const std::vector<std::string>& f) -> Status {
                      InferenceProfileRow r;
                      if (f.size() != 4 || !ParseCsvInt(f[0], &r.stream) || !ParseCsvInt(f[1], &r.window) ||
                          !ParseCsvDouble(f[2], &r.fraction) || !ParseCsvDouble(f[3], &r.accuracy)) {
                        return CsvError(inference, n,
                                        "expected stream,window,fraction,accuracy: '" + line + "'");
                      }
                      t.inference_.push_back(r);
                      return Status::Ok();
                    })
          .status());
  return t;
}

Result<ProfileTable> ProfileTable::Load(const std::string& dir) {
  EKYA_ASSIGN_OR_RETURN(std::string profiles, ReadFileWhole(dir + "/profiles.csv"));
  std::string inference;
  Result<std::string> inf = ReadFileWhole(dir + "/inference_profile.csv");
  if (inf.ok()) inference = *inf;
  return Parse(profiles, inference, dir);
}

std::vector<int> ProfileTable::streams() const {
  std::set<int> s;
  for (const auto& r : rows_) s.insert(r.stream);
  return {s.begin(), s.end()};
}

std::vector<int> ProfileTable::windows() const {
  std::set<int> s;
  for (const auto& r : rows_) s.insert(r.window);
  return {s.begin(), s.end()};
}

const ProfileRow* ProfileTable::Find(int stream, int window, const std::string& full_id) const {
  auto it = index_.find({stream, window, full_id});
  return it == index_.end() ? nullptr : &rows_[it->second];
}

std::vector<const ProfileRow*> ProfileTable::Rows(int stream, int window) const {
  std::vector<const ProfileRow*> out;
  for (const auto& r : rows_) {
    if (r.stream == stream && r.window == window) out.push_back(&r);
  }
  return out;
}

std::vector<std::pair<double, double>> ProfileTable::Inference(int stream, int window) const {
  std::vector<std::pair<double, double>> out;
  for (const auto& r : inference_) {
    if (r.stream == stream && r.window == window) out.emplace_back(r.fraction, r.accuracy);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ekya
