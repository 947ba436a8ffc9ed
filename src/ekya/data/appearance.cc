#include "ekya/data/appearance.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace ekya {
namespace {

// Strengths of the effects at severity 1. Kept here, in one place, so that
// tuning the benchmark means editing a table rather than the code.
constexpr double kDuskBrightnessDrop = 0.55;  // brightness × (1 − drop·s)
constexpr double kDuskContrastDrop = 0.35;    // contrast × (1 − drop·s)
constexpr double kDuskNoise = 2.0;            // sensor noise σ at s = 1
constexpr double kNightFloor = 6.0;           // dark level at s = 0
constexpr double kNightFloorRise = 12.0;      // dark level rises with s (noise floor)
constexpr double kNightRangeAtZero = 0.45;    // fraction of [0, 255] used at s = 0
constexpr double kNightRangeAtOne = 0.17;     // ... and at s = 1
constexpr double kNightNoiseBase = 1.5;       // sensor noise σ at s = 0
constexpr double kNightNoise = 4.0;           // extra σ at s = 1
constexpr double kFogBlurBase = 0.5;          // Gaussian blur σ (px) at s = 0
constexpr double kFogBlur = 1.3;              // extra σ at s = 1
constexpr double kFogContrastDrop = 0.45;
constexpr double kFogVeil = 0.07;             // weight of the grey veil at s = 1
constexpr double kFogGrey = 170.0;
constexpr double kRainNoiseBase = 6.0;
constexpr double kRainNoise = 18.0;
constexpr double kRainDarkening = 0.2;
constexpr double kRainStreaksBase = 2.0;
constexpr double kRainStreaks = 8.0;
constexpr double kGlareRadiusBase = 4.0;      // blob radius (px, for 28 × 28) at s = 0
constexpr double kGlareRadius = 5.0;
constexpr double kGlareIntensityBase = 0.35;
constexpr double kGlareIntensity = 0.45;
constexpr double kGlareLift = 6.0;           // global brightening at s = 1
constexpr double kGlareContrastDrop = 0.15;
constexpr double kOcclusionAreaBase = 0.06;   // fraction of the image covered at s = 0
constexpr double kOcclusionArea = 0.14;       // extra at s = 1

double Clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }

uint8_t ToByte(double v) {
  if (!(v > 0.0)) return 0;  // also catches NaN
  if (v >= 255.0) return 255;
  return static_cast<uint8_t>(std::lround(v));
}

double Mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// Contrast around the mean, then brightness scaling.
void ContrastBrightness(std::vector<double>& v, double contrast, double brightness) {
  const double m = Mean(v);
  for (double& x : v) x = brightness * (m + contrast * (x - m));
}

void AddNoise(std::vector<double>& v, double sigma, Rng& rng) {
  if (sigma <= 0.0) return;
  for (double& x : v) x += sigma * rng.Normal();
}

void GaussianBlur(std::vector<double>& v, int rows, int cols, double sigma) {
  if (sigma <= 0.05) return;
  const int radius = std::max(1, static_cast<int>(std::ceil(2.5 * sigma)));
  std::vector<double> kernel(2 * radius + 1);
  double total = 0.0;
  for (int k = -radius; k <= radius; ++k) {
    kernel[k + radius] = std::exp(-(k * k) / (2.0 * sigma * sigma));
    total += kernel[k + radius];
  }
  for (double& k : kernel) k /= total;
  std::vector<double> tmp(v.size());
  // Horizontal, then vertical; borders clamp to the edge pixel.
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      double acc = 0.0;
      for (int k = -radius; k <= radius; ++k) {
        const int cc = std::clamp(c + k, 0, cols - 1);
        acc += kernel[k + radius] * v[r * cols + cc];
      }
      tmp[r * cols + c] = acc;
    }
  }
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      double acc = 0.0;
      for (int k = -radius; k <= radius; ++k) {
        const int rr = std::clamp(r + k, 0, rows - 1);
        acc += kernel[k + radius] * tmp[rr * cols + c];
      }
      v[r * cols + c] = acc;
    }
  }
}

