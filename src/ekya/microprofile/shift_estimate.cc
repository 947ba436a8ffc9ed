#include "ekya/microprofile/shift_estimate.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace ekya {

const char* ShiftMethodName(ShiftMethod method) {
  switch (method) {
    case ShiftMethod::kNone: return "none";
    case ShiftMethod::kThreshold: return "threshold";
    case ShiftMethod::kConfidence: return "confidence";
  }
  return "unknown";
}

Result<ShiftMethod> ParseShiftMethod(const std::string& name) {
  for (ShiftMethod m : {ShiftMethod::kNone, ShiftMethod::kThreshold, ShiftMethod::kConfidence}) {
    if (name == ShiftMethodName(m)) return m;
  }
  return Status::InvalidArgument("profiler.shift: '" + name + "' is not one of none, threshold, confidence");
}

Result<double> EstimateShiftedAccuracy(ShiftMethod method, const std::vector<double>& labelled_confidence,
                                       const std::vector<bool>& labelled_correct,
                                       const std::vector<double>& new_confidence) {
  const size_t n = labelled_confidence.size();
  if (n == 0) return Status::InvalidArgument("shift estimate: the labelled sample is empty");
  if (labelled_correct.size() != n) {
    return Status::InvalidArgument("shift estimate: " + std::to_string(n) + " confidences but " +
                                   std::to_string(labelled_correct.size()) + " correctness flags");
  }
  const size_t right = static_cast<size_t>(std::count(labelled_correct.begin(), labelled_correct.end(), true));
  const double accuracy = static_cast<double>(right) / static_cast<double>(n);
  if (method == ShiftMethod::kNone || new_confidence.empty()) return accuracy;
  const double m = static_cast<double>(new_confidence.size());
  if (method == ShiftMethod::kConfidence) {
    const double before = std::accumulate(labelled_confidence.begin(), labelled_confidence.end(), 0.0) / n;
    const double after = std::accumulate(new_confidence.begin(), new_confidence.end(), 0.0) / m;
    return std::clamp(accuracy - (before - after), 0.0, 1.0);
  }
  // Threshold: `right` labelled samples lie strictly above τ. With ties at
  // τ's place the new frames tied with it count by the share of the tie the
  // labelled sample leaves above τ.
  std::vector<double> sorted = labelled_confidence;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  if (right == 0) {
    const double top = sorted.front();
    return std::count_if(new_confidence.begin(), new_confidence.end(), [&](double c) { return c > top; }) / m;
  }
  const double tau = sorted[right - 1];  // the lowest confidence that must stay above
  const size_t above = static_cast<size_t>(
      std::count_if(sorted.begin(), sorted.end(), [&](double c) { return c > tau; }));
  const size_t tied = static_cast<size_t>(std::count(sorted.begin(), sorted.end(), tau));
  const double tie_share = static_cast<double>(right - above) / static_cast<double>(tied);
  double estimate = 0;
  for (double c : new_confidence) estimate += c > tau ? 1.0 : (c == tau ? tie_share : 0.0);
  return std::clamp(estimate / m, 0.0, 1.0);
}

}  // namespace ekya
