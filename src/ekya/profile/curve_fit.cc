#include "ekya/profile/curve_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

namespace ekya {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The rate search: k·max(x) = 10^t for t on a grid over [kMinLog, kMaxLog].
constexpr double kMinLog = -3;
constexpr double kMaxLog = 4;
constexpr int kGridPoints = 141;  // 0.05 decade apart
constexpr int kGoldenIterations = 60;
// Below this u the curve is stored as flat (it differs from flat by <= u).
constexpr double kFlatDrop = 1e-12;
// The released estimator's booster points on its seed curve, ends included.
constexpr int kReleasedBoosterPoints = 4;

struct WeightedPoint {
  double x;
  double a;  // accuracy
  double w;  // weight > 0
};

// acc(x) = c − u/(1 + k·x) with c <= 1, 0 <= u <= c·(1 + k·x_first), k >= 0.
struct Shape {
  double c = 0;
  double u = 0;
  double k = 0;
  double sse = kInf;
};

double ShapeAt(double c, double u, double k, double x) { return c - u / (1 + k * x); }

double Sse(const std::vector<WeightedPoint>& pts, double c, double u, double k) {
  double sse = 0;
  for (const auto& p : pts) {
    const double r = p.a - ShapeAt(c, u, k, p.x);
    sse += p.w * r * r;
  }
  return sse;
}

// The least-squares (c, u) at a fixed k over the triangle 0 <= u <= s·c,
// c <= 1, where s = 1 + k·x_first keeps the curve >= 0 from the first fitted
// x on. The objective is a convex quadratic, so its minimum over the triangle
// is the unconstrained minimum when that is feasible, and otherwise lies on
// an edge; each edge's minimum is a clamped 1-D least-squares solution.
Shape FitAtRate(const std::vector<WeightedPoint>& pts, double x_first, double k) {
  const double s = 1 + k * x_first;
  double sw = 0, sg = 0, sgg = 0, sa = 0, sga = 0;
  double shh = 0, sha = 0;  // h = 1 − s·g: the model is c·h on the edge u = s·c
  for (const auto& p : pts) {
    const double g = 1 / (1 + k * p.x);
    const double h = 1 - s * g;
    sw += p.w;
    sg += p.w * g;
    sgg += p.w * g * g;
    sa += p.w * p.a;
    sga += p.w * g * p.a;
    shh += p.w * h * h;
    sha += p.w * h * p.a;
  }
  std::array<std::pair<double, double>, 4> candidates;  // (c, u)
  int n = 0;
  // Unconstrained: residual a − c + u·g, normal equations in (c, u).
  const double det = sw * sgg - sg * sg;
  if (det > 1e-12 * sw * sgg) {
    const double c = (sa * sgg - sg * sga) / det;
    const double u = (sg * sa - sw * sga) / det;
    constexpr double kTol = 1e-12;
    if (u >= -kTol && u <= s * c + kTol && c <= 1 + kTol) {
      const double cc = std::clamp(c, 0.0, 1.0);
      candidates[n++] = {cc, std::clamp(u, 0.0, s * cc)};
    }
  }
  // Edge u = 0: a flat curve at the weighted mean.
  candidates[n++] = {std::clamp(sa / sw, 0.0, 1.0), 0.0};
  // Edge u = s·c: c·(1 − s·g), zero at x_first.
  {
    const double c = shh > 0 ? std::clamp(sha / shh, 0.0, 1.0) : 0.0;
    candidates[n++] = {c, s * c};
  }
  // Edge c = 1: 1 − u·g.
  {
    const double u = sgg > 0 ? std::clamp((sg - sga) / sgg, 0.0, s) : 0.0;
    candidates[n++] = {1.0, u};
  }
  Shape best;
  for (int i = 0; i < n; ++i) {
    const auto [c, u] = candidates[i];
    const double sse = Sse(pts, c, u, k);
    if (sse < best.sse) best = Shape{c, u, k, sse};
  }
  return best;
}

// Golden-section search of the profiled SSE over t = log10(k·x_scale) in
// [lo, hi]; returns the best shape seen.
Shape RefineRate(const std::vector<WeightedPoint>& pts, double x_first, double x_scale, double lo,
                 double hi) {
  const double inv_phi = (std::sqrt(5.0) - 1) / 2;
  auto eval = [&](double t) { return FitAtRate(pts, x_first, std::pow(10.0, t) / x_scale); };
  double a = lo, b = hi;
  double t1 = b - inv_phi * (b - a), t2 = a + inv_phi * (b - a);
  Shape s1 = eval(t1), s2 = eval(t2);
  Shape best = s1.sse <= s2.sse ? s1 : s2;
  for (int i = 0; i < kGoldenIterations; ++i) {
    if (s1.sse <= s2.sse) {
      b = t2;
      t2 = t1;
      s2 = s1;
      t1 = b - inv_phi * (b - a);
      s1 = eval(t1);
      if (s1.sse < best.sse) best = s1;
    } else {
      a = t1;
      t1 = t2;
      s1 = s2;
      t2 = a + inv_phi * (b - a);
      s2 = eval(t2);
      if (s2.sse < best.sse) best = s2;
    }
  }
  return best;
}

OptimusCurve FlatCurve(double level) { return OptimusCurve{0.0, 1.0, 0.0 - level}; }

OptimusCurve ToOptimus(const Shape& s) {
  if (s.k == 0 || s.u < kFlatDrop) return FlatCurve(std::clamp(s.c - s.u, 0.0, 1.0));
  return OptimusCurve{s.k / s.u, 1 / s.u, 1 - s.c};
}

// The "optimus" fit of validated, weighted points.
OptimusCurve FitOptimus(std::vector<WeightedPoint> pts) {
  // Sorting makes the result independent of the input order.
  std::sort(pts.begin(), pts.end(), [](const WeightedPoint& l, const WeightedPoint& r) {
    if (l.x != r.x) return l.x < r.x;
    if (l.a != r.a) return l.a < r.a;
    return l.w < r.w;
  });
  double sw = 0, swa = 0;
  for (const auto& p : pts) {
    sw += p.w;
    swa += p.w * p.a;
  }
  const double mean = std::clamp(swa / sw, 0.0, 1.0);
  const double x_scale = pts.back().x;
  // One distinct x: every curve through the mean fits equally well.
  if (pts.front().x == x_scale) return FlatCurve(mean);

  const double x_first = pts.front().x;
  const Shape flat = FitAtRate(pts, x_first, 0.0);
  std::vector<Shape> grid(kGridPoints);
  std::vector<double> ts(kGridPoints);
  for (int j = 0; j < kGridPoints; ++j) {
    ts[j] = kMinLog + (kMaxLog - kMinLog) * j / (kGridPoints - 1);
    grid[j] = FitAtRate(pts, x_first, std::pow(10.0, ts[j]) / x_scale);
  }
  Shape best = flat;
  for (int j = 0; j < kGridPoints; ++j) {
    if (grid[j].sse < best.sse) best = grid[j];
  }
  // Refine around every local minimum of the grid.
  for (int j = 0; j < kGridPoints; ++j) {
    const bool left_ok = j == 0 || grid[j].sse < grid[j - 1].sse;
    const bool right_ok = j == kGridPoints - 1 || grid[j].sse <= grid[j + 1].sse;
    if (!left_ok || !right_ok) continue;
    const Shape refined =
        RefineRate(pts, x_first, x_scale, ts[std::max(j - 1, 0)], ts[std::min(j + 1, kGridPoints - 1)]);
    if (refined.sse < best.sse) best = refined;
  }
  // Prefer the flat curve unless a rising one is strictly better.
  const double tie = 1e-14 * sw;
  if (!(best.sse < flat.sse - tie)) best = flat;
  return ToOptimus(best);
}

// The member with b2 = 0 through (0, a0) and (x1, a1); flat at a0 when
// a1 <= a0. Requires 0 <= a0 <= 1, a1 < 1, x1 > 0.
OptimusCurve SeedCurve(double a0, double x1, double a1) {
  if (!(a1 > a0)) return FlatCurve(a0);
  const double b1 = 1 / (1 - a0);
  return OptimusCurve{(1 / (1 - a1) - b1) / x1, b1, 0.0};
}

std::string Num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Status Validate(std::span<const CurvePoint> points, const CurveFitOptions& o) {
  if (points.empty()) return Status::InvalidArgument("curve fit: no points to fit");
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!std::isfinite(p.x) || p.x < 0) {
      return Status::InvalidArgument("curve fit: point " + std::to_string(i) + " has x = " + Num(p.x) +
                                     "; x must be finite and >= 0");
    }
    if (!std::isfinite(p.accuracy) || p.accuracy < 0 || p.accuracy > 1) {
      return Status::InvalidArgument("curve fit: point " + std::to_string(i) +
                                     " has accuracy = " + Num(p.accuracy) + "; allowed: [0, 1]");
    }
  }
  if (o.start_accuracy &&
      (!std::isfinite(*o.start_accuracy) || *o.start_accuracy < 0 || *o.start_accuracy > 1)) {
    return Status::InvalidArgument("curve fit: start_accuracy = " + Num(*o.start_accuracy) +
                                   "; allowed: [0, 1]");
  }
  if (!std::isfinite(o.start_weight) || !(o.start_weight > 0)) {
    return Status::InvalidArgument("curve fit: start_weight = " + Num(o.start_weight) +
                                   "; must be finite and > 0");
  }
  if (!std::isfinite(o.released_anchor_x) || !(o.released_anchor_x > 0)) {
    return Status::InvalidArgument("curve fit: released_anchor_x = " + Num(o.released_anchor_x) +
                                   "; must be finite and > 0");
  }
  if (!(o.released_anchor_accuracy > 0 && o.released_anchor_accuracy < 1)) {
    return Status::InvalidArgument(
        "curve fit: released_anchor_accuracy = " + Num(o.released_anchor_accuracy) + "; allowed: (0, 1)");
  }
  if (!(o.released_expectation_factor > 0 && o.released_expectation_factor <= 1)) {
    return Status::InvalidArgument("curve fit: released_expectation_factor = " +
                                   Num(o.released_expectation_factor) + "; allowed: (0, 1]");
  }
  if (o.estimator == CurveEstimator::kReleased && !o.start_accuracy) {
    return Status::InvalidArgument(
        "curve fit: the released estimator needs start_accuracy (the accuracy before retraining)");
  }
  return Status::Ok();
}

