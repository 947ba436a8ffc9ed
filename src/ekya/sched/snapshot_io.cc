#include "ekya/sched/snapshot_io.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "ekya/common/files.h"

namespace ekya {
namespace {

using Json = nlohmann::json;                 // read: any key order
using OrderedJson = nlohmann::ordered_json;  // written: keys in the order of the contract

// ---------------------------------------------------------------- writing

// A double that reads back as itself: a JSON number when finite, null for
// NaN, "inf" / "-inf" for infinities.
OrderedJson Number(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

OrderedJson ConfigJson(const RetrainConfig& c) {
  const std::string id = c.Id();
  Result<RetrainConfig> back = RetrainConfig::Parse(id);
  if (back.ok() && *back == c) return id;
  OrderedJson o;
  o["scope"] = c.scope == TrainScope::kHeadOnly ? "head" : "all";
  o["hidden"] = c.hidden;
  o["data_fraction"] = Number(c.data_fraction);
  o["epochs"] = c.epochs;
  o["batch_size"] = c.batch_size;
  o["learning_rate"] = Number(c.learning_rate);
  return o;
}

OrderedJson StreamJson(const StreamState& st) {
  OrderedJson o;
  o["stream"] = st.stream;
  o["device"] = st.device;
  o["running"] = st.running ? ConfigJson(*st.running) : OrderedJson(nullptr);
  o["running_remaining_seconds"] = Number(st.running_remaining_seconds);
  o["retrained_this_window"] = st.retrained_this_window;
  o["inference_share"] = Number(st.inference_share);
  o["retrain_share"] = Number(st.retrain_share);
  o["accuracy"] = Number(st.accuracy);
  OrderedJson points = OrderedJson::array();
  for (const auto& [fraction, factor] : st.inference_profile.points)
    points.push_back(OrderedJson::array({Number(fraction), Number(factor)}));
  o["inference_profile"] = std::move(points);
  OrderedJson candidates = OrderedJson::array();
  for (const ConfigEstimate& c : st.candidates) {
    OrderedJson e;
    e["config"] = ConfigJson(c.config);
    e["accuracy"] = Number(c.accuracy);
    e["cost_seconds"] = Number(c.cost_seconds);
    candidates.push_back(std::move(e));
  }
  o["candidates"] = std::move(candidates);
  return o;
}

OrderedJson SnapshotJsonValue(const Snapshot& s) {
  OrderedJson o;
  o["window"] = s.window;
  o["window_seconds"] = Number(s.window_seconds);
  o["time_s"] = Number(s.time_s);
  o["devices"] = s.devices;
  o["r_max"] = Number(s.r_max);
  o["replan"] = s.replan;
  OrderedJson configs = OrderedJson::array();
  for (const RetrainConfig& c : s.configs) configs.push_back(ConfigJson(c));
  o["configs"] = std::move(configs);
  OrderedJson streams = OrderedJson::array();
  for (const StreamState& st : s.streams) streams.push_back(StreamJson(st));
  o["streams"] = std::move(streams);
  return o;
}

// ---------------------------------------------------------------- reading

// Every reader takes the value and its path ("streams[2].accuracy") for
// messages.
Status Bad(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("snapshot: " + path + ": " + what);
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// `j` must be an object with exactly `keys`.
Status CheckObject(const Json& j, const std::string& path, std::initializer_list<const char*> keys) {
  const std::string where = path.empty() ? "the top level" : path;
  if (!j.is_object()) {
    return Status::InvalidArgument("snapshot: " + where + ": expected an object, got " +
                                   std::string(j.type_name()));
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) {
      std::string allowed;
      for (const char* k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
      return Status::InvalidArgument("snapshot: " + Join(path, key) + ": unknown key (allowed: " + allowed +
                                     ")");
    }
  }
  // Unknown keys first: a misspelt key is named as such, not as a missing one.
  for (const char* key : keys) {
    if (!j.contains(key)) return Status::InvalidArgument("snapshot: " + Join(path, key) + ": missing");
  }
  return Status::Ok();
}

Result<double> ReadNumber(const Json& j, const std::string& path) {
  if (j.is_number()) return j.get<double>();
  if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    return Bad(path, "expected a number, null, \"nan\", \"inf\" or \"-inf\", got \"" + s + "\"");
  }
  return Bad(path, "expected a number or null, got " + std::string(j.type_name()));
}

Result<int> ReadInt(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int>::max())) return Bad(path, "integer out of range");
    return static_cast<int>(v);
  }
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      return Bad(path, "integer out of range");
    return static_cast<int>(v);
  }
  return Bad(path, "expected an integer, got " + std::string(j.is_number() ? "a fraction" : j.type_name()));
}

