#include "ekya/sched/policies/replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace ekya {
namespace {

// How far a device's recorded shares may exceed 1 through the 6 significant
// digits of the run directory's numbers and still be scaled back to fit.
constexpr double kRoundingExcess = 1e-4;
// ValidateAllocation's tolerance.
constexpr double kShareTolerance = 1e-9;

Status CheckPlacement(const Snapshot& snapshot) {
  if (snapshot.devices < 1) {
    return Status::InvalidArgument("replay: snapshot has " + std::to_string(snapshot.devices) +
                                   " devices; at least 1 is needed");
  }
  for (size_t s = 0; s < snapshot.streams.size(); ++s) {
    const int device = snapshot.streams[s].device;
    if (device < 0 || device >= snapshot.devices) {
      return Status::InvalidArgument("replay: stream " + std::to_string(s) + " is on device " +
                                     std::to_string(device) + ", not in [0, " +
                                     std::to_string(snapshot.devices) + ")");
    }
  }
  return Status::Ok();
}

// The snapshot's config with the recorded id (the run's batch size and
// learning rate), or the recorded config itself.
RetrainConfig ResolveConfig(const RetrainConfig& recorded, const Snapshot& snapshot) {
  const std::string id = recorded.Id();
  for (const RetrainConfig& config : snapshot.configs) {
    if (config.Id() == id) return config;
  }
  return recorded;
}

// Scales a device's shares by 1/sum when rounding pushed the sum just over 1.
// Devices outside [0, devices) are left to ValidateAllocation.
void FitRoundedShares(int devices, Allocation* allocation) {
  std::vector<double> sums(devices, 0.0);
  for (const StreamAllocation& a : allocation->streams) {
    if (a.device >= 0 && a.device < devices) sums[a.device] += a.inference_share + a.retrain_share;
  }
  for (StreamAllocation& a : allocation->streams) {
    if (a.device < 0 || a.device >= devices) continue;
    const double sum = sums[a.device];
    if (sum > 1.0 + kShareTolerance && sum <= 1.0 + kRoundingExcess) {
      a.inference_share /= sum;
      a.retrain_share /= sum;
    }
  }
}

}  // namespace

Result<std::unique_ptr<ReplayPolicy>> ReplayPolicy::Create(const std::string& run_dir) {
  if (run_dir.empty()) {
    return Status::InvalidArgument(
        "replay.run is not set: give the run directory to replay (replay:run=DIR or the setting replay.run), "
        "one holding windows.csv and allocations.csv");
  }
  Result<RunRecord> record = RunRecord::Load(run_dir);
  if (!record.ok()) return record.status().WithContext("replay.run");
  if (record->windows().empty()) {
    return Status::InvalidArgument("replay.run: '" + run_dir +
                                   "/windows.csv' has no rows; nothing to replay");
  }
  return FromRecord(std::move(record).value(), run_dir);
}

std::unique_ptr<ReplayPolicy> ReplayPolicy::FromRecord(RunRecord record, std::string run_dir) {
  return std::unique_ptr<ReplayPolicy>(new ReplayPolicy(std::move(record), std::move(run_dir)));
}

std::string ReplayPolicy::spec() const { return std::string(kName) + ":run=" + run_dir_; }

Result<Allocation> ReplayPolicy::Decide(const Snapshot& snapshot) const {
  EKYA_RETURN_IF_ERROR(CheckPlacement(snapshot));
  Result<Allocation> allocation = snapshot.replan ? Replan(snapshot) : WindowStart(snapshot);
  if (!allocation.ok()) return allocation;
  FitRoundedShares(snapshot.devices, &*allocation);
  Status valid = ValidateAllocation(snapshot, *allocation);
  if (!valid.ok()) {
    return Status::InvalidArgument("replay of '" + run_dir_ + "', window " + std::to_string(snapshot.window) +
                                   (snapshot.replan ? " (re-plan)" : "") +
                                   ": the recorded allocation does not fit this run: " + valid.message());
  }
  return allocation;
}

