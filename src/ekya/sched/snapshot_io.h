// Snapshots as JSON (issue 4): what a run saves of every policy call
// (snapshots.jsonl in the run directory, written by report/run_output.h) and
// what `ekya bench scheduler --snapshot FILE` reads back. Torch-free.
//
// A snapshot is one JSON object with exactly these keys (policy.h):
//
//   {"window": 3, "window_seconds": 200.0, "time_s": 0.0, "devices": 2,
//    "r_max": 0.25, "replan": false,
//    "configs": ["head-h64-f0.1-e5", ...],
//    "streams": [{"stream": 0, "device": 0,
//                 "running": null | CONFIG, "running_remaining_seconds": 0.0,
//                 "retrained_this_window": false,
//                 "inference_share": 0.0, "retrain_share": 0.0,
//                 "accuracy": 0.62 | null,
//                 "inference_profile": [[0.5, 0.48], [1.0, 0.6]],
//                 "candidates": [{"config": CONFIG, "accuracy": 0.7,
//                                 "cost_seconds": 10.0}, ...]}, ...]}
//
// A CONFIG is its id ("all-h1024-f0.5-e15", RetrainConfig::Id) when the id
// reads back as the very same config (RetrainConfig::Parse: batch size and
// learning rate at their defaults, a data fraction of at most two decimals),
// and otherwise an object with every field: {"scope": "head"|"all",
// "hidden": 64, "data_fraction": 0.125, "epochs": 5, "batch_size": 16,
// "learning_rate": 0.05}. Numbers are written so that they read back as the
// very same double; JSON has no NaN or infinity, so NaN is written null and
// ±infinity as the strings "inf" and "-inf" (every number field accepts
// null, "nan", "inf" and "-inf" on reading). Writing what was read gives
// back the text that was written.
//
// A record (one line of snapshots.jsonl) wraps the snapshot of one policy
// call with the decisions.csv row of that call:
//   {"window": 3, "time_s": 0.0, "replan": false, "snapshot": {...}}
//
// Reading is strict: every key above is required, an unknown key is refused
// (a typo is not silently ignored), integers must be integers, and the
// snapshot must make sense to a policy: window >= 0, window_seconds finite and
// > 0, time_s finite, devices >= 1, r_max in (0, 1], at least one stream,
// streams[i].stream == i, and every device in [0, devices). Any other input
// is refused with InvalidArgument naming the field by its path
// ("snapshot: streams[2].candidates[0].accuracy: expected a number or null,
// got string"); a record's errors also name its line.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/sched/policy.h"

namespace ekya {

// One policy call as a run records it: the decisions.csv row's window,
// time_s and replan, and the snapshot the policy was asked with.
struct SnapshotRecord {
  int window = 0;
  double time_s = 0;
  bool replan = false;
  Snapshot snapshot;
};

// The snapshot as one line of JSON (no line break).
std::string SnapshotToJson(const Snapshot& snapshot);
// Reads a snapshot written by SnapshotToJson (or by hand, by the rules
// above). InvalidArgument naming the field otherwise.
Result<Snapshot> SnapshotFromJson(const std::string& text);

// The record as one line of JSON (no line break).
std::string SnapshotRecordToJson(const SnapshotRecord& record);
// Reads one record. InvalidArgument naming the field otherwise.
Result<SnapshotRecord> SnapshotRecordFromJson(const std::string& text);

// Every record of a snapshots.jsonl text, in order: one record per line,
// blank lines (and a trailing '\r') skipped. InvalidArgument naming the
// line (1-based) and the field of the first bad one.
Result<std::vector<SnapshotRecord>> SnapshotRecordsFromJsonl(const std::string& text);

// Loads a snapshot file. A name ending in ".jsonl" is read as JSON lines
// (SnapshotRecordsFromJsonl); any other file holds one JSON document, either
// a record or a bare snapshot (whose record takes window, time_s and replan
// from the snapshot). NotFound when the file cannot be opened;
// InvalidArgument naming the path (and line) for bad content, including a
// file without any snapshot.
Result<std::vector<SnapshotRecord>> LoadSnapshotFile(const std::string& path);

}  // namespace ekya
