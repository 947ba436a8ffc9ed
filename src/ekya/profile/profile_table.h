// Recorded profiles (profiles.csv and inference_profile.csv, written by
// `ekya profile` and by runs), read back: the true profiles `oracle` plans
// with and the profiles the simulator replays. Torch-free.
//
//   profiles.csv           stream,window,config,epochs,predicted_accuracy,predicted_cost_s,
//                          measured_accuracy,measured_cost_s
//   inference_profile.csv  stream,window,fraction,accuracy
//
// `config` is a base id ("all-h1024-f0.5") or "none" (the model without
// retraining; epochs 0); empty measured fields are absent values.
//
// Plain values; loading is a pure function of the file. Thread-safe to read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/retrain_config.h"

namespace ekya {

struct ProfileRow {
  int stream = 0;
  int window = 0;
  std::string config;  // base id, or "none"
  int epochs = 0;
  double predicted_accuracy = 0;
  double predicted_cost_s = 0;
  std::optional<double> measured_accuracy;
  std::optional<double> measured_cost_s;
  // "all-h1024-f0.5-e15", or "none".
  std::string FullId() const;
};

struct InferenceProfileRow {
  int stream = 0;
  int window = 0;
  double fraction = 0;
  double accuracy = 0;
};

class ProfileTable {
 public:
  // Reads DIR/profiles.csv and, when present, DIR/inference_profile.csv.
  // NotFound for a missing profiles.csv; Corrupt naming the file and line for
  // a bad header, a wrong number of fields or a value that does not parse.
  static Result<ProfileTable> Load(const std::string& dir);
  // The same from text (tests).
  static Result<ProfileTable> Parse(const std::string& profiles_csv, const std::string& inference_csv,
                                    const std::string& origin = "<text>");

  const std::vector<ProfileRow>& rows() const { return rows_; }
  const std::vector<InferenceProfileRow>& inference() const { return inference_; }
  // Distinct streams and windows present, ascending.
  std::vector<int> streams() const;
  std::vector<int> windows() const;
  // The row of (stream, window, full config id or "none"); nullptr when absent.
  const ProfileRow* Find(int stream, int window, const std::string& full_id) const;
  // Every row of (stream, window) (the "none" row included).
  std::vector<const ProfileRow*> Rows(int stream, int window) const;
  // The inference profile points (fraction, accuracy) of (stream, window), by fraction.
  std::vector<std::pair<double, double>> Inference(int stream, int window) const;

 private:
  std::vector<ProfileRow> rows_;
  std::vector<InferenceProfileRow> inference_;
  std::map<std::tuple<int, int, std::string>, size_t> index_;
};

}  // namespace ekya