Result<Allocation> ReplayPolicy::WindowStart(const Snapshot& snapshot) const {
  const size_t n = snapshot.streams.size();
  const int t = snapshot.window;
  // The device each stream was planned on: its first "plan" row.
  std::map<int, int> planned_device;
  for (const RecordedAllocation* row : record_.Allocations(t)) {
    if (row->reason == "plan") planned_device.emplace(row->stream, row->device);
  }
  Allocation allocation;
  allocation.streams.resize(n);
  std::vector<bool> recorded(n, false);
  for (size_t s = 0; s < n; ++s) {
    StreamAllocation& a = allocation.streams[s];
    a.stream = static_cast<int>(s);
    a.device = snapshot.streams[s].device;
    const RecordedWindow* row = record_.FindWindow(static_cast<int>(s), t);
    if (row == nullptr) continue;
    recorded[s] = true;
    auto device = planned_device.find(static_cast<int>(s));
    if (device != planned_device.end()) a.device = device->second;
    if (row->retrain.has_value()) a.retrain = ResolveConfig(*row->retrain, snapshot);
    a.inference_share = row->inference_share;
    a.retrain_share = row->retrain_share;
  }
  // Rounding is fitted before the unrecorded streams share what is left.
  FitRoundedShares(snapshot.devices, &allocation);
  std::vector<double> used(snapshot.devices, 0.0);
  std::vector<int> missing(snapshot.devices, 0);
  for (size_t s = 0; s < n; ++s) {
    const StreamAllocation& a = allocation.streams[s];
    if (recorded[s]) {
      if (a.device >= 0 && a.device < snapshot.devices) used[a.device] += a.inference_share + a.retrain_share;
    } else {
      ++missing[a.device];
    }
  }
  for (size_t s = 0; s < n; ++s) {
    if (recorded[s]) continue;
    StreamAllocation& a = allocation.streams[s];
    a.inference_share = std::max(0.0, 1.0 - used[a.device]) / missing[a.device];
  }
  return allocation;
}

Result<Allocation> ReplayPolicy::Replan(const Snapshot& snapshot) const {
  const size_t n = snapshot.streams.size();
  const double tau = snapshot.time_s;
  // The recorded re-plan nearest τ, if close enough.
  const std::vector<const RecordedAllocation*> rows = record_.Allocations(snapshot.window);
  double nearest = std::numeric_limits<double>::infinity();
  std::optional<double> matched_time;
  for (const RecordedAllocation* row : rows) {
    if (row->reason != "replan") continue;
    const double gap = std::abs(row->time_s - tau);
    if (gap < nearest) {
      nearest = gap;
      matched_time = row->time_s;
    }
  }
  if (nearest > 1e-6 + 5e-6 * std::abs(tau)) matched_time.reset();

  std::vector<std::optional<double>> inference(n);
  std::vector<std::optional<double>> retraining(n);
  if (matched_time.has_value()) {
    for (const RecordedAllocation* row : rows) {
      if (row->reason != "replan" || row->time_s != *matched_time) continue;
      if (row->stream < 0 || static_cast<size_t>(row->stream) >= n) continue;
      if (row->job == RecordedJob::kInference) {
        inference[row->stream] = row->share;
      } else if (row->job == RecordedJob::kRetraining || row->job == RecordedJob::kLabelling) {
        retraining[row->stream] = row->share;
      }
    }
  }

  Allocation allocation;
  allocation.streams.resize(n);
  for (size_t s = 0; s < n; ++s) {
    const StreamState& state = snapshot.streams[s];
    StreamAllocation& a = allocation.streams[s];
    a.stream = static_cast<int>(s);
    a.device = state.device;
    a.inference_share = inference[s].value_or(state.inference_share);
    if (state.running.has_value()) {
      a.retrain = state.running;
      a.retrain_share = retraining[s].value_or(state.retrain_share);
    }
  }
  return allocation;
}

Result<std::unique_ptr<Policy>> MakeReplayPolicy(const Settings& settings) {
  EKYA_ASSIGN_OR_RETURN(std::unique_ptr<ReplayPolicy> policy,
                        ReplayPolicy::Create(settings.String("replay.run")));
  return std::unique_ptr<Policy>(std::move(policy));
}

}  // namespace ekya
