#include "ekya/profile/curve_fit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace ekya {
namespace {

double Truth(double b0, double b1, double b2, double x) { return 1 - 1 / (b0 * x + b1) - b2; }

std::vector<CurvePoint> Sample(double b0, double b1, double b2, int first, int last) {
  std::vector<CurvePoint> points;
  for (int x = first; x <= last; ++x) points.push_back({double(x), Truth(b0, b1, b2, x)});
  return points;
}

CurveFit FitOrDie(const std::vector<CurvePoint>& points, const CurveFitOptions& options = {}) {
  auto fit = FitCurve(points, options);
  EXPECT_TRUE(fit.ok()) << fit.status().ToString();
  return fit.ok() ? *fit : CurveFit{};
}

// Non-decreasing, finite and in [0, 1] over a range of x.
void ExpectSane(const OptimusCurve& curve) {
  double previous = -1;
  for (double x = 0; x <= 100; x += 0.25) {
    const double v = curve.At(x);
    ASSERT_TRUE(std::isfinite(v)) << x;
    ASSERT_GE(v, 0) << x;
    ASSERT_LE(v, 1) << x;
    ASSERT_GE(v, previous - 1e-12) << x;
    previous = v;
  }
  EXPECT_TRUE(std::isfinite(curve.b0) && std::isfinite(curve.b1) && std::isfinite(curve.b2));
  EXPECT_GE(curve.b0, 0);
  EXPECT_GT(curve.b1, 0);
}

bool SameBits(const CurveFit& a, const CurveFit& b) {
  return std::memcmp(&a.curve.b0, &b.curve.b0, sizeof(double)) == 0 &&
         std::memcmp(&a.curve.b1, &b.curve.b1, sizeof(double)) == 0 &&
         std::memcmp(&a.curve.b2, &b.curve.b2, sizeof(double)) == 0 &&
         std::memcmp(&a.rmse, &b.rmse, sizeof(double)) == 0 && a.points == b.points;
}

TEST(CurveFitTest, RecoversKnownCurvesWithoutNoise) {
  struct Case {
    double b0, b1, b2;
  };
  for (const Case& c : {Case{0.5, 2, 0.1}, Case{0.2, 1.5, 0.0}, Case{1.0, 1.2, 0.05}, Case{0.05, 3, 0.2}}) {
    const auto fit = FitOrDie(Sample(c.b0, c.b1, c.b2, 1, 5));
    ExpectSane(fit.curve);
    for (double x : {1.0, 3.0, 5.0, 15.0, 30.0}) {
      EXPECT_NEAR(fit.curve.At(x), Truth(c.b0, c.b1, c.b2, x), 1e-3) << c.b0 << " " << x;
    }
    EXPECT_LT(fit.rmse, 1e-6);
    EXPECT_EQ(fit.points, 5);
  }
  // The parameters themselves, on a well-conditioned case.
  const auto fit = FitOrDie(Sample(0.5, 2, 0.1, 1, 5));
  EXPECT_NEAR(fit.curve.b0, 0.5, 1e-3);
  EXPECT_NEAR(fit.curve.b1, 2, 1e-3);
  EXPECT_NEAR(fit.curve.b2, 0.1, 1e-4);
}

// With ±0.005 noise on five points at x = 1..5 the asymptote is poorly
// determined by the points alone (the least-squares curve can miss acc(30) by
// 0.05 on slow curves); with the start anchor, as the micro-profiler has it,
// the prediction is within 0.02. Either way the fit must be at least as good
// as the true parameters on the noisy points.
TEST(CurveFitTest, RecoversKnownCurvesWithSmallNoise) {
  struct Case {
    double b0, b1, b2;
  };
  for (const Case& c : {Case{0.5, 2, 0.1}, Case{0.8, 1.5, 0.1}, Case{1.0, 1.2, 0.05}}) {
    for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
      std::mt19937 gen(seed);  // raw mt19937 output is the same everywhere
      auto points = Sample(c.b0, c.b1, c.b2, 1, 5);
      for (auto& p : points) p.accuracy += (gen() / 4294967296.0 - 0.5) * 0.01;  // ±0.005
      double truth_sse = 0;
      for (const auto& p : points) truth_sse += std::pow(p.accuracy - Truth(c.b0, c.b1, c.b2, p.x), 2);

      const auto plain = FitOrDie(points);
      ExpectSane(plain.curve);
      EXPECT_LE(plain.rmse * plain.rmse * plain.points, truth_sse + 1e-12) << c.b0 << " " << seed;

      CurveFitOptions options;
      options.start_accuracy = Truth(c.b0, c.b1, c.b2, 0);
      const auto anchored = FitOrDie(points, options);
      ExpectSane(anchored.curve);
      EXPECT_NEAR(anchored.curve.At(15), Truth(c.b0, c.b1, c.b2, 15), 0.02) << c.b0 << " " << seed;
      EXPECT_NEAR(anchored.curve.At(30), Truth(c.b0, c.b1, c.b2, 30), 0.02) << c.b0 << " " << seed;
      EXPECT_LT(anchored.rmse, 0.005) << c.b0 << " " << seed;
    }
  }
}

