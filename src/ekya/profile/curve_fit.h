// Accuracy-against-progress curves for the micro-profiler (SPEC §6 step 3).
//
// The micro-profiler trains a candidate config for a few epochs on a small
// sample and records the validation accuracy after each one. This file fits a
// curve to those points and extrapolates it to the epoch counts (or data
// sizes) of the candidate configs. x is a generic non-negative abscissa
// (epochs, sample passes, ...): the caller decides, and must use the same unit
// for every point and for released_anchor_x.
//
// Model (Optimus, EuroSys 2018):
//   acc(x) = 1 − 1/(b0·x + b1) − b2,   b0 >= 0, b1 > 0.
// Fitted curves are kept in a sensible range: they are non-decreasing in x,
// their asymptote 1 − b2 is at most 1, and they are >= 0 from the smallest
// fitted x on (x = 0 when start_accuracy is given); below that x, At() clamps
// them at 0. So a rising curve has b0 > 0, b1 > 0 and b2 in [0, 1). A flat
// curve at level m is stored exactly as b0 = 0, b1 = 1, b2 = −m (so b2 lies in
// [−1, 1) overall, and At() returns m bit for bit).
//
// Algorithm (estimator "optimus"): the curve is rewritten as
//   acc(x) = c − u/(1 + k·x),   c = 1 − b2,  u = 1/b1,  k = b0/b1,
// with c <= 1, 0 <= u <= c·(1 + k·x_first) and k >= 0, x_first being the
// smallest fitted x. For a fixed rate k the model is linear in (c, u), so the
// least-squares (c, u) over that triangle is a small convex quadratic
// programme, solved exactly: the unconstrained optimum if it is feasible, else
// the best of the three edges' clamped optima. The rate is then found by a 1-D
// search of that profiled sum of squared accuracy residuals: a log grid of
// k·max(x) over [1e-3, 1e4] (0.05 decade apart) plus k = 0, then a
// golden-section refinement around every local minimum of the grid. The
// objective is the plain (weighted) sum of squared accuracy residuals — no
// linearisation is involved. A flat curve (k = 0, the weighted mean) is kept
// unless a rising curve fits strictly better, so a single point, equal points,
// points that all share one x, and decreasing points give a flat curve;
// decreasing points give the flat level that minimises the squared error.
// Where the points do not pin the curve down (e.g. only two distinct x),
// several curves fit exactly and the fit returns one of them. Points are
// sorted internally, so their order does not change the result, and the
// computation is deterministic (same input, same bits). Only the standard
// library is used.
//
// Estimator "released" (the released Ekya prototype, as this project reads
// it): with a0 = start_accuracy (required), X = released_anchor_x,
// A = released_anchor_accuracy and f = released_expectation_factor:
//   1. the seed curve S is the member with b2 = 0 through (0, a0) and (X, A)
//      (flat at a0 when A <= a0);
//   2. with (xl, al) the profiled point of largest x (the mean accuracy when
//      that x repeats), r = min(al / (f·S(xl)), 1) (r = 1 when S(xl) = 0):
//      how far the micro-profile falls below what the seed curve expects of a
//      short, small-sample run;
//   3. the end anchor becomes A' = clamp(A·r, a0, 1), and S' is the member
//      with b2 = 0 through (0, a0) and (X, A');
//   4. the final curve is the "optimus" fit of: 4 booster points of S' at
//      x = 0, X/3, 2X/3, X; the two anchors (0, a0) and (X, A') again; and
//      every profiled point (all of them, where the prototype used only the
//      last one).
// The anchors thus count twice each, with two more points of S' between them,
// and pull the curve towards (X, A'); the profile shapes it in between.
//
// Failure modes: FitCurve returns InvalidArgument for an empty input, an x that
// is negative or not finite, an accuracy outside [0, 1] or not finite, a
// start_accuracy outside [0, 1], a start_weight that is not positive and
// finite, a released_anchor_x that is not positive and finite, a
// released_anchor_accuracy outside (0, 1), a released_expectation_factor
// outside (0, 1], and (estimator "released") a missing start_accuracy.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "ekya/common/status.h"

namespace ekya {

struct CurvePoint {
  double x = 0;         // progress: epochs, sample passes, ...; >= 0
  double accuracy = 0;  // in [0, 1]
};

// acc(x) = 1 − 1/(b0·x + b1) − b2.
struct OptimusCurve {
  double b0 = 0;
  double b1 = 1;
  double b2 = 0;

  // The curve's value at x, clamped to [0, 1]; 0 where it is undefined (a
  // non-positive denominator or a NaN, only possible for hand-made
  // parameters).
  double At(double x) const;
};

enum class CurveEstimator { kOptimus, kReleased };

// "optimus" | "released" (the setting profiler.estimator); InvalidArgument
// naming the setting and the allowed values otherwise.
Result<CurveEstimator> ParseCurveEstimator(const std::string& name);
// "optimus" | "released".
const char* CurveEstimatorName(CurveEstimator estimator);

struct CurveFitOptions {
  CurveEstimator estimator = CurveEstimator::kOptimus;
  // Accuracy before training, a point at x = 0. "optimus": fitted as an
  // ordinary point of weight start_weight, when given. "released": required.
  std::optional<double> start_accuracy;
  double start_weight = 1;  // > 0; "optimus" only
  // "released" only; see the header comment.
  double released_anchor_x = 30;              // > 0, in the unit of x
  double released_anchor_accuracy = 0.95;     // in (0, 1)
  double released_expectation_factor = 0.95;  // in (0, 1]
};

struct CurveFit {
  OptimusCurve curve;
  // Root mean square of curve.At(x) − accuracy over the caller's points (not
  // the start anchor nor the released estimator's synthetic points).
  double rmse = 0;
  int points = 0;  // the caller's points
};

// Fits a curve to `points` (any order; x may repeat) with the chosen
// estimator. Returns InvalidArgument as listed in the header comment.
Result<CurveFit> FitCurve(std::span<const CurvePoint> points, const CurveFitOptions& options = {});

}  // namespace ekya
