// Workload: the streams' data and models as the window loop sees them.
//
// The real workload (exec/real_workload.h) renders the drift benchmark's
// frames, runs the deployed models over them, and builds retraining jobs that
// really train; a simulated one (sim/) would follow recorded profiles. The
// controller (runtime/controller.h) drives either the same way:
//   BeginWindow(t) → InferChunk(0..C−1) interleaved with MakeRetrainingJob /
//   Deploy → next window.
// Scoring against the ground truth happens behind this interface (the
// controller only receives counts), so policies never see labels.
//
// Not thread-safe: one owner (the controller); implementations may use
// threads inside a call.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/profile/retrain_config.h"
#include "ekya/runtime/job.h"
#include "ekya/sched/estimates.h"

namespace ekya {

// Frames of one stream's chunk, as inference handled them.
struct ChunkScore {
  int frames_total = 0;
  int frames_analysed = 0;
  int correct = 0;  // frames whose (possibly carried-over) prediction was right
};

class Workload {
 public:
  virtual ~Workload() = default;
  // Prepares window `window` (0-based, in order): its frames, each stream's
  // frame sampler reset. The deployed models carry over from the last window.
  virtual Status BeginWindow(int window) = 0;
  // Runs inference on chunk `chunk` of the current window for every stream,
  // each with its deployed model and at its inference share (shares[s]).
  virtual Result<std::vector<ChunkScore>> InferChunk(int chunk, const std::vector<double>& shares) = 0;
  // The accuracy of stream's deployed model on the whole current window at
  // full frame rate (windows.csv: accuracy_before).
  virtual Result<double> DeployedAccuracy(int stream) = 0;
  // A job that retrains the stream's model with `config` on its labelled
  // history of windows 0 .. t−1 (t = the current window). Its first steps
  // label whatever that history lacks (kind kLabelling, charged).
  virtual Result<std::unique_ptr<Job>> MakeRetrainingJob(int stream, const RetrainConfig& config) = 0;
  // Makes a finished retraining job's model the stream's deployed model and
  // returns its full-rate accuracy on the window it was trained in
  // (windows.csv: accuracy_after). InvalidArgument when `job` is not a
  // finished retraining job of this workload.
  virtual Result<double> Deploy(int stream, Job& job) = 0;
  // A micro-profiling job for the stream in the current window (t >= 1): it
  // labels what the history lacks (kLabelling), then profiles (kProfiling).
  virtual Result<std::unique_ptr<Job>> MakeProfilingJob(int stream) = 0;
  // What a finished profiling job of this workload estimated.
  // InvalidArgument when `job` is not one.
  virtual Result<StreamEstimates> Estimates(int stream, Job& job) = 0;
  // "measured" or "table" (chunks.csv: accuracy_mode).
  virtual std::string accuracy_mode() const = 0;
};

}  // namespace ekya