TEST(CurveFitTest, FlatInputGivesFlatCurve) {
  const std::vector<CurvePoint> points = {{1, 0.7}, {2, 0.7}, {3, 0.7}, {4, 0.7}, {5, 0.7}};
  const auto fit = FitOrDie(points);
  EXPECT_EQ(fit.curve.b0, 0);
  for (double x : {0.0, 1.0, 5.0, 30.0, 1e6}) EXPECT_DOUBLE_EQ(fit.curve.At(x), 0.7);
  EXPECT_NEAR(fit.rmse, 0, 1e-15);
}

TEST(CurveFitTest, DecreasingInputGivesTheBestFlatLevel) {
  const std::vector<CurvePoint> points = {{1, 0.8}, {2, 0.75}, {3, 0.7}, {4, 0.65}, {5, 0.6}};
  const auto fit = FitOrDie(points);
  ExpectSane(fit.curve);
  EXPECT_EQ(fit.curve.b0, 0);
  EXPECT_LE(fit.curve.At(30), 0.8);
  EXPECT_NEAR(fit.curve.At(30), 0.7, 1e-12);  // the mean minimises the squared error
  EXPECT_NEAR(fit.curve.At(0), 0.7, 1e-12);
}

TEST(CurveFitTest, RiseThenFallNeverOvershoots) {
  const std::vector<CurvePoint> points = {{1, 0.5}, {2, 0.7}, {3, 0.72}, {4, 0.6}, {5, 0.55}};
  const auto fit = FitOrDie(points);
  ExpectSane(fit.curve);
  EXPECT_LE(fit.curve.At(30), 0.72);
  EXPECT_LE(fit.curve.At(1e6), 0.72);
}

TEST(CurveFitTest, SinglePointGivesFlatCurveThroughIt) {
  for (const CurvePoint p :
       {CurvePoint{3, 0.42}, CurvePoint{0, 0.9}, CurvePoint{5, 1.0}, CurvePoint{2, 0.0}}) {
    const auto fit = FitOrDie({p});
    EXPECT_EQ(fit.curve.b0, 0);
    for (double x : {0.0, p.x, 30.0, 1e9}) EXPECT_DOUBLE_EQ(fit.curve.At(x), p.accuracy) << p.x;
    EXPECT_EQ(fit.rmse, 0);
    EXPECT_EQ(fit.points, 1);
  }
}

TEST(CurveFitTest, PointsSharingOneXGiveFlatCurveAtTheirMean) {
  const auto fit = FitOrDie({{4, 0.5}, {4, 0.7}, {4, 0.6}});
  EXPECT_EQ(fit.curve.b0, 0);
  EXPECT_NEAR(fit.curve.At(0), 0.6, 1e-15);
  EXPECT_NEAR(fit.curve.At(50), 0.6, 1e-15);
}

TEST(CurveFitTest, StartAccuracyAnchorIsHonoured) {
  const double b0 = 0.3, b1 = 1.8, b2 = 0.05;
  CurveFitOptions options;
  options.start_accuracy = Truth(b0, b1, b2, 0);
  const auto fit = FitOrDie(Sample(b0, b1, b2, 1, 5), options);
  ExpectSane(fit.curve);
  EXPECT_NEAR(fit.curve.At(0), *options.start_accuracy, 1e-3);
  EXPECT_NEAR(fit.curve.At(30), Truth(b0, b1, b2, 30), 1e-3);
  EXPECT_EQ(fit.points, 5);  // the anchor is not one of the caller's points

  // A profile that alone would suggest a higher start: a heavy anchor wins.
  const std::vector<CurvePoint> points = {{1, 0.6}, {2, 0.65}, {3, 0.68}};
  options.start_accuracy = 0.3;
  const double light = std::abs(FitOrDie(points, options).curve.At(0) - 0.3);
  options.start_weight = 100;
  const double heavy = std::abs(FitOrDie(points, options).curve.At(0) - 0.3);
  EXPECT_LE(heavy, light);
  EXPECT_LT(heavy, 0.01);
}