Result<bool> ReadBool(const Json& j, const std::string& path) {
  if (j.is_boolean()) return j.get<bool>();
  return Bad(path, "expected true or false, got " + std::string(j.type_name()));
}

Result<RetrainConfig> ReadConfig(const Json& j, const std::string& path) {
  if (j.is_string()) {
    Result<RetrainConfig> c = RetrainConfig::Parse(j.get<std::string>());
    if (!c.ok()) return Bad(path, c.status().message());
    return c;
  }
  if (!j.is_object()) return Bad(path, "expected a config id or object, got " + std::string(j.type_name()));
  EKYA_RETURN_IF_ERROR(
      CheckObject(j, path, {"scope", "hidden", "data_fraction", "epochs", "batch_size", "learning_rate"}));
  RetrainConfig c;
  const Json& scope = j["scope"];
  if (scope == "head") {
    c.scope = TrainScope::kHeadOnly;
  } else if (scope == "all") {
    c.scope = TrainScope::kAllLayers;
  } else {
    return Bad(Join(path, "scope"), "expected \"head\" or \"all\", got " + scope.dump());
  }
  EKYA_ASSIGN_OR_RETURN(c.hidden, ReadInt(j["hidden"], Join(path, "hidden")));
  EKYA_ASSIGN_OR_RETURN(c.data_fraction, ReadNumber(j["data_fraction"], Join(path, "data_fraction")));
  EKYA_ASSIGN_OR_RETURN(c.epochs, ReadInt(j["epochs"], Join(path, "epochs")));
  EKYA_ASSIGN_OR_RETURN(c.batch_size, ReadInt(j["batch_size"], Join(path, "batch_size")));
  EKYA_ASSIGN_OR_RETURN(c.learning_rate, ReadNumber(j["learning_rate"], Join(path, "learning_rate")));
  return c;
}

Status CheckArray(const Json& j, const std::string& path) {
  if (j.is_array()) return Status::Ok();
  return Bad(path, "expected an array, got " + std::string(j.type_name()));
}