OptimusCurve FitReleased(std::span<const CurvePoint> points, const CurveFitOptions& o) {
  const double a0 = *o.start_accuracy;
  const double anchor_x = o.released_anchor_x;
  // The profiled point of largest x (mean accuracy where that x repeats).
  double x_last = 0;
  for (const auto& p : points) x_last = std::max(x_last, p.x);
  double sum = 0;
  int count = 0;
  for (const auto& p : points) {
    if (p.x == x_last) {
      sum += p.accuracy;
      ++count;
    }
  }
  const double a_last = sum / count;

  const OptimusCurve seed = SeedCurve(a0, anchor_x, o.released_anchor_accuracy);
  const double expected = o.released_expectation_factor * seed.At(x_last);
  const double r = expected > 0 ? std::min(a_last / expected, 1.0) : 1.0;
  const double end = std::clamp(o.released_anchor_accuracy * r, a0, 1.0);
  const OptimusCurve scaled = SeedCurve(a0, anchor_x, end);

  std::vector<WeightedPoint> pts;
  pts.reserve(points.size() + kReleasedBoosterPoints + 2);
  for (int j = 0; j < kReleasedBoosterPoints; ++j) {
    const double x = anchor_x * j / (kReleasedBoosterPoints - 1);
    pts.push_back({x, scaled.At(x), 1.0});
  }
  pts.push_back({0.0, a0, 1.0});
  pts.push_back({anchor_x, end, 1.0});
  for (const auto& p : points) pts.push_back({p.x, p.accuracy, 1.0});
  return FitOptimus(std::move(pts));
}

}  // namespace