TEST(CurveFitTest, AccuraciesOfZeroAndOne) {
  {
    const auto fit = FitOrDie({{1, 0.0}, {2, 0.5}, {3, 0.8}, {4, 1.0}, {5, 1.0}});
    ExpectSane(fit.curve);
    EXPECT_GT(fit.curve.At(5), 0.8);
    EXPECT_LT(fit.curve.At(1), 0.2);
  }
  {
    const auto fit = FitOrDie({{1, 1.0}, {2, 1.0}, {3, 1.0}});
    ExpectSane(fit.curve);
    EXPECT_DOUBLE_EQ(fit.curve.At(0), 1.0);
    EXPECT_DOUBLE_EQ(fit.curve.At(30), 1.0);
  }
  {
    const auto fit = FitOrDie({{1, 0.0}, {2, 0.0}, {3, 0.0}});
    ExpectSane(fit.curve);
    EXPECT_DOUBLE_EQ(fit.curve.At(0), 0.0);
    EXPECT_DOUBLE_EQ(fit.curve.At(30), 0.0);
  }
  {
    CurveFitOptions options;
    options.start_accuracy = 0.0;
    const auto fit = FitOrDie({{1, 0.9}, {2, 0.97}, {3, 1.0}}, options);
    ExpectSane(fit.curve);
    EXPECT_LT(fit.curve.At(0), 0.1);
    EXPECT_GT(fit.curve.At(3), 0.9);
  }
}

TEST(CurveFitTest, OrderOfPointsDoesNotMatterAndXMayRepeat) {
  auto points = Sample(0.5, 2, 0.1, 1, 5);
  const auto sorted = FitOrDie(points);
  std::vector<CurvePoint> shuffled = {points[3], points[0], points[4], points[2], points[1]};
  EXPECT_TRUE(SameBits(sorted, FitOrDie(shuffled)));

  // Two measurements at each x, symmetric around the truth.
  std::vector<CurvePoint> repeated;
  for (const auto& p : points) {
    repeated.push_back({p.x, p.accuracy + 0.004});
    repeated.push_back({p.x, p.accuracy - 0.004});
  }
  std::reverse(repeated.begin(), repeated.end());
  const auto fit = FitOrDie(repeated);
  ExpectSane(fit.curve);
  EXPECT_EQ(fit.points, 10);
  EXPECT_NEAR(fit.curve.At(30), Truth(0.5, 2, 0.1, 30), 1e-3);
  EXPECT_NEAR(fit.rmse, 0.004, 1e-4);
}

TEST(CurveFitTest, RefusesBadInputs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(FitCurve({}, {}).status().code(), StatusCode::kInvalidArgument);
  for (const CurvePoint bad :
       {CurvePoint{-1, 0.5}, CurvePoint{nan, 0.5}, CurvePoint{inf, 0.5}, CurvePoint{1, 1.1},
        CurvePoint{1, -0.1}, CurvePoint{1, nan}, CurvePoint{1, inf}}) {
    const std::vector<CurvePoint> points = {{0, 0.5}, bad};
    const auto fit = FitCurve(points, {});
    ASSERT_FALSE(fit.ok()) << bad.x << " " << bad.accuracy;
    EXPECT_EQ(fit.status().code(), StatusCode::kInvalidArgument);
  }
  const std::vector<CurvePoint> good = {{1, 0.5}, {2, 0.6}};
  auto refused = [&](auto mutate) {
    CurveFitOptions options;
    mutate(options);
    return FitCurve(good, options).status().code() == StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.start_accuracy = 1.5; }));
  EXPECT_TRUE(refused([&](CurveFitOptions& o) { o.start_accuracy = nan; }));
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.start_weight = 0; }));
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.released_anchor_x = 0; }));
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.released_anchor_accuracy = 1; }));
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.released_expectation_factor = 0; }));
  EXPECT_TRUE(refused([](CurveFitOptions& o) { o.estimator = CurveEstimator::kReleased; }));  // no start
  EXPECT_FALSE(refused([](CurveFitOptions& o) {
    o.estimator = CurveEstimator::kReleased;
    o.start_accuracy = 0.4;
  }));
}

