#include "ekya/profile/cost_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace ekya {

Result<SpeedCurve> ParseSpeedCurve(const std::string& name) {
  if (name == "linear") return SpeedCurve::kLinear;
  if (name == "mps") return SpeedCurve::kMps;
  return Status::InvalidArgument("device.speed_curve: '" + name +
                                 "' is not a speed curve; allowed: linear, mps");
}

double SpeedAtShare(SpeedCurve curve, double share) {
  const double s = std::clamp(share, 0.0, 1.0);
  if (curve == SpeedCurve::kLinear) return s;
  static constexpr std::array<std::pair<double, double>, 4> kMps = {
      {{0.0, 0.0}, {0.1, 0.36}, {0.5, 0.83}, {1.0, 1.0}}};
  for (size_t i = 1; i < kMps.size(); ++i) {
    if (s <= kMps[i].first) {
      const auto [x0, y0] = kMps[i - 1];
      const auto [x1, y1] = kMps[i];
      return y0 + (y1 - y0) * (s - x0) / (x1 - x0);
    }
  }
  return 1.0;
}

Status ValidateDeviceModel(const DeviceModel& device) {
  if (!(device.flops_per_second > 0) || !std::isfinite(device.flops_per_second)) {
    return Status::InvalidArgument("device.flops must be a positive number");
  }
  if (!(device.startup_seconds >= 0) || !std::isfinite(device.startup_seconds)) {
    return Status::InvalidArgument("device.startup_seconds must be >= 0");
  }
  return Status::Ok();
}

Result<DeviceModel> Calibrate(double costliest_flops, double cheapest_flops, double costliest_seconds,
                              double cheapest_seconds) {
  if (!(cheapest_flops > 0) || !(costliest_flops > cheapest_flops)) {
    return Status::InvalidArgument("calibration needs costliest FLOPs > cheapest FLOPs > 0");
  }
  // Subtracting the two equations removes s0.
  const double dt = costliest_seconds - cheapest_seconds;
  if (!(dt > 0)) return Status::InvalidArgument("calibration needs costliest seconds > cheapest seconds");
  DeviceModel d;
  d.flops_per_second = (costliest_flops - cheapest_flops) / dt;
  d.startup_seconds = cheapest_seconds - cheapest_flops / d.flops_per_second;
  if (d.startup_seconds < 0) {
    return Status::InvalidArgument(
        "calibration targets imply a negative start-up cost: the cheapest config is too costly for its "
        "target");
  }
  return d;
}

}  // namespace ekya
