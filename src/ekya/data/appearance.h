// Appearance transformations: how a camera's view of an object changes with
// the time of day, the weather and the scene (SPEC §3.1).
//
// An Appearance is a condition (clear, dusk, night, fog, rain, glare,
// occlusion) with a severity in [0, 1]; ApplyAppearance renders it onto one
// grey image in place. Jitter is the small per-frame change of a tracked
// object (a shift of a pixel or two and a slight brightness wobble).
//
// Every random choice (noise, streak and blob positions, the occluder) is drawn
// from the Rng the caller passes, so the same Rng state gives the same bytes.
// All functions are pure apart from the image and the Rng they are given;
// they are thread-safe as long as callers do not share an image or an Rng.
// Images are row-major uint8, rows × cols, any size ≥ 1 × 1 (the drift
// benchmark uses 28 × 28). Severities outside [0, 1] are clamped.
#pragma once

#include <cstdint>
#include <string>

#include "ekya/common/rng.h"

namespace ekya {

// Bumped whenever a transformation's rendering changes, so that models
// trained with these transformations as augmentation are retrained.
inline constexpr int kAppearanceVersion = 5;

enum class Condition { kClear, kDusk, kNight, kFog, kRain, kGlare, kOcclusion };

// Number of conditions, kClear included.
inline constexpr int kNumConditions = 7;

// "clear", "dusk", "night", "fog", "rain", "glare", "occlusion".
const char* ConditionName(Condition condition);

// The condition of the given index in declaration order (0 = kClear).
// Requires 0 <= index < kNumConditions.
Condition ConditionFromIndex(int index);

struct Appearance {
  Condition condition = Condition::kClear;
  double severity = 0.0;  // in [0, 1]; ignored for kClear

  // "night(0.80)" — for logs and test messages.
  std::string ToString() const;
  bool operator==(const Appearance&) const = default;
};

// Renders `appearance` onto `image` (rows × cols bytes) in place:
//   clear      unchanged;
//   dusk       lower brightness and contrast, faint sensor noise;
//   night      values squeezed into a dim, narrow range plus strong sensor noise;
//   fog        blur, low contrast and a grey veil;
//   rain       noise, overcast darkening and bright diagonal streaks;
//   glare      a bright, saturating blob with a washed-out gradient;
//   occlusion  a rectangle of constant grey over part of the centre (the object).
// The strength of every effect grows with the severity. Output stays in
// [0, 255] (it is a uint8 image). Requires image != nullptr, rows, cols >= 1.
void ApplyAppearance(const Appearance& appearance, uint8_t* image, int rows, int cols, Rng& rng);

struct JitterOptions {
  int max_shift_px = 1;             // shift drawn uniformly in [-max, max] on each axis
  double brightness_wobble = 0.05;  // brightness multiplied by 1 + U(-wobble, wobble)
};

// The per-frame jitter of a tracked object: shifts the image by a random
// whole number of pixels (uncovered pixels become 0, the background of
// Fashion-MNIST) and scales brightness slightly. In place.
void Jitter(uint8_t* image, int rows, int cols, Rng& rng, const JitterOptions& options = {});

// A random appearance for training augmentation: a uniformly chosen condition
// (kClear included, so 1 in 7 images stays clean) with a severity uniform in
// [min_severity, max_severity] (clamped to [0, 1]).
Appearance RandomAppearance(Rng& rng, double min_severity = 0.0, double max_severity = 1.0);

}  // namespace ekya
