#include "ekya/data/label_firewall.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

namespace ekya {
namespace {

std::string Seconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f s", s);
  return buf;
}

}  // namespace

const char* LabelSourceName(LabelSource source) {
  switch (source) {
    case LabelSource::kGolden: return "golden";
    case LabelSource::kGroundTruth: return "ground_truth";
  }
  return "unknown";
}

FirewallOptions FirewallOptions::FromBenchmark(const DriftBenchmark& benchmark, LabelSource source) {
  FirewallOptions o;
  o.source = source;
  o.window_seconds = benchmark.options().window_seconds;
  o.labelling_delay_seconds = benchmark.options().labelling_delay_seconds;
  return o;
}

Result<std::unique_ptr<LabelFirewall>> LabelFirewall::Create(const DriftBenchmark& benchmark, const Clock& clock,
                                                             const FirewallOptions& options, Labeller* labeller) {
  if (!(options.window_seconds > 0.0))
    return Status::InvalidArgument("label firewall: window_seconds = " + std::to_string(options.window_seconds) +
                                   " must be greater than 0");
  if (!(options.labelling_delay_seconds >= 0.0))
    return Status::InvalidArgument("label firewall: labelling_delay_seconds = " +
                                   std::to_string(options.labelling_delay_seconds) + " must be at least 0");
  if (options.source == LabelSource::kGolden && labeller == nullptr)
    return Status::InvalidArgument("label firewall: labels = golden needs a golden model (labeller), none was given");
  return std::unique_ptr<LabelFirewall>(new LabelFirewall(
      benchmark, clock, options, options.source == LabelSource::kGolden ? labeller : nullptr));
}

double LabelFirewall::AvailableAt(int window) const {
  return (static_cast<double>(window) + 1.0) * options_.window_seconds + options_.labelling_delay_seconds;
}

Result<LabelledImages> LabelFirewall::LabelledSample(int stream, int window) {
  EKYA_RETURN_IF_ERROR(benchmark_.CheckIndices(stream, window));
  const double now = clock_.NowSeconds();
  const double available = AvailableAt(window);
  if (now < available) {
    return Status::PermissionDenied("label firewall: labels of stream " + std::to_string(stream) + " window " +
                                    std::to_string(window) + " requested at " + Seconds(now) +
                                    "; they become available at " + Seconds(available) + " (end of the window" +
                                    (options_.labelling_delay_seconds > 0 ? " plus the labelling delay" : "") + ")");
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto key = std::make_pair(stream, window);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;

  EKYA_ASSIGN_OR_RETURN(WindowFrames frames, benchmark_.Frames(stream, window));
  LabelledImages out;
  out.num_classes = benchmark_.num_classes();
  out.images.rows = frames.frames.rows;
  out.images.cols = frames.frames.cols;
  out.images.pixels.reserve(frames.sample_frames.size() * frames.frames.pixels_per_image());
  for (size_t f : frames.sample_frames) out.images.Append(frames.frames.image(f));
  if (options_.source == LabelSource::kGroundTruth) {
    EKYA_ASSIGN_OR_RETURN(out.labels, benchmark_.SampleTruthLabels(stream, window));
  } else {
    const std::string where = "golden labelling of stream " + std::to_string(stream) + " window " + std::to_string(window);
    Result<std::vector<int>> labels = Status::Internal("not labelled");
    try {
      labels = labeller_->Label(out.images);
    } catch (const std::exception& e) {
      return Status::Internal(where + ": " + e.what());
    }
    if (!labels.ok()) return labels.status().WithContext(where);
    if (labels->size() != out.images.size())
      return Status::Internal(where + ": the labeller returned " + std::to_string(labels->size()) + " labels for " +
                              std::to_string(out.images.size()) + " images");
    for (int l : *labels)
      if (l < 0 || l >= out.num_classes)
        return Status::Internal(where + ": the labeller returned label " + std::to_string(l) + " outside [0, " +
                                std::to_string(out.num_classes) + ")");
    out.labels = std::move(labels).value();
  }
  cache_.emplace(key, out);
  return out;
}

Result<ImageBatch> LabelFirewall::ArrivedFrames(int stream, int window, int max_frames) const {
  EKYA_RETURN_IF_ERROR(benchmark_.CheckIndices(stream, window));
  if (max_frames < 0)
    return Status::InvalidArgument("label firewall: max_frames = " + std::to_string(max_frames) + " must be at least 0");
  ImageBatch out;
  out.rows = benchmark_.rows();
  out.cols = benchmark_.cols();
  const double P = options_.window_seconds;
  const double elapsed = clock_.NowSeconds() - static_cast<double>(window) * P;
  if (elapsed <= 0 || max_frames == 0) return out;
  EKYA_ASSIGN_OR_RETURN(WindowFrames frames, benchmark_.Frames(stream, window));
  const size_t n = frames.frames.size();
  // Frame i has arrived once elapsed >= (i + 1) · P / n (a small tolerance
  // absorbs rounding in the clock's arithmetic).
  const double slots = std::floor(elapsed / P * static_cast<double>(n) + 1e-9);
  const size_t arrived = std::min(n, static_cast<size_t>(std::max(0.0, slots)));
  const size_t keep = std::min(arrived, static_cast<size_t>(max_frames));
  out.pixels.assign(frames.frames.image(0), frames.frames.image(0) + keep * frames.frames.pixels_per_image());
  return out;
}

Result<LabelledImages> LabelFirewall::History(int stream, int up_to_window_exclusive) {
  if (up_to_window_exclusive < 0 || up_to_window_exclusive > benchmark_.windows())
    return Status::InvalidArgument("label firewall: history up to window " + std::to_string(up_to_window_exclusive) +
                                   " is out of range [0, " + std::to_string(benchmark_.windows()) + "]");
  LabelledImages out;
  out.num_classes = benchmark_.num_classes();
  out.images.rows = benchmark_.rows();
  out.images.cols = benchmark_.cols();
  for (int t = 0; t < up_to_window_exclusive; ++t) {
    EKYA_ASSIGN_OR_RETURN(LabelledImages sample, LabelledSample(stream, t));
    out.images.pixels.insert(out.images.pixels.end(), sample.images.pixels.begin(), sample.images.pixels.end());
    out.labels.insert(out.labels.end(), sample.labels.begin(), sample.labels.end());
  }
  return out;
}

Result<std::vector<int>> GroundTruthScorer::TruthLabels(int stream, int window) const {
  return benchmark_.TruthLabels(stream, window);
}

Result<double> GroundTruthScorer::Accuracy(int stream, int window, size_t first_frame,
                                           std::span<const int> predictions) const {
  EKYA_ASSIGN_OR_RETURN(std::vector<int> truth, benchmark_.TruthLabels(stream, window));
  if (predictions.empty()) return Status::InvalidArgument("scorer: empty chunk");
  if (first_frame + predictions.size() > truth.size())
    return Status::InvalidArgument("scorer: frames [" + std::to_string(first_frame) + ", " +
                                   std::to_string(first_frame + predictions.size()) + ") exceed the window's " +
                                   std::to_string(truth.size()) + " frames");
  size_t correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == truth[first_frame + i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(predictions.size());
}

}  // namespace ekya
