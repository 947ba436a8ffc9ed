// The modelled device and the cost of work on it (SPEC §2.1). Torch-free:
// FLOP counts come in as numbers (model/ computes them from layer shapes).
//
// Work is measured in device-seconds at full speed of one device:
//   training      samples × (forward + backward over the trained layers) FLOPs
//                 / flops_per_second, plus startup_seconds once per job;
//   evaluation    samples × forward FLOPs / flops_per_second;
//   labelling     images × the golden model's forward FLOPs / flops_per_second.
// A job holding share s progresses at Speed(s) device-seconds of work per
// second: s itself (linear), or the sub-linear curve measured under NVIDIA MPS
// (10% of a GPU gives 36% of full training speed, 50% gives 83%),
// interpolated linearly through (0, 0), (0.1, 0.36), (0.5, 0.83), (1, 1).
// Shares above 1 count as 1.
//
// The default device is calibrated (Calibrate) so that, in the default
// scenario, the costliest config at a mid-run history size takes 1.5 windows
// at full share and the cheapest 2% of a window (docs/results.md).
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>

#include "ekya/common/status.h"

namespace ekya {

enum class SpeedCurve { kLinear, kMps };

// "linear" | "mps"; InvalidArgument otherwise.
Result<SpeedCurve> ParseSpeedCurve(const std::string& name);

// Fraction of full speed at a share in [0, 1] (clamped).
double SpeedAtShare(SpeedCurve curve, double share);

struct DeviceModel {
  double flops_per_second = 2.002e9;  // > 0
  double startup_seconds = 2.385;     // per retraining job, >= 0
  SpeedCurve curve = SpeedCurve::kLinear;

  double Speed(double share) const { return SpeedAtShare(curve, share); }
  // Device-seconds of `flops` floating-point operations.
  double Seconds(double flops) const { return flops / flops_per_second; }
};

// InvalidArgument naming the field when flops_per_second <= 0 or not finite,
// or startup_seconds < 0.
Status ValidateDeviceModel(const DeviceModel& device);

// Solves  costliest_flops / F + s0 = costliest_seconds  and
//         cheapest_flops  / F + s0 = cheapest_seconds
// for the throughput F and the start-up cost s0. InvalidArgument unless
// costliest_flops > cheapest_flops > 0 and the solution has F > 0, s0 >= 0.
Result<DeviceModel> Calibrate(double costliest_flops, double cheapest_flops, double costliest_seconds,
                              double cheapest_seconds);

}  // namespace ekya
