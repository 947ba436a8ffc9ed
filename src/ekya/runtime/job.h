// Jobs as the window loop and the executors see them (SPEC §1 vocabulary).
//
// A stream has at most one inference job (a streaming job: it analyses the
// frames that arrive, at a rate set by its share, and never "finishes") and,
// in a window, at most one step job: a retraining job, whose first steps may
// be labelling (the golden model labels the samples it needs) and, with the
// micro-profiler, profiling. A step job makes progress in steps whose cost
// it reports itself, from the work it really did (samples processed), in
// device-seconds at full speed of one device. The executor turns cost into
// time at the job's share.
//
// Torch-free: real jobs (exec/) and profile-driven jobs (sim/) implement Job.
// A Job is used by one thread at a time (the executor may move it between
// threads between calls).
#pragma once

#include <string>

#include "ekya/common/status.h"

namespace ekya {

enum class JobKind { kInference, kRetraining, kProfiling, kLabelling };

// "inference", "retraining", "profiling", "labelling" (the values of the
// `job` column of allocations.csv).
const char* JobKindName(JobKind kind);

// One step of a step job, already done.
struct JobStep {
  JobKind kind = JobKind::kRetraining;  // what the step was (labelling precedes retraining)
  double device_seconds = 0;            // its cost at full speed of one device, >= 0
  bool last = false;                    // true for the job's final step
};

class Job {
 public:
  virtual ~Job() = default;
  // Runs the next step for real and returns what it cost. Not called again
  // after a step with last = true. An error fails the job (SPEC §8: the
  // stream keeps its model; the executor reports the failure).
  virtual Result<JobStep> RunStep() = 0;
  // The kind of the step RunStep() would run next (before the first step:
  // kLabelling when the job must first label data, else its main kind).
  virtual JobKind NextKind() const = 0;
  // A short description for logs ("retraining all-h1024-f0.5-e15").
  virtual std::string Describe() const = 0;
};

}  // namespace ekya
