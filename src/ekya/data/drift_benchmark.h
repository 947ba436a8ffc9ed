// The built-in drift benchmark (SPEC §3.1): real Fashion-MNIST images turned
// into camera streams whose class mix and appearance drift across windows.
//
// Create() carves the image pool into disjoint parts: a clean base training
// set and a clean base test set (uniform class mix, chosen with base_seed) and
// one private pool per stream (from the rest, shuffled with seed). It then plans every stream's windows
// from the seed: the class mix of each window, the appearance (condition and
// severity) of each window, and the object tracks of each window (class,
// length, pool image, the frames of the labelled sample). Every track shows a
// different pool image, so a stream never shows an image twice, no two streams
// share an image, and the base sets share none with any stream. Before it
// returns, Create() checks that every stream's pool holds enough distinct
// images of every class for the plan (the capacity check).
//
// Frames(stream, window) renders a window: each track's pool image shown for
// the track's length with per-frame Jitter and the window's appearance. The
// result depends only on (seed, stream, window), never on call order, so the
// same seed gives the same frames byte for byte.
//
// Labels. Frames carry no labels. The true label of every frame is private:
// only LabelFirewall (which hands out a window's labelled sample once the
// clock has passed the end of the window) and GroundTruthScorer (the scoring
// code's own interface) can read it. Policies and the profiler must only ever
// be given a LabelFirewall.
//
// How the benchmark is made hard (every strength is an option below):
//   * each stream has its own class-mix trajectory: a few present classes with
//     skewed weights, some classes absent, part of the mix replaced each window;
//   * each stream has its own appearance trajectory: a condition lasts a few
//     windows (so window t−1 informs window t) with a severity that ramps, then
//     switches; window 0 is already drifted; streams are steered into
//     different conditions at the same time;
//   * frames within a window vary (per-track severity, jitter, noise).
//
// Thread-safety: immutable after Create(); every const method is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ekya/common/rng.h"
#include "ekya/common/status.h"
#include "ekya/data/appearance.h"
#include "ekya/data/image.h"

namespace ekya {

class LabelFirewall;
class GroundTruthScorer;

struct DriftOptions {
  // --- shape of the scenario ---
  int streams = 4;               // number of camera streams, >= 1
  int windows = 8;               // windows per stream (window 0 only collects data), >= 2
  uint64_t seed = 1;             // the streams (pools, mixes, appearances, tracks) are drawn from this seed
  // Seeds the choice of the base sets only, so that base and golden models
  // trained on BaseTrain() stay valid (never see stream images) when `seed`
  // changes. The base sets depend only on base_seed, the base sizes and the pool.
  uint64_t base_seed = 0;
  int frames_per_window = 1000;  // frames of one stream in one window, >= 1
  double mean_track_length = 5.0;  // mean frames per object track (geometric, >= 1), >= 1
  int sample_per_track = 1;      // frames of each track in the labelled sample, >= 1

  // --- base data (clean, uniform class mix, disjoint from the streams) ---
  int base_train_size = 20000;  // images in the base training set, >= 1
  int base_test_size = 2000;    // images in the clean base test set, >= 1

  // --- class mix drift ---
  int classes_present_min = 4;  // fewest classes present in a window, >= 1
  int classes_present_max = 7;  // most classes present in a window, <= number of classes
  // Dirichlet concentration of the weights of the present classes; below 1
  // gives a few dominant classes, large values an even mix. > 0.
  double class_mix_concentration = 0.8;
  // How much the mix changes from one window to the next, in [0, 1]: the
  // fraction of present classes swapped for absent ones, and the weight of
  // freshly drawn weights blended into the old ones. 0 keeps the mix fixed.
  double class_mix_drift = 0.2;
  double class_min_weight = 0.03;  // floor on a present class's share before renormalising, in [0, 1)

  // --- appearance drift ---
  int condition_min_windows = 3;  // a condition lasts at least this many windows, >= 1
  int condition_max_windows = 4;  // ... and at most this many, >= condition_min_windows
  double severity_min = 0.25;     // severity range of drifted windows, 0 <= min <= max <= 1
  double severity_max = 1.0;
  // A condition starts within one ramp step of severity_min and its severity
  // grows by severity_ramp each window it lasts (reflecting at severity_max),
  // so it sets in gently and intensifies. >= 0.
  double severity_ramp = 0.3;
  double severity_spread = 0.08;  // per-track severity varies by ±spread around the window's, >= 0
  // Probability that a condition after the first is clear (no drift), in [0, 1].
  double clear_probability = 0.1;
  bool first_window_drifted = true;  // window 0 is never clear when true
  // Steer streams into conditions that no other stream has in the same window
  // (when enough conditions are left).
  bool distinct_stream_conditions = true;