double OptimusCurve::At(double x) const {
  const double denominator = b0 * x + b1;
  if (!(denominator > 0)) return 0;
  const double v = 1 - 1 / denominator - b2;
  if (std::isnan(v)) return 0;
  return std::clamp(v, 0.0, 1.0);
}

Result<CurveEstimator> ParseCurveEstimator(const std::string& name) {
  if (name == "optimus") return CurveEstimator::kOptimus;
  if (name == "released") return CurveEstimator::kReleased;
  return Status::InvalidArgument("profiler.estimator: '" + name +
                                 "' is not a curve estimator; allowed: optimus, released");
}

const char* CurveEstimatorName(CurveEstimator estimator) {
  switch (estimator) {
    case CurveEstimator::kOptimus:
      return "optimus";
    case CurveEstimator::kReleased:
      return "released";
  }
  return "optimus";
}

Result<CurveFit> FitCurve(std::span<const CurvePoint> points, const CurveFitOptions& options) {
  EKYA_RETURN_IF_ERROR(Validate(points, options));
  CurveFit fit;
  if (options.estimator == CurveEstimator::kReleased) {
    fit.curve = FitReleased(points, options);
  } else {
    std::vector<WeightedPoint> pts;
    pts.reserve(points.size() + 1);
    for (const auto& p : points) pts.push_back({p.x, p.accuracy, 1.0});
    if (options.start_accuracy) pts.push_back({0.0, *options.start_accuracy, options.start_weight});
    fit.curve = FitOptimus(std::move(pts));
  }
  double sse = 0;
  for (const auto& p : points) {
    const double r = fit.curve.At(p.x) - p.accuracy;
    sse += r * r;
  }
  fit.points = static_cast<int>(points.size());
  fit.rmse = std::sqrt(sse / fit.points);
  return fit;
}

}  // namespace ekya