void Dusk(std::vector<double>& v, double s, Rng& rng) {
  ContrastBrightness(v, 1.0 - kDuskContrastDrop * s, 1.0 - kDuskBrightnessDrop * s);
  AddNoise(v, kDuskNoise * s, rng);
}

void Night(std::vector<double>& v, double s, Rng& rng) {
  const double floor = kNightFloor + kNightFloorRise * s;
  const double range = 255.0 * (kNightRangeAtZero + (kNightRangeAtOne - kNightRangeAtZero) * s);
  for (double& x : v) x = floor + range * (x / 255.0);
  AddNoise(v, kNightNoiseBase + kNightNoise * s, rng);
}

void Fog(std::vector<double>& v, int rows, int cols, double s, Rng& rng) {
  GaussianBlur(v, rows, cols, kFogBlurBase + kFogBlur * s);
  const double veil = kFogVeil * s;
  const double contrast = 1.0 - kFogContrastDrop * s;
  // Contrast is lost toward black so that the background stays dark, as in
  // a night-time fog; the grey veil then lifts everything a little.
  for (double& x : v) x = (1.0 - veil) * contrast * x + veil * kFogGrey;
  AddNoise(v, 2.0 * s, rng);
}

void Rain(std::vector<double>& v, int rows, int cols, double s, Rng& rng) {
  for (double& x : v) x *= 1.0 - kRainDarkening * s;
  AddNoise(v, kRainNoiseBase + kRainNoise * s, rng);
  const int streaks = static_cast<int>(std::lround(kRainStreaksBase + kRainStreaks * s));
  // All streaks of a frame fall the same way: two pixels down per pixel across.
  const int dir = rng.Bernoulli(0.5) ? 1 : -1;
  const double scale = std::max(rows, cols) / 28.0;
  for (int i = 0; i < streaks; ++i) {
    int r = static_cast<int>(rng.Below(static_cast<uint64_t>(rows)));
    int c = static_cast<int>(rng.Below(static_cast<uint64_t>(cols)));
    const int length = static_cast<int>(std::lround(scale * rng.Uniform(5.0, 8.0 + 8.0 * s)));
    const double alpha = rng.Uniform(0.5, 0.6 + 0.35 * s);
    const double level = rng.Uniform(200.0, 255.0);
    for (int k = 0; k < length; ++k) {
      const int rr = r + k;
      const int cc = c + dir * (k / 2);
      if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) break;
      double& x = v[rr * cols + cc];
      x = (1.0 - alpha) * x + alpha * level;
    }
  }
}

void Glare(std::vector<double>& v, int rows, int cols, double s, Rng& rng) {
  ContrastBrightness(v, 1.0 - kGlareContrastDrop * s, 1.0);
  const double scale = std::max(rows, cols) / 28.0;
  const double radius = scale * (kGlareRadiusBase + kGlareRadius * s);
  const double intensity = kGlareIntensityBase + kGlareIntensity * s;
  // The source sits anywhere, often off the object; a second, weaker lobe
  // gives the streak-like gradient of lens flare.
  const double cr = rng.Uniform(-0.1, 1.1) * rows;
  const double cc = rng.Uniform(-0.1, 1.1) * cols;
  const double angle = rng.Uniform(0.0, 2.0 * M_PI);
  const double lr = cr + 1.5 * radius * std::sin(angle);
  const double lc = cc + 1.5 * radius * std::cos(angle);
  const double lift = kGlareLift * s;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double d1 = (r - cr) * (r - cr) + (c - cc) * (c - cc);
      const double d2 = (r - lr) * (r - lr) + (c - lc) * (c - lc);
      const double g = std::min(1.0, intensity * std::exp(-d1 / (2.0 * radius * radius)) +
                                         0.4 * intensity * std::exp(-d2 / (0.5 * radius * radius)));
      double& x = v[r * cols + c];
      x = x + lift;
      x = x + (255.0 - x) * g;
    }
  }
}

