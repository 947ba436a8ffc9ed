// The label firewall (SPEC §2) and the scorer's separate door to the truth.
//
// LabelFirewall is the only way for the window loop, the policies and the
// micro-profiler to obtain labels of stream frames. It hands out window t's
// labelled sample (the frames listed in WindowFrames::sample_frames, with
// labels from the golden model or from the ground truth) only once the
// injected clock has reached the end of window t plus the labelling delay:
//   available_at(t) = (t + 1) · window_seconds + labelling_delay_seconds.
// Window t spans [t · window_seconds, (t + 1) · window_seconds). Any earlier
// request is PermissionDenied, naming the stream, the window, the current time
// and the time the labels become available.
//
// Unlabelled frames go through the firewall too (ArrivedFrames): only those
// whose time has come, so that label-free estimates cannot look ahead.
//
// GroundTruthScorer is the other door: it returns the true label of every
// frame of a window, for scoring chunk accuracy. Only the scoring code may
// hold one; it must never be handed to a policy or the profiler.
//
// Thread-safety: both classes are thread-safe. In golden mode the firewall
// serialises calls to the Labeller and caches each window's labels, so a
// window is labelled once. The benchmark, the clock and the labeller must
// outlive the firewall.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/data/image.h"
#include "ekya/time/clock.h"

namespace ekya {

// Something that labels images: the golden model (implemented on the torch
// side). Label() returns one class per image in [0, num_classes) or an error.
// Called from one thread at a time by the firewall.
class Labeller {
 public:
  virtual ~Labeller() = default;
  virtual Result<std::vector<int>> Label(const ImageBatch& images) = 0;
};

enum class LabelSource { kGolden, kGroundTruth };

// "golden" or "ground_truth" (the values of the setting `labels`).
const char* LabelSourceName(LabelSource source);

struct FirewallOptions {
  LabelSource source = LabelSource::kGolden;
  double window_seconds = 200.0;         // P, > 0
  double labelling_delay_seconds = 0.0;  // >= 0

  // The timing of the benchmark's options, with the given label source.
  static FirewallOptions FromBenchmark(const DriftBenchmark& benchmark, LabelSource source);
};

class LabelFirewall {
 public:
  // InvalidArgument when window_seconds <= 0, the delay is negative, or the
  // source is golden and `labeller` is null (the labeller is ignored for
  // ground truth).
  static Result<std::unique_ptr<LabelFirewall>> Create(const DriftBenchmark& benchmark, const Clock& clock,
                                                       const FirewallOptions& options, Labeller* labeller = nullptr);

  const FirewallOptions& options() const { return options_; }

  // The time from which window `window`'s labels may be handed out.
  double AvailableAt(int window) const;

  // The labelled sample of one window: the window's sample frames (as
  // rendered) with their labels. PermissionDenied before AvailableAt(window);
  // InvalidArgument for an index out of range; the labeller's error (with
  // context) in golden mode, or Internal when it returns the wrong number of
  // labels or a label out of range.
  Result<LabelledImages> LabelledSample(int stream, int window);

  // The first frames of window `window` that have arrived by now, without
  // labels, at most max_frames of them. Frames arrive in real time: frame i
  // of the window's n is there once its slot ends, at
  //   window · window_seconds + (i + 1) · window_seconds / n,
  // so a window that has not begun gives an empty batch (with the image
  // shape) and one that has ended gives all its frames, up to max_frames.
  // InvalidArgument for an index out of range or max_frames < 0.
  Result<ImageBatch> ArrivedFrames(int stream, int window, int max_frames) const;

  // The samples of windows 0 .. up_to_window_exclusive − 1 concatenated in
  // window order; each window is checked as above. An empty set (with the
  // image shape and class count filled in) for 0.
  Result<LabelledImages> History(int stream, int up_to_window_exclusive);

 private:
  LabelFirewall(const DriftBenchmark& benchmark, const Clock& clock, const FirewallOptions& options,
                Labeller* labeller)
      : benchmark_(benchmark), clock_(clock), options_(options), labeller_(labeller) {}

  const DriftBenchmark& benchmark_;
  const Clock& clock_;
  FirewallOptions options_;
  Labeller* labeller_;
  std::mutex mu_;
  std::map<std::pair<int, int>, LabelledImages> cache_;  // guarded by mu_
};

class GroundTruthScorer {
 public:
  // The benchmark must outlive the scorer.
  explicit GroundTruthScorer(const DriftBenchmark& benchmark) : benchmark_(benchmark) {}

  // The true label of every frame of a window, in frame order.
  // InvalidArgument for an index out of range.
  Result<std::vector<int>> TruthLabels(int stream, int window) const;

  // Fraction of predictions equal to the truth for frames
  // [first_frame, first_frame + predictions.size()) of a window (a chunk).
  // InvalidArgument for indices out of range or an empty chunk.
  Result<double> Accuracy(int stream, int window, size_t first_frame, std::span<const int> predictions) const;

 private:
  const DriftBenchmark& benchmark_;
};

}  // namespace ekya
