#include "ekya/sched/policies/oracle.h"

#include <cmath>

namespace ekya {
namespace {

bool HasTruth(const ProfileRow& row) {
  return row.measured_accuracy.has_value() && row.measured_cost_s.has_value();
}

}  // namespace

OraclePolicy::OraclePolicy(OracleOptions options, ProfileTable table)
    : options_(std::move(options)), table_(std::move(table)), recorded_streams_(table_.streams()) {
  const std::vector<ProfileRow>& rows = table_.rows();
  for (size_t i = 0; i < rows.size(); ++i) by_stream_window_[{rows[i].stream, rows[i].window}].push_back(i);
}

Result<std::unique_ptr<OraclePolicy>> OraclePolicy::Create(const OracleOptions& options) {
  if (options.profiles.empty()) {
    return Status::InvalidArgument(
        "oracle.profiles is not set: give the folder with profiles.csv written by `ekya profile` "
        "(oracle:profiles=DIR or the setting oracle.profiles)");
  }
  // The search options are checked like the thief's.
  EKYA_RETURN_IF_ERROR(ThiefPolicy::Create(options.thief).status().WithContext("oracle"));
  Result<ProfileTable> table = ProfileTable::Load(options.profiles);
  if (!table.ok()) return table.status().WithContext("oracle.profiles");
  bool any_truth = false;
  for (const ProfileRow& row : table->rows())
    any_truth = any_truth || (row.config != "none" && HasTruth(row));
  if (!any_truth) {
    return Status::InvalidArgument(
        "oracle.profiles: '" + options.profiles +
        "/profiles.csv' has no config row with measured_accuracy and measured_cost_s; "
        "write it with `ekya profile`");
  }
  return std::unique_ptr<OraclePolicy>(new OraclePolicy(options, std::move(table).value()));
}

std::string OraclePolicy::spec() const { return std::string(kName) + ":profiles=" + options_.profiles; }

const std::vector<size_t>* OraclePolicy::RowsOf(int recorded_stream, int window) const {
  auto it = by_stream_window_.find({recorded_stream, window});
  return it == by_stream_window_.end() ? nullptr : &it->second;
}

Snapshot OraclePolicy::TrueSnapshot(const Snapshot& snapshot) const {
  Snapshot truth = snapshot;
  const int t = snapshot.window;
  const size_t recorded = recorded_streams_.size();
  for (size_t s = 0; s < truth.streams.size(); ++s) {
    StreamState& state = truth.streams[s];
    state.candidates.clear();
    if (recorded == 0) continue;
    const int r = recorded_streams_[s % recorded];
    if (std::isnan(state.accuracy)) {
      const ProfileRow* none = table_.Find(r, t, "none");
      if (none != nullptr && none->measured_accuracy.has_value()) state.accuracy = *none->measured_accuracy;
    }
    if (!snapshot.configs.empty()) {
      for (const RetrainConfig& config : snapshot.configs) {
        const ProfileRow* row = table_.Find(r, t, config.Id());
        if (row != nullptr && HasTruth(*row)) {
          state.candidates.push_back({config, *row->measured_accuracy, *row->measured_cost_s});
        }
      }
      continue;
    }
    const std::vector<size_t>* rows = RowsOf(r, t);
    if (rows == nullptr) continue;
    for (size_t i : *rows) {
      const ProfileRow& row = table_.rows()[i];
      if (row.config == "none" || !HasTruth(row)) continue;
      Result<RetrainConfig> config = RetrainConfig::Parse(row.FullId());
      if (!config.ok()) continue;  // Load accepted the base id, so this does not happen
      state.candidates.push_back({*config, *row.measured_accuracy, *row.measured_cost_s});
    }
  }
  return truth;
}

Result<PlanResult> OraclePolicy::Plan(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckSnapshot(snapshot, kName));
  SearchOptions search;
  search.variant = options_.thief.variant;
  search.delta = options_.thief.delta;
  search.estimator = options_.thief.estimator;
  return PlanAllocation(TrueSnapshot(snapshot), search);
}

Result<std::unique_ptr<Policy>> MakeOraclePolicy(const Settings& settings) {
  OracleOptions options;
  options.profiles = settings.String("oracle.profiles");
  options.thief.delta = settings.Double("thief.delta");
  EKYA_ASSIGN_OR_RETURN(options.thief.variant, ParseThiefVariant(settings.String("thief.variant")));
  EKYA_ASSIGN_OR_RETURN(options.thief.estimator, EstimatorOptionsFromSettings(settings));
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<OraclePolicy> policy, OraclePolicy::Create(options));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
