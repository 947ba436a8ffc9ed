// A one-line progress display on stderr for long work (pretraining, drift
// measurement, runs). It redraws in place when stderr is a terminal and stays
// quiet otherwise (only the final line is printed, so logs stay readable).
// Elapsed time comes from time/'s Stopwatch. Not thread-safe: one owner.
#pragma once

#include <cstdint>
#include <string>

#include "ekya/time/clock.h"

namespace ekya {

class Progress {
 public:
  // `task` names the work ("pretrain base h64"); `total` is the number of
  // units (0 when unknown).
  Progress(std::string task, int64_t total);
  ~Progress();
  // Reports `done` units and a short detail ("epoch 3/8, val 0.87").
  void Update(int64_t done, const std::string& detail = "");
  // Prints the final line (also when stderr is not a terminal).
  void Finish(const std::string& detail = "");

  // Forces the terminal/quiet mode (tests).
  static void SetInteractiveForTesting(int mode);  // 1 on, 0 off, -1 detect

 private:
  std::string task_;
  int64_t total_;
  bool interactive_;
  bool finished_ = false;
  double last_draw_ = -1;
  Stopwatch watch_;
};

}  // namespace ekya