Result<StreamState> ReadStream(const Json& j, const std::string& path) {
  EKYA_RETURN_IF_ERROR(
      CheckObject(j, path,
                  {"stream", "device", "running", "running_remaining_seconds", "retrained_this_window",
                   "inference_share", "retrain_share", "accuracy", "inference_profile", "candidates"}));
  StreamState st;
  EKYA_ASSIGN_OR_RETURN(st.stream, ReadInt(j["stream"], Join(path, "stream")));
  EKYA_ASSIGN_OR_RETURN(st.device, ReadInt(j["device"], Join(path, "device")));
  if (!j["running"].is_null()) {
    EKYA_ASSIGN_OR_RETURN(st.running, ReadConfig(j["running"], Join(path, "running")));
  }
  EKYA_ASSIGN_OR_RETURN(st.running_remaining_seconds,
                        ReadNumber(j["running_remaining_seconds"], Join(path, "running_remaining_seconds")));
  EKYA_ASSIGN_OR_RETURN(st.retrained_this_window,
                        ReadBool(j["retrained_this_window"], Join(path, "retrained_this_window")));
  EKYA_ASSIGN_OR_RETURN(st.inference_share, ReadNumber(j["inference_share"], Join(path, "inference_share")));
  EKYA_ASSIGN_OR_RETURN(st.retrain_share, ReadNumber(j["retrain_share"], Join(path, "retrain_share")));
  EKYA_ASSIGN_OR_RETURN(st.accuracy, ReadNumber(j["accuracy"], Join(path, "accuracy")));

  const std::string profile_path = Join(path, "inference_profile");
  const Json& profile = j["inference_profile"];
  EKYA_RETURN_IF_ERROR(CheckArray(profile, profile_path));
  for (size_t i = 0; i < profile.size(); ++i) {
    const std::string point_path = Index(profile_path, i);
    if (!profile[i].is_array() || profile[i].size() != 2)
      return Bad(point_path, "expected a pair [fraction, accuracy], got " + profile[i].dump());
    std::pair<double, double> point;
    EKYA_ASSIGN_OR_RETURN(point.first, ReadNumber(profile[i][0], Index(point_path, 0)));
    EKYA_ASSIGN_OR_RETURN(point.second, ReadNumber(profile[i][1], Index(point_path, 1)));
    st.inference_profile.points.push_back(point);
  }

  const std::string candidates_path = Join(path, "candidates");
  const Json& candidates = j["candidates"];
  EKYA_RETURN_IF_ERROR(CheckArray(candidates, candidates_path));
  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string c_path = Index(candidates_path, i);
    const Json& c = candidates[i];
    EKYA_RETURN_IF_ERROR(CheckObject(c, c_path, {"config", "accuracy", "cost_seconds"}));
    ConfigEstimate e;
    EKYA_ASSIGN_OR_RETURN(e.config, ReadConfig(c["config"], Join(c_path, "config")));
    EKYA_ASSIGN_OR_RETURN(e.accuracy, ReadNumber(c["accuracy"], Join(c_path, "accuracy")));
    EKYA_ASSIGN_OR_RETURN(e.cost_seconds, ReadNumber(c["cost_seconds"], Join(c_path, "cost_seconds")));
    st.candidates.push_back(std::move(e));
  }
  return st;
}

// `path` is the snapshot's own path: "" for a bare snapshot, "snapshot" in a record.
Result<Snapshot> ReadSnapshot(const Json& j, const std::string& path) {
  EKYA_RETURN_IF_ERROR(CheckObject(
      j, path, {"window", "window_seconds", "time_s", "devices", "r_max", "replan", "configs", "streams"}));
  Snapshot s;
  EKYA_ASSIGN_OR_RETURN(s.window, ReadInt(j["window"], Join(path, "window")));
  EKYA_ASSIGN_OR_RETURN(s.window_seconds, ReadNumber(j["window_seconds"], Join(path, "window_seconds")));
  EKYA_ASSIGN_OR_RETURN(s.time_s, ReadNumber(j["time_s"], Join(path, "time_s")));
  EKYA_ASSIGN_OR_RETURN(s.devices, ReadInt(j["devices"], Join(path, "devices")));
  EKYA_ASSIGN_OR_RETURN(s.r_max, ReadNumber(j["r_max"], Join(path, "r_max")));
  EKYA_ASSIGN_OR_RETURN(s.replan, ReadBool(j["replan"], Join(path, "replan")));
  if (s.window < 0) return Bad(Join(path, "window"), std::to_string(s.window) + " is not >= 0");
  if (!std::isfinite(s.window_seconds) || !(s.window_seconds > 0))
    return Bad(Join(path, "window_seconds"), "must be a finite number > 0");
  if (!std::isfinite(s.time_s)) return Bad(Join(path, "time_s"), "must be a finite number");
  if (s.devices < 1) return Bad(Join(path, "devices"), std::to_string(s.devices) + " is not >= 1");
  if (!(s.r_max > 0 && s.r_max <= 1)) return Bad(Join(path, "r_max"), "must be in (0, 1]");

  const std::string configs_path = Join(path, "configs");
  const Json& configs = j["configs"];
  EKYA_RETURN_IF_ERROR(CheckArray(configs, configs_path));
  for (size_t i = 0; i < configs.size(); ++i) {
    EKYA_ASSIGN_OR_RETURN(RetrainConfig c, ReadConfig(configs[i], Index(configs_path, i)));
    s.configs.push_back(c);
  }

  const std::string streams_path = Join(path, "streams");
  const Json& streams = j["streams"];
  EKYA_RETURN_IF_ERROR(CheckArray(streams, streams_path));
  if (streams.empty()) return Bad(streams_path, "must hold at least one stream");
  for (size_t i = 0; i < streams.size(); ++i) {
    const std::string st_path = Index(streams_path, i);
    EKYA_ASSIGN_OR_RETURN(StreamState st, ReadStream(streams[i], st_path));
    if (st.stream != static_cast<int>(i))
      return Bad(Join(st_path, "stream"),
                 std::to_string(st.stream) + " is not its index " + std::to_string(i));
    if (st.device < 0 || st.device >= s.devices) {
      return Bad(Join(st_path, "device"),
                 std::to_string(st.device) + " is not in [0, " + std::to_string(s.devices) + ")");
    }
    s.streams.push_back(std::move(st));
  }
  return s;
}

