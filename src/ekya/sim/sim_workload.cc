#include "ekya/sim/sim_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace ekya {
namespace {

double Clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

std::string Where(int recorded_stream, int window) {
  return "recorded stream " + std::to_string(recorded_stream) + " window " + std::to_string(window);
}

// A job that follows a recorded cost: an optional labelling step, then
// `steps` equal steps of its main kind summing to `work_seconds`.
class SimJob final : public Job {
 public:
  SimJob(JobKind kind, int stream, int window, double labelling_seconds, double work_seconds, int steps,
         std::string description)
      : kind_(kind),
        stream_(stream),
        window_(window),
        labelling_seconds_(labelling_seconds),
        work_seconds_(work_seconds),
        steps_(steps),
        description_(std::move(description)) {}

  Result<JobStep> RunStep() override {
    if (finished()) return Status::FailedPrecondition(description_ + ": RunStep after the last step");
    if (!labelled_) {
      labelled_ = true;
      if (labelling_seconds_ > 0) return JobStep{JobKind::kLabelling, labelling_seconds_, false};
    }
    ++done_steps_;
    const bool last = done_steps_ == steps_;
    // The last step takes what is left, so that the steps sum to the total.
    const double cost = last ? std::max(0.0, work_seconds_ - spent_) : work_seconds_ / steps_;
    spent_ += cost;
    return JobStep{kind_, cost, last};
  }

  JobKind NextKind() const override {
    return (!labelled_ && labelling_seconds_ > 0) ? JobKind::kLabelling : kind_;
  }

  std::string Describe() const override { return description_; }

  JobKind kind() const { return kind_; }
  int stream() const { return stream_; }
  int window() const { return window_; }
  bool finished() const { return done_steps_ >= steps_; }

  // Retraining jobs: the retrained model's recorded accuracies.
  double measured_accuracy = 0;
  double predicted_accuracy = 0;
  std::string config_id;  // full id with epochs

 private:
  JobKind kind_;
  int stream_;
  int window_;
  double labelling_seconds_;
  double work_seconds_;
  int steps_;
  std::string description_;
  bool labelled_ = false;
  int done_steps_ = 0;
  double spent_ = 0;
};

}  // namespace

Result<std::unique_ptr<SimWorkload>> SimWorkload::Create(const ProfileTable& profiles,
                                                         const ProfilerCosts& costs,
                                                         const SimWorkloadOptions& options) {
  const SimWorkloadOptions& o = options;
  if (o.streams < 1) return Status::InvalidArgument("streams: " + std::to_string(o.streams) + " is not >= 1");
  if (o.windows < 0) return Status::InvalidArgument("windows: " + std::to_string(o.windows) + " is not >= 0");
  if (o.frames_per_window < 1) {
    return Status::InvalidArgument("benchmark.frames_per_window: " + std::to_string(o.frames_per_window) +
                                   " is not >= 1");
  }
  if (o.chunks < 1 || o.chunks > o.frames_per_window) {
    return Status::InvalidArgument("chunks: " + std::to_string(o.chunks) + " is not in [1, " +
                                   std::to_string(o.frames_per_window) + "] (the frames per window)");
  }
  if (!(o.r_max > 0) || o.r_max > 1) return Status::InvalidArgument("inference.r_max must be in (0, 1]");
  if (!std::isfinite(o.labelling_seconds_per_frame) || o.labelling_seconds_per_frame < 0) {
    return Status::InvalidArgument("the labelling seconds per frame must be finite and >= 0");
  }
  if (!std::isfinite(o.frames_labelled_per_window) || o.frames_labelled_per_window < 0) {
    return Status::InvalidArgument("the frames labelled per window must be finite and >= 0");
  }
  if (o.retraining_steps < 1) return Status::InvalidArgument("the retraining steps must be >= 1");
  if (o.profiling_steps < 1) return Status::InvalidArgument("the profiling steps must be >= 1");

  const std::vector<int> recorded = profiles.streams();
  const std::vector<int> recorded_windows = profiles.windows();
  if (recorded.empty()) return Status::InvalidArgument("the recorded profiles have no rows");
  if (recorded_windows.front() < 1) {
    return Status::InvalidArgument("the recorded profiles have a row for window " +
                                   std::to_string(recorded_windows.front()) +
                                   "; recorded windows start at 1 (window 0 only collects data)");
  }
  const int available = recorded_windows.back() + 1;
  const int W = o.windows == 0 ? available : std::min(o.windows, available);

  auto w = std::unique_ptr<SimWorkload>(new SimWorkload(options));
  w->windows_ = W;
  w->recorded_ids_ = recorded;
  w->profiles_.resize(recorded.size());
  for (size_t r = 0; r < recorded.size(); ++r) {
    const int id = recorded[r];
    std::vector<WindowProfile>& windows = w->profiles_[r];
    windows.resize(std::max(W, 2));
    for (int t = 1; t < std::max(W, 2); ++t) {
      WindowProfile& p = windows[t];
      const ProfileRow* none = profiles.Find(id, t, "none");
      if (none == nullptr || !none->measured_accuracy.has_value()) {
        return Status::InvalidArgument(Where(id, t) +
                                       ": the profiles lack a \"none\" row with a measured accuracy "
                                       "(profiles written by `ekya profile` have one)");
      }
      p.none_measured = *none->measured_accuracy;
      p.none_predicted = none->predicted_accuracy;
      for (const ProfileRow* row : profiles.Rows(id, t)) {
        if (row->config == "none" || !row->measured_accuracy || !row->measured_cost_s) continue;
        Result<RetrainConfig> config = RetrainConfig::Parse(row->FullId());
        if (!config.ok()) return config.status().WithContext(Where(id, t));
        ConfigProfile c;
        c.config = *config;
        c.id = row->FullId();
        c.predicted_accuracy = row->predicted_accuracy;
        c.predicted_cost_s = row->predicted_cost_s;
        c.measured_accuracy = *row->measured_accuracy;
        c.measured_cost_s = std::max(0.0, *row->measured_cost_s);
        p.configs.push_back(std::move(c));
      }
      const std::vector<std::pair<double, double>> raw = profiles.Inference(id, t);
      const double full = InferenceProfile{raw}.At(1.0);
      if (!raw.empty() && full > 0) {
        for (const auto& [fraction, accuracy] : raw) {
          p.factors.points.emplace_back(fraction, std::min(1.0, std::max(0.0, accuracy / full)));
        }
      }
      if (!costs.empty()) {
        const std::optional<double> seconds = costs.Find(id, t);
        if (!seconds) {
          return Status::InvalidArgument(Where(id, t) + ": profiler_costs.csv has no row for it");
        }
        p.profiler_seconds = *seconds;
      }
    }
    // Window 0 is scored like window 1 without retraining.
    windows[0].none_measured = windows[1].none_measured;
    windows[0].none_predicted = windows[1].none_predicted;
    windows[0].factors = windows[1].factors;
    windows.resize(W);
  }
  w->streams_.resize(o.streams);
  for (int s = 0; s < o.streams; ++s) w->streams_[s].recorded = s % static_cast<int>(recorded.size());
  return w;
}