TEST(CurveFitTest, ParsesEstimatorNames) {
  EXPECT_EQ(*ParseCurveEstimator("optimus"), CurveEstimator::kOptimus);
  EXPECT_EQ(*ParseCurveEstimator("released"), CurveEstimator::kReleased);
  EXPECT_STREQ(CurveEstimatorName(CurveEstimator::kReleased), "released");
  EXPECT_STREQ(CurveEstimatorName(CurveEstimator::kOptimus), "optimus");
  const auto bad = ParseCurveEstimator("Optimus");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("profiler.estimator"), std::string::npos);
  EXPECT_NE(bad.status().message().find("released"), std::string::npos);
}

// The released estimator's end anchor, computed by hand as the header states.
double ReleasedEnd(double a0, double x_last, double a_last) {
  const double b1 = 1 / (1 - a0);
  const double b0 = (1 / (1 - 0.95) - b1) / 30;
  const double expected = 0.95 * (1 - 1 / (b0 * x_last + b1));
  return std::clamp(0.95 * std::min(a_last / expected, 1.0), a0, 1.0);
}

TEST(CurveFitTest, ReleasedEstimatorFollowsItsAnchors) {
  // A profile that saturates near 0.8: optimus extrapolates that, while the
  // released estimator pulls the curve towards its end anchor.
  std::vector<CurvePoint> points;
  for (int x = 1; x <= 5; ++x) points.push_back({double(x), 0.8 - 0.3 / (1 + 0.8 * x)});
  CurveFitOptions options;
  options.start_accuracy = 0.5;
  const auto optimus = FitOrDie(points, options);
  options.estimator = CurveEstimator::kReleased;
  const auto released = FitOrDie(points, options);
  ExpectSane(released.curve);
  const double end = ReleasedEnd(0.5, 5, points.back().accuracy);
  EXPECT_NEAR(end, 0.925, 1e-3);
  EXPECT_NEAR(released.curve.At(0), 0.5, 0.03);
  EXPECT_NEAR(released.curve.At(30), end, 0.03);
  EXPECT_NEAR(optimus.curve.At(30), 0.79, 0.01);
  EXPECT_GT(released.curve.At(30) - optimus.curve.At(30), 0.05);
  EXPECT_EQ(released.points, 5);
  EXPECT_GT(released.rmse, optimus.rmse);  // it trades the profile's fit for the anchors

  // A profile far below expectations: the end anchor drops to the start.
  const std::vector<CurvePoint> poor = {{1, 0.3}, {2, 0.32}, {3, 0.31}};
  const auto low = FitOrDie(poor, options);
  ExpectSane(low.curve);
  EXPECT_DOUBLE_EQ(ReleasedEnd(0.6, 3, 0.31), 0.6);
  EXPECT_LE(low.curve.At(30), 0.6 + 1e-12);

  // A profile above expectations keeps the end anchor at 0.95 (r is capped at 1).
  EXPECT_DOUBLE_EQ(ReleasedEnd(0.5, 5, 0.9), 0.95);
  const auto high = FitOrDie({{1, 0.8}, {3, 0.88}, {5, 0.9}}, options);
  ExpectSane(high.curve);
  EXPECT_NEAR(high.curve.At(30), 0.95, 0.03);
}

TEST(CurveFitTest, SameInputGivesIdenticalBits) {
  std::mt19937 gen(7);
  std::vector<CurvePoint> points;
  for (int x = 1; x <= 8; ++x)
    points.push_back({x * 0.5, std::min(1.0, 0.3 + 0.08 * x + gen() / 4294967296.0 * 0.02)});
  for (CurveEstimator e : {CurveEstimator::kOptimus, CurveEstimator::kReleased}) {
    CurveFitOptions options;
    options.estimator = e;
    options.start_accuracy = 0.25;
    EXPECT_TRUE(SameBits(FitOrDie(points, options), FitOrDie(points, options)));
  }
}

TEST(CurveFitTest, RandomProfilesGiveSaneCurvesNoWorseThanFlat) {
  std::mt19937 gen(11);
  auto uniform = [&] { return gen() / 4294967296.0; };
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<CurvePoint> points;
    const int n = 1 + static_cast<int>(gen() % 7);
    for (int i = 0; i < n; ++i) points.push_back({std::floor(uniform() * 6), uniform()});
    const auto fit = FitOrDie(points);
    ExpectSane(fit.curve);
    double mean = 0;
    for (const auto& p : points) mean += p.accuracy / n;
    double flat = 0;
    for (const auto& p : points) flat += (p.accuracy - mean) * (p.accuracy - mean) / n;
    EXPECT_LE(fit.rmse, std::sqrt(flat) + 1e-9) << trial;
  }
}

}  // namespace
}  // namespace ekya