Result<SnapshotRecord> ReadRecord(const Json& j) {
  EKYA_RETURN_IF_ERROR(CheckObject(j, "", {"window", "time_s", "replan", "snapshot"}));
  SnapshotRecord r;
  EKYA_ASSIGN_OR_RETURN(r.window, ReadInt(j["window"], "window"));
  EKYA_ASSIGN_OR_RETURN(r.time_s, ReadNumber(j["time_s"], "time_s"));
  EKYA_ASSIGN_OR_RETURN(r.replan, ReadBool(j["replan"], "replan"));
  EKYA_ASSIGN_OR_RETURN(r.snapshot, ReadSnapshot(j["snapshot"], "snapshot"));
  return r;
}

Result<Json> Parse(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("snapshot: not valid JSON: ") + e.what());
  }
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string SnapshotToJson(const Snapshot& snapshot) { return SnapshotJsonValue(snapshot).dump(); }

Result<Snapshot> SnapshotFromJson(const std::string& text) {
  EKYA_ASSIGN_OR_RETURN(Json j, Parse(text));
  return ReadSnapshot(j, "");
}

std::string SnapshotRecordToJson(const SnapshotRecord& record) {
  OrderedJson o;
  o["window"] = record.window;
  o["time_s"] = Number(record.time_s);
  o["replan"] = record.replan;
  o["snapshot"] = SnapshotJsonValue(record.snapshot);
  return o.dump();
}

Result<SnapshotRecord> SnapshotRecordFromJson(const std::string& text) {
  EKYA_ASSIGN_OR_RETURN(Json j, Parse(text));
  return ReadRecord(j);
}

Result<std::vector<SnapshotRecord>> SnapshotRecordsFromJsonl(const std::string& text) {
  std::vector<SnapshotRecord> records;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Result<SnapshotRecord> record = SnapshotRecordFromJson(line);
    if (!record.ok()) return record.status().WithContext("line " + std::to_string(line_number));
    records.push_back(std::move(record).value());
  }
  return records;
}

Result<std::vector<SnapshotRecord>> LoadSnapshotFile(const std::string& path) {
  EKYA_ASSIGN_OR_RETURN(std::string text, ReadFileWhole(path));
  std::vector<SnapshotRecord> records;
  if (EndsWith(path, ".jsonl")) {
    Result<std::vector<SnapshotRecord>> read = SnapshotRecordsFromJsonl(text);
    if (!read.ok()) return read.status().WithContext(path);
    records = std::move(read).value();
  } else {
    Result<Json> j = Parse(text);
    if (!j.ok()) return j.status().WithContext(path);
    if (j->is_object() && j->contains("snapshot")) {
      Result<SnapshotRecord> record = ReadRecord(*j);
      if (!record.ok()) return record.status().WithContext(path);
      records.push_back(std::move(record).value());
    } else {
      Result<Snapshot> snapshot = ReadSnapshot(*j, "");
      if (!snapshot.ok()) return snapshot.status().WithContext(path);
      SnapshotRecord record;
      record.window = snapshot->window;
      record.time_s = snapshot->time_s;
      record.replan = snapshot->replan;
      record.snapshot = std::move(snapshot).value();
      records.push_back(std::move(record));
    }
  }
  if (records.empty()) return Status::InvalidArgument(path + ": holds no snapshot");
  return records;
}

}  // namespace ekya