int SimWorkload::RecordedStream(int stream) const {
  return recorded_ids_[static_cast<size_t>(stream) % recorded_ids_.size()];
}

const SimWorkload::WindowProfile& SimWorkload::Profile(int stream, int window) const {
  return profiles_[streams_[stream].recorded][window];
}

double SimWorkload::AccuracyAt(int stream, int window, bool predicted) const {
  const StreamState& st = streams_[stream];
  const WindowProfile& now = Profile(stream, window);
  const double base_now = predicted ? now.none_predicted : now.none_measured;
  if (st.trained_window < 0) return Clamp01(base_now);
  const double trained = predicted ? st.trained_predicted : st.trained_measured;
  if (st.trained_window == window) return Clamp01(trained);
  const WindowProfile& then = Profile(stream, st.trained_window);
  const double base_then = predicted ? then.none_predicted : then.none_measured;
  double carried = base_now + (trained - base_then);
  // A stale model is never better than the same config retrained for this
  // window (when that was recorded).
  for (const ConfigProfile& c : now.configs) {
    if (c.id == st.trained_id)
      carried = std::min(carried, predicted ? c.predicted_accuracy : c.measured_accuracy);
  }
  return Clamp01(carried);
}

Status SimWorkload::CheckStream(int stream) const {
  if (stream < 0 || stream >= static_cast<int>(streams_.size())) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + " out of range");
  }
  return Status::Ok();
}

double SimWorkload::ChargeLabelling(int stream) {
  StreamState& st = streams_[stream];
  const int missing = std::max(0, window_ - st.labelled_windows);
  st.labelled_windows = std::max(st.labelled_windows, window_);
  return static_cast<double>(missing) * options_.frames_labelled_per_window *
         options_.labelling_seconds_per_frame;
}

Status SimWorkload::BeginWindow(int window) {
  if (window < 0 || window >= windows_) {
    return Status::InvalidArgument("window " + std::to_string(window) +
                                   " is outside the simulated windows [0, " + std::to_string(windows_) + ")");
  }
  window_ = window;
  for (StreamState& st : streams_) st.sampler.Reset();
  return Status::Ok();
}

