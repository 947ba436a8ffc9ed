// Label-free accuracy under distribution shift (profiler.shift).
//
// At a window's start the labelled data the micro-profiler evaluates on is
// window t−1's, but the models it judges will serve window t, whose scene
// has already moved on (docs/results.md: the deployed model's accuracy on
// window t−1 misses its accuracy on window t by a median 0.19). Window t's
// first frames have arrived by the time the profiler ends; they carry no
// labels, but a model's confidence on them says how far they moved. Given a
// model's confidences and correctness on the labelled sample and its
// confidences on the new frames:
//   kThreshold  average thresholded confidence (Garg et al., ICLR 2022):
//               the threshold τ leaves as many labelled samples above it as
//               the model got right; the estimate is the fraction of new
//               frames above τ.
//   kConfidence difference of confidences (Guillory et al., ICCV 2021): the
//               labelled accuracy minus the drop of the mean confidence.
// Both give the labelled accuracy back when the new frames look like the
// labelled sample. Pure.
#pragma once

#include <string>
#include <vector>

#include "ekya/common/status.h"

namespace ekya {

enum class ShiftMethod { kNone, kThreshold, kConfidence };

// "none", "threshold", "confidence" (the values of profiler.shift).
const char* ShiftMethodName(ShiftMethod method);
Result<ShiftMethod> ParseShiftMethod(const std::string& name);

// The estimated accuracy on the new frames, in [0, 1]. The labelled
// accuracy (the fraction of `labelled_correct`) when `new_confidence` is
// empty or the method is kNone. InvalidArgument for an empty labelled
// sample or mismatched sizes.
Result<double> EstimateShiftedAccuracy(ShiftMethod method, const std::vector<double>& labelled_confidence,
                                       const std::vector<bool>& labelled_correct,
                                       const std::vector<double>& new_confidence);

}  // namespace ekya