  // --- per-frame jitter within a track ---
  int jitter_max_shift_px = 1;         // >= 0
  double jitter_brightness = 0.05;     // >= 0

  // --- timing, used by the label firewall ---
  double window_seconds = 200.0;          // P, > 0; window t spans [t·P, (t+1)·P)
  double labelling_delay_seconds = 0.0;   // labels of window t exist from (t+1)·P + delay, >= 0

  // OK, or InvalidArgument naming the first bad field, its value and what is allowed.
  Status Validate() const;
};

// One rendered window of one stream. Frames carry no labels.
struct WindowFrames {
  int stream = 0;
  int window = 0;
  ImageBatch frames;                // frames_per_window images, in time order
  std::vector<int> track_of_frame;  // per frame: the index of its track within the window
  std::vector<size_t> sample_frames;  // frame indices of the labelled sample, ascending
  Appearance appearance;            // the window's appearance (tracks vary around it)
};

class DriftBenchmark {
 public:
  // Builds the benchmark from an image pool (normally LoadFashionMnist()).
  // InvalidArgument for bad options (see DriftOptions::Validate) or an unusable
  // pool (empty, fewer than 2 classes, labels out of range or not one per
  // image, classes_present_max above the number of classes);
  // ResourceExhausted when the pool cannot supply the base sets or when a
  // stream's plan needs more distinct images of a class than its pool holds
  // (the message names the stream, the class, needed vs available and the
  // options to lower).
  static Result<std::unique_ptr<DriftBenchmark>> Create(const DriftOptions& options, LabelledImages pool);

  const DriftOptions& options() const { return options_; }
  int streams() const { return options_.streams; }
  int windows() const { return options_.windows; }
  int num_classes() const { return num_classes_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }

  // Clean base data (uniform class mix, labelled: these are not stream data).
  const LabelledImages& BaseTrain() const { return base_train_; }
  const LabelledImages& BaseTest() const { return base_test_; }

  // The planned appearance of a window (tracks vary around its severity).
  // Requires valid stream and window indices (asserted; returns clear otherwise).
  Appearance AppearanceOf(int stream, int window) const;
  // The class distribution a window's tracks were drawn from (sums to 1).
  // Requires valid indices (returns an empty vector otherwise).
  std::vector<double> ClassMix(int stream, int window) const;

  // Renders a window. InvalidArgument for an index out of range.
  Result<WindowFrames> Frames(int stream, int window) const;

  // Number of tracks of a window (0 for indices out of range).
  size_t NumTracks(int stream, int window) const;

  // --- For tests and audits: where the images came from. ---
  // Indices into the pool given to Create() of each track's image, in track
  // order. These do not reveal labels unless the caller kept the pool.
  std::vector<size_t> SourceIndicesOfWindow(int stream, int window) const;
  const std::vector<size_t>& BaseTrainSourceIndices() const { return base_train_source_; }
  const std::vector<size_t>& BaseTestSourceIndices() const { return base_test_source_; }

 private:
  friend class LabelFirewall;
  friend class GroundTruthScorer;

  struct Track {
    int label = 0;
    int length = 0;             // frames
    size_t first_frame = 0;     // index of its first frame within the window
    size_t source = 0;          // index into pool_
    double severity = 0.0;      // this track's severity
    std::vector<int> sample_offsets;  // frames of the sample, relative to first_frame
  };
  struct WindowPlan {
    Appearance appearance;
    std::vector<double> mix;
    std::vector<Track> tracks;
  };

  DriftBenchmark() = default;
  static Result<std::unique_ptr<DriftBenchmark>> CreateUnchecked(const DriftOptions& options, LabelledImages pool);
  WindowFrames Render(int stream, int window) const;  // requires valid indices; may throw std::bad_alloc
  const WindowPlan* Plan(int stream, int window) const;
  Status CheckIndices(int stream, int window) const;
  // The true label of every frame of a window (firewall and scorer only).
  Result<std::vector<int>> TruthLabels(int stream, int window) const;
  // The true labels of a window's sample frames, in sample_frames order.
  Result<std::vector<int>> SampleTruthLabels(int stream, int window) const;

  DriftOptions options_;
  int num_classes_ = 0;
  int rows_ = 0;
  int cols_ = 0;
  LabelledImages pool_;  // the shuffled-from pool, as given (labels private)
  LabelledImages base_train_;
  LabelledImages base_test_;
  std::vector<size_t> base_train_source_;
  std::vector<size_t> base_test_source_;
  std::vector<std::vector<WindowPlan>> plans_;  // [stream][window]
};

}  // namespace ekya
