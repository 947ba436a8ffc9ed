// Retraining configurations (SPEC §5) and their readable, stable ids.
//
// A base config is a training scope and head width × a data fraction:
//   "head-h64-f0.1"    head only (backbone frozen), hidden 64, 10% of the data
//   "all-h1024-f1.0"   all layers, hidden 1024, all the data
// With epochs appended it names a full config: "head-h64-f0.1-e15". "none"
// means no retraining. Ids round-trip: Parse(c.Id()) == c.
// Plain values; thread-safe to read.
#pragma once

#include <string>
#include <vector>

#include "ekya/common/status.h"

namespace ekya {

enum class TrainScope { kHeadOnly, kAllLayers };

struct RetrainConfig {
  TrainScope scope = TrainScope::kHeadOnly;
  int hidden = 64;
  double data_fraction = 0.1;
  int epochs = 5;
  int batch_size = 32;
  double learning_rate = 0.01;

  // "head-h64-f0.1" (no epochs).
  std::string BaseId() const;
  // "head-h64-f0.1-e15".
  std::string Id() const;

  // Parses a full id ("all-h1024-f0.5-e15") or, when allow_base is true, a base
  // id without epochs (epochs then keep their default). Returns
  // InvalidArgument naming the id and the expected form otherwise.
  static Result<RetrainConfig> Parse(const std::string& id, bool allow_base = false);
};

bool operator==(const RetrainConfig& a, const RetrainConfig& b);

// Ekya's default space: {head-h64, all-h1024} × fraction {0.1, 0.5, 1.0} ×
// epochs {5, 15, 30}: 18 configs, in a stable order.
std::vector<RetrainConfig> DefaultConfigSpace();

// The costliest config of the default space: all layers, hidden 1024, all the
// data, 30 epochs (SPEC §3.1 "best retraining").
RetrainConfig CostliestConfig();

// The distinct head widths a set of configs needs (each needs a base model).
std::vector<int> HeadWidths(const std::vector<RetrainConfig>& configs);

}  // namespace ekya
