// Executor: runs the jobs of the window loop with the shares they were given,
// and moves the clock (SPEC §2.1, §8).
//
// Each stream is placed on one device. A stream's inference job holds a
// share and uses at most `r_max` of the device (the share it needs to analyse
// every frame); whatever it holds beyond that is lent to the step jobs on the
// same device in proportion to their shares. A step job progresses at
// speed(share + lent) device-seconds of work per second (speed: the speed
// curve of the device model). The executor accounts, per device and job kind,
// the device-seconds used: inference min(share, r_max) · dt, a step job
// (share + lent) · dt under the kind of the step in progress.
//
// Conservation: the controller keeps the shares of a device summing to at
// most 1, so what a device hands out in a window never exceeds P.
//
// The virtual executor (exec/virtual_executor.h) runs steps for real and
// advances a ManualClock by the accounted cost; a wall-time executor would
// enforce shares in real time. The controller cannot tell them apart.
// Not thread-safe: one owner (the controller).
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/runtime/job.h"

namespace ekya {

// What happened to a stream's step job at the time RunUntil returned.
struct JobEvent {
  enum class Type { kPhase, kDone, kFailed };
  Type type = Type::kDone;
  int stream = 0;
  double time = 0;                      // clock time of the event
  JobKind kind = JobKind::kRetraining;  // kPhase: the kind of the phase that starts
  Status error;                         // kFailed: why
  // kDone / kFailed: the work paid for the job so far, labelling excluded
  // (device-seconds at full speed).
  double work_seconds = 0;
};

// Device-seconds used, indexed by JobKind.
struct DeviceUsage {
  std::array<double, 4> seconds{};  // inference, retraining, profiling, labelling
  double& operator[](JobKind k) { return seconds[static_cast<int>(k)]; }
  double operator[](JobKind k) const { return seconds[static_cast<int>(k)]; }
  double Total() const { return seconds[0] + seconds[1] + seconds[2] + seconds[3]; }
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Places stream `stream` on `device` with an inference share (>= 0). Also
  // moves the stream's step job, if any, to that device.
  virtual Status SetInference(int stream, int device, double share) = 0;
  // Starts the stream's step job at a share on the stream's device.
  // FailedPrecondition when the stream already has one or was never placed.
  virtual Status StartJob(int stream, double share, std::unique_ptr<Job> job) = 0;
  virtual Status SetJobShare(int stream, double share) = 0;
  // Runs from the clock's present time toward `until` (absolute): returns at
  // `until`, or earlier at the first time a step job changes phase, finishes
  // or fails, with every event of that moment (ordered by stream). The clock
  // reads the returned time afterwards. A finished or failed job stays
  // parked until TakeJob.
  virtual Result<std::vector<JobEvent>> RunUntil(double until) = 0;
  // Removes the stream's step job (finished, failed or still running) and
  // returns it; nullptr when there is none.
  virtual std::unique_ptr<Job> TakeJob(int stream) = 0;
  // Work left in the stream's running step job, in device-seconds at full
  // speed, as far as the executor knows it (the step in progress); 0 when none.
  virtual double RemainingKnownWork(int stream) const = 0;
  // Device-seconds used so far, per device.
  virtual std::vector<DeviceUsage> Usage() const = 0;
};

}  // namespace ekya