void Occlusion(std::vector<double>& v, int rows, int cols, double s, Rng& rng) {
  const double area = (kOcclusionAreaBase + kOcclusionArea * s) * rows * cols;
  const double aspect = std::exp(rng.Uniform(std::log(0.5), std::log(2.0)));  // width / height
  int w = static_cast<int>(std::lround(std::sqrt(area * aspect)));
  int h = static_cast<int>(std::lround(area / std::max(1, w)));
  w = std::clamp(w, 1, cols);
  h = std::clamp(h, 1, rows);
  // The centre of the occluder lies in the central half of the image, where
  // the object is, so it always covers part of it.
  const double center_r = rng.Uniform(0.25, 0.75) * rows;
  const double center_c = rng.Uniform(0.25, 0.75) * cols;
  const int r0 = std::clamp(static_cast<int>(std::lround(center_r - h / 2.0)), 0, rows - h);
  const int c0 = std::clamp(static_cast<int>(std::lround(center_c - w / 2.0)), 0, cols - w);
  const double grey = rng.Uniform(90.0, 170.0);
  for (int r = r0; r < r0 + h; ++r)
    for (int c = c0; c < c0 + w; ++c) v[r * cols + c] = grey;
}

}  // namespace

const char* ConditionName(Condition condition) {
  switch (condition) {
    case Condition::kClear: return "clear";
    case Condition::kDusk: return "dusk";
    case Condition::kNight: return "night";
    case Condition::kFog: return "fog";
    case Condition::kRain: return "rain";
    case Condition::kGlare: return "glare";
    case Condition::kOcclusion: return "occlusion";
  }
  return "unknown";
}

Condition ConditionFromIndex(int index) {
  return static_cast<Condition>(std::clamp(index, 0, kNumConditions - 1));
}

std::string Appearance::ToString() const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s(%.2f)", ConditionName(condition), severity);
  return buf;
}

void ApplyAppearance(const Appearance& appearance, uint8_t* image, int rows, int cols, Rng& rng) {
  if (image == nullptr || rows < 1 || cols < 1) return;
  if (appearance.condition == Condition::kClear) return;
  const double s = Clamp01(appearance.severity);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  std::vector<double> v(image, image + n);
  switch (appearance.condition) {
    case Condition::kClear: break;
    case Condition::kDusk: Dusk(v, s, rng); break;
    case Condition::kNight: Night(v, s, rng); break;
    case Condition::kFog: Fog(v, rows, cols, s, rng); break;
    case Condition::kRain: Rain(v, rows, cols, s, rng); break;
    case Condition::kGlare: Glare(v, rows, cols, s, rng); break;
    case Condition::kOcclusion: Occlusion(v, rows, cols, s, rng); break;
  }
  for (size_t i = 0; i < n; ++i) image[i] = ToByte(v[i]);
}

void Jitter(uint8_t* image, int rows, int cols, Rng& rng, const JitterOptions& options) {
  if (image == nullptr || rows < 1 || cols < 1) return;
  const int m = std::max(0, options.max_shift_px);
  const int dr = static_cast<int>(rng.Below(static_cast<uint64_t>(2 * m + 1))) - m;
  const int dc = static_cast<int>(rng.Below(static_cast<uint64_t>(2 * m + 1))) - m;
  const double gain = 1.0 + rng.Uniform(-1.0, 1.0) * std::max(0.0, options.brightness_wobble);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  std::vector<uint8_t> src(image, image + n);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int sr = r - dr;
      const int sc = c - dc;
      const bool inside = sr >= 0 && sr < rows && sc >= 0 && sc < cols;
      image[r * cols + c] = inside ? ToByte(gain * src[sr * cols + sc]) : 0;
    }
  }
}

Appearance RandomAppearance(Rng& rng, double min_severity, double max_severity) {
  Appearance a;
  a.condition = ConditionFromIndex(static_cast<int>(rng.Below(kNumConditions)));
  const double lo = Clamp01(std::min(min_severity, max_severity));
  const double hi = Clamp01(std::max(min_severity, max_severity));
  a.severity = rng.Uniform(lo, hi);
  if (a.condition == Condition::kClear) a.severity = 0.0;
  return a;
}

}  // namespace ekya