Result<std::vector<ChunkScore>> SimWorkload::InferChunk(int chunk, const std::vector<double>& shares) {
  const int C = options_.chunks;
  if (window_ < 0) return Status::FailedPrecondition("InferChunk before BeginWindow");
  if (chunk < 0 || chunk >= C)
    return Status::InvalidArgument("chunk " + std::to_string(chunk) + " out of range");
  if (shares.size() != streams_.size())
    return Status::InvalidArgument("one inference share per stream is needed");
  const int64_t n = options_.frames_per_window;
  const int frames = static_cast<int>(n * (chunk + 1) / C - n * chunk / C);
  std::vector<ChunkScore> scores(streams_.size());
  for (size_t s = 0; s < streams_.size(); ++s) {
    StreamState& st = streams_[s];
    const double f = CreditSampler::FractionFromShare(shares[s], options_.r_max);
    st.sampler.SetFraction(f);
    ChunkScore& score = scores[s];
    score.frames_total = frames;
    for (int i = 0; i < frames; ++i) score.frames_analysed += st.sampler.Next() ? 1 : 0;
    const int stream = static_cast<int>(s);
    const double accuracy =
        Clamp01(AccuracyAt(stream, window_, false) * Profile(stream, window_).factors.At(f));
    score.correct = static_cast<int>(std::lround(accuracy * frames));
  }
  return scores;
}

Result<double> SimWorkload::DeployedAccuracy(int stream) {
  if (window_ < 0) return Status::FailedPrecondition("DeployedAccuracy before BeginWindow");
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  return AccuracyAt(stream, window_, false);
}

Result<std::unique_ptr<Job>> SimWorkload::MakeRetrainingJob(int stream, const RetrainConfig& config) {
  if (window_ < 1) {
    return Status::FailedPrecondition("retraining needs a window t >= 1 (window 0 only collects data)");
  }
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  const std::string id = config.Id();
  const WindowProfile& p = Profile(stream, window_);
  auto it =
      std::find_if(p.configs.begin(), p.configs.end(), [&](const ConfigProfile& c) { return c.id == id; });
  if (it == p.configs.end()) {
    return Status::InvalidArgument("config " + id + " has no recorded measurement for stream " +
                                   std::to_string(stream) + " (" + Where(RecordedStream(stream), window_) +
                                   "); record it with `ekya profile` or choose a recorded config");
  }
  const double labelling = ChargeLabelling(stream);
  auto job = std::make_unique<SimJob>(JobKind::kRetraining, stream, window_, labelling, it->measured_cost_s,
                                      options_.retraining_steps,
                                      "simulated retraining " + id + " of stream " + std::to_string(stream) +
                                          " in window " + std::to_string(window_));
  job->measured_accuracy = it->measured_accuracy;
  job->predicted_accuracy = it->predicted_accuracy;
  job->config_id = id;
  return std::unique_ptr<Job>(std::move(job));
}

Result<double> SimWorkload::Deploy(int stream, Job& job) {
  auto* sim = dynamic_cast<SimJob*>(&job);
  if (sim == nullptr || sim->kind() != JobKind::kRetraining || sim->stream() != stream || !sim->finished()) {
    return Status::InvalidArgument("stream " + std::to_string(stream) +
                                   ": not a finished retraining job of its own");
  }
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  StreamState& st = streams_[stream];
  st.trained_window = sim->window();
  st.trained_measured = sim->measured_accuracy;
  st.trained_predicted = sim->predicted_accuracy;
  st.trained_id = sim->config_id;
  return Clamp01(sim->measured_accuracy);
}

Result<std::unique_ptr<Job>> SimWorkload::MakeProfilingJob(int stream) {
  if (window_ < 1) {
    return Status::FailedPrecondition("profiling needs a window t >= 1 (window 0 only collects data)");
  }
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  const double labelling = ChargeLabelling(stream);
  return std::unique_ptr<Job>(new SimJob(JobKind::kProfiling, stream, window_, labelling,
                                         Profile(stream, window_).profiler_seconds, options_.profiling_steps,
                                         "simulated micro-profiling of stream " + std::to_string(stream) +
                                             " in window " + std::to_string(window_)));
}

Result<StreamEstimates> SimWorkload::Estimates(int stream, Job& job) {
  auto* sim = dynamic_cast<SimJob*>(&job);
  if (sim == nullptr || sim->kind() != JobKind::kProfiling || sim->stream() != stream || !sim->finished()) {
    return Status::InvalidArgument("stream " + std::to_string(stream) +
                                   ": not a finished profiling job of its own");
  }
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  const int t = sim->window();
  if (t < 0 || t >= windows_) return Status::InvalidArgument("the profiling job's window is out of range");
  const WindowProfile& p = Profile(stream, t);
  StreamEstimates e;
  e.accuracy = AccuracyAt(stream, t, true);
  e.inference_profile = p.factors;
  for (const ConfigProfile& c : p.configs) {
    ConfigEstimate estimate;
    estimate.config = c.config;
    estimate.accuracy = c.predicted_accuracy;
    estimate.cost_seconds = c.predicted_cost_s;
    e.all.push_back(estimate);
    if (estimate.accuracy > e.accuracy) e.candidates.push_back(estimate);
  }
  return e;
}

}  // namespace ekya
