#include "ekya/exec/real_workload.h"

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "ekya/common/parallel.h"
#include "ekya/common/rng.h"
#include "ekya/infer/inference.h"
#include "ekya/train/trainer.h"

namespace ekya {
namespace {

// A slice [begin, end) of a batch of images (a copy).
ImageBatch Slice(const ImageBatch& all, size_t begin, size_t end) {
  ImageBatch out;
  out.rows = all.rows;
  out.cols = all.cols;
  out.pixels.assign(all.image(begin), all.image(begin) + (end - begin) * all.pixels_per_image());
  return out;
}

int CountCorrectRange(const std::vector<int>& predictions, const std::vector<int>& truth, size_t begin,
                      size_t end) {
  int correct = 0;
  for (size_t i = begin; i < end; ++i) correct += (predictions[i] >= 0 && predictions[i] == truth[i]) ? 1 : 0;
  return correct;
}

// A retraining job: optionally one labelling step, then one training batch per step.
class RealRetrainingJob final : public Job {
 public:
  RealRetrainingJob(LabelFirewall& firewall, const LabelledImages& base_data, int stream, int window,
                    Model start, RetrainConfig config, RetrainingSetOptions set_options,
                    TrainOptions train_options, const DeviceModel& device, double labelling_seconds)
      : firewall_(firewall),
        base_data_(base_data),
        stream_(stream),
        window_(window),
        start_(std::move(start)),
        config_(std::move(config)),
        set_options_(set_options),
        train_options_(std::move(train_options)),
        device_(device),
        labelling_seconds_(labelling_seconds) {
    const FlopCount flops = start_.Flops(config_.scope);
    train_seconds_per_sample_ = device_.Seconds(flops.train_step);
    eval_seconds_per_sample_ = device_.Seconds(flops.forward);
  }

  JobKind NextKind() const override {
    return (!set_built_ && labelling_seconds_ > 0) ? JobKind::kLabelling : JobKind::kRetraining;
  }

  std::string Describe() const override {
    return "retraining " + config_.Id() + " of stream " + std::to_string(stream_) + " in window " +
           std::to_string(window_);
  }

  Result<JobStep> RunStep() override {
    if (!set_built_) {
      // The labelled history (labelling it where needed) and the validation slice.
      Result<RetrainingSet> set = BuildRetrainingSet(firewall_, base_data_, stream_, window_, set_options_);
      if (!set.ok()) return set.status().WithContext(Describe());
      set_ = std::move(*set);
      set_built_ = true;
      if (labelling_seconds_ > 0) return JobStep{JobKind::kLabelling, labelling_seconds_, false};
    }
    double cost = 0;
    if (!run_) {
      Result<std::unique_ptr<TrainingRun>> run = TrainingRun::Create(
          start_, std::move(set_.train), std::move(set_.validation), config_, train_options_);
      if (!run.ok()) return run.status().WithContext(Describe());
      run_ = std::move(*run);
      cost += device_.startup_seconds;
    }
    const int64_t samples_before = run_->samples_processed();
    const int64_t validation_before = run_->validation_samples();
    Result<bool> done = run_->Step();
    if (!done.ok()) return done.status().WithContext(Describe());
    cost += static_cast<double>(run_->samples_processed() - samples_before) * train_seconds_per_sample_ +
            static_cast<double>(run_->validation_samples() - validation_before) * eval_seconds_per_sample_;
    return JobStep{JobKind::kRetraining, cost, *done};
  }

  int stream() const { return stream_; }
  int window() const { return window_; }
  const RetrainConfig& config() const { return config_; }
  // The best accuracy on the validation slice (window t−1's held-out
  // sample); NaN before any validation.
  double held_out_accuracy() const {
    return run_ ? run_->best_validation_accuracy() : std::numeric_limits<double>::quiet_NaN();
  }
  bool finished() const { return run_ && run_->done(); }
  Result<Model> Finish() { return run_->Finish(); }

 private:
  LabelFirewall& firewall_;
  const LabelledImages& base_data_;
  int stream_;
  int window_;
  Model start_;
  RetrainConfig config_;
  RetrainingSetOptions set_options_;
  TrainOptions train_options_;
  DeviceModel device_;
  double labelling_seconds_;
  double train_seconds_per_sample_ = 0;
  double eval_seconds_per_sample_ = 0;
  bool set_built_ = false;
  RetrainingSet set_;
  std::unique_ptr<TrainingRun> run_;
};

}  // namespace

double TableAccuracyFactor(int k) {
  static constexpr std::array<double, 10> kFirst = {1.00, .78, .64, .60, .44, .42, .41, .33, .28, .15};
  if (k < 1) return 1.0;
  if (k <= 10) return kFirst[k - 1];
  if (k <= 15) return kFirst[9] + (0.12 - kFirst[9]) * (k - 10) / 5.0;
  if (k <= 20) return 0.12 + (0.04 - 0.12) * (k - 15) / 5.0;
  return 0.0;
}

Result<std::unique_ptr<RealWorkload>> RealWorkload::Create(const DriftBenchmark& bench,
                                                           LabelFirewall& firewall,
                                                           std::map<int, Model> base_models, Model start,
                                                           const RealWorkloadOptions& options) {
  const int frames = bench.options().frames_per_window;
  if (options.chunks < 1 || options.chunks > frames) {
    return Status::InvalidArgument("chunks: " + std::to_string(options.chunks) + " is not in [1, " +
                                   std::to_string(frames) + "] (the frames per window)");
  }
  if (!(options.r_max > 0) || options.r_max > 1)
    return Status::InvalidArgument("inference.r_max must be in (0, 1]");
  if (options.threads < 1) return Status::InvalidArgument("threads must be >= 1");
  EKYA_RETURN_IF_ERROR(ValidateDeviceModel(options.device));
  if (!start.valid()) return Status::InvalidArgument("the streams' starting model is missing");
  for (const auto& [hidden, model] : base_models) {
    if (!model.valid() || model.spec().hidden != hidden) {
      return Status::InvalidArgument("the base model for head width " + std::to_string(hidden) +
                                     " is missing");
    }
  }
  auto w = std::unique_ptr<RealWorkload>(new RealWorkload(bench, firewall, std::move(base_models), options));
  w->streams_.resize(bench.streams());
  for (auto& s : w->streams_) {
    s.deployed = start;
    s.labelled.assign(bench.windows(), false);
    for (const RetrainConfig& c : options.profiler.configs) s.profiled_bases.insert(c.BaseId());
  }
  return w;
}

Status RealWorkload::BeginWindow(int window) {
  if (window < 0 || window >= bench_.windows()) {
    return Status::InvalidArgument("window " + std::to_string(window) + " is outside the benchmark");
  }
  window_ = window;
  GroundTruthScorer scorer(bench_);
  return ParallelFor(static_cast<int>(streams_.size()), options_.threads, [&](int s) -> Status {
    StreamState& st = streams_[s];
    // Keep the start of the window that ends, for the inference profile.
    const size_t keep =
        std::min(st.frames.size(), static_cast<size_t>(std::max(0, options_.profiler.inference_frames)));
    st.last_frames = keep > 0 ? Slice(st.frames, 0, keep) : ImageBatch{};
    EKYA_ASSIGN_OR_RETURN(WindowFrames wf, bench_.Frames(s, window));
    st.frames = std::move(wf.frames);
    EKYA_ASSIGN_OR_RETURN(st.truth, scorer.TruthLabels(s, window));
    EKYA_ASSIGN_OR_RETURN(st.full_rate, st.deployed.Predict(st.frames, 1));
    st.sampler.Reset();
    return Status::Ok();
  });
}

Result<std::vector<ChunkScore>> RealWorkload::InferChunk(int chunk, const std::vector<double>& shares) {
  const int C = options_.chunks;
  if (window_ < 0) return Status::FailedPrecondition("InferChunk before BeginWindow");
  if (chunk < 0 || chunk >= C)
    return Status::InvalidArgument("chunk " + std::to_string(chunk) + " out of range");
  if (shares.size() != streams_.size())
    return Status::InvalidArgument("one inference share per stream is needed");
  std::vector<ChunkScore> scores(streams_.size());
  EKYA_RETURN_IF_ERROR(ParallelFor(static_cast<int>(streams_.size()), options_.threads, [&](int s) -> Status {
    StreamState& st = streams_[s];
    const size_t n = st.truth.size();
    const size_t begin = n * chunk / C;
    const size_t end = n * (chunk + 1) / C;
    ChunkScore& score = scores[s];
    score.frames_total = static_cast<int>(end - begin);
    if (!options_.table_mode) {
      st.sampler.SetFraction(CreditSampler::FractionFromShare(shares[s], options_.r_max));
      EKYA_ASSIGN_OR_RETURN(InferenceOutput out, RunInference(st.deployed, Slice(st.frames, begin, end),
                                                              st.sampler, &st.last_prediction, 1));
      score.frames_analysed = out.frames_analysed;
      score.correct =
          CountCorrect(out.predictions, std::span<const int>(st.truth).subspan(begin, end - begin));
      return Status::Ok();
    }
    // The paper's emulation: 1 in k frames, accuracy scaled by the table's factor.
    if (!(shares[s] > 0)) return Status::Ok();
    const int k =
        shares[s] >= options_.r_max ? 1 : static_cast<int>(std::ceil(options_.r_max / shares[s] - 1e-9));
    for (size_t i = begin; i < end; ++i) score.frames_analysed += (i % static_cast<size_t>(k) == 0) ? 1 : 0;
    const int full = CountCorrectRange(st.full_rate, st.truth, begin, end);
    score.correct = static_cast<int>(std::lround(TableAccuracyFactor(k) * full));
    return Status::Ok();
  }));
  return scores;
}

Result<double> RealWorkload::DeployedAccuracy(int stream) {
  if (window_ < 0) return Status::FailedPrecondition("DeployedAccuracy before BeginWindow");
  if (stream < 0 || stream >= static_cast<int>(streams_.size())) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + " out of range");
  }
  const StreamState& st = streams_[stream];
  if (st.truth.empty()) return 0.0;
  return static_cast<double>(CountCorrectRange(st.full_rate, st.truth, 0, st.truth.size())) /
         static_cast<double>(st.truth.size());
}

Result<std::unique_ptr<Job>> RealWorkload::MakeRetrainingJob(int stream, const RetrainConfig& config) {
  if (window_ < 1)
    return Status::FailedPrecondition("retraining needs a window t >= 1 (window 0 only collects data)");
  if (stream < 0 || stream >= static_cast<int>(streams_.size())) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + " out of range");
  }
  StreamState& st = streams_[stream];
  RetrainConfig c = config;
  c.learning_rate = options_.learning_rate;
  c.batch_size = options_.batch_size;
  Model start;
  if (options_.start_from_deployed && st.deployed.spec().hidden == c.hidden) {
    start = st.deployed;
  } else {
    auto it = base_models_.find(c.hidden);
    if (it == base_models_.end()) {
      return Status::InvalidArgument("config " + c.Id() + " needs a base model with head width " +
                                     std::to_string(c.hidden) + ", which was not trained");
    }
    start = it->second;
  }
  EKYA_ASSIGN_OR_RETURN(double labelling, ChargeLabelling(stream));
  RetrainingSetOptions set_options;
  set_options.base_sample = options_.base_sample;
  set_options.validation_fraction = options_.validation_fraction;
  set_options.seed =
      DeriveSeed(options_.seed, {0x5e7, static_cast<uint64_t>(stream), static_cast<uint64_t>(window_)});
  TrainOptions train_options;
  train_options.threads = 1;
  train_options.seed =
      DeriveSeed(options_.seed, {0x7ea1, static_cast<uint64_t>(stream), static_cast<uint64_t>(window_)});
  return std::unique_ptr<Job>(new RealRetrainingJob(firewall_, bench_.BaseTrain(), stream, window_, start, c,
                                                    set_options, train_options, options_.device, labelling));
}

Result<double> RealWorkload::ChargeLabelling(int stream) {
  StreamState& st = streams_[stream];
  double seconds = 0;
  if (firewall_.options().source != LabelSource::kGolden) return seconds;
  for (int w = 0; w < window_; ++w) {
    if (st.labelled[w]) continue;
    EKYA_ASSIGN_OR_RETURN(WindowFrames wf, bench_.Frames(stream, w));
    seconds +=
        static_cast<double>(wf.sample_frames.size()) * options_.device.Seconds(options_.golden_forward_flops);
    st.labelled[w] = true;
  }
  return seconds;
}

Result<std::unique_ptr<Job>> RealWorkload::MakeProfilingJob(int stream) {
  if (window_ < 1)
    return Status::FailedPrecondition("profiling needs a window t >= 1 (window 0 only collects data)");
  if (stream < 0 || stream >= static_cast<int>(streams_.size())) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + " out of range");
  }
  StreamState& st = streams_[stream];
  ProfilingInputs in;
  in.firewall = &firewall_;
  in.base_data = &bench_.BaseTrain();
  in.stream = stream;
  in.window = window_;
  in.start_models = base_models_;
  in.deployed = st.deployed;
  in.last_window_frames = st.last_frames;
  in.bases = st.profiled_bases;
  EKYA_ASSIGN_OR_RETURN(in.labelling_seconds, ChargeLabelling(stream));
  MicroProfilerOptions po = options_.profiler;
  po.learning_rate = options_.learning_rate;
  po.batch_size = options_.batch_size;
  po.base_sample = options_.base_sample;
  po.validation_fraction = options_.validation_fraction;
  po.device = options_.device;
  po.seed = options_.seed;
  return std::unique_ptr<Job>(new MicroProfilingJob(std::move(in), po));
}

Result<StreamEstimates> RealWorkload::Estimates(int stream, Job& job) {
  auto* profiling = dynamic_cast<MicroProfilingJob*>(&job);
  if (profiling == nullptr || profiling->stream() != stream || !profiling->finished()) {
    return Status::InvalidArgument("stream " + std::to_string(stream) +
                                   ": not a finished profiling job of its own");
  }
  EKYA_ASSIGN_OR_RETURN(StreamEstimates e, profiling->HeldOutEstimates());
  EKYA_ASSIGN_OR_RETURN(ShiftEstimate shift, profiling->Shift());
  StreamState& st = streams_[stream];
  st.estimates_window = window_;
  // Calibration compares full retraining's validation with the prediction
  // for that same held-out slice, before the shift to the new window.
  st.raw_estimates = e.all;
  ApplyShift(e, shift);
  if (options_.profiler.calibrate) calibration_.Apply(e);
  EKYA_RETURN_IF_ERROR(ApplyConfigPrior(e, options_.profiler.prior, options_.profiler.prior_weight));
  // SPEC §6 step 5: every second window the profiled set shrinks to the
  // bases near the accuracy/cost Pareto front.
  if (options_.profiler.prune && window_ % 2 == 0 && !e.all.empty()) {
    std::set<std::string> keep = ParetoBases(e.all);
    keep.insert(options_.profiler.keep_bases.begin(), options_.profiler.keep_bases.end());
    std::set<std::string>& bases = st.profiled_bases;
    for (auto it = bases.begin(); it != bases.end();) it = keep.count(*it) ? std::next(it) : bases.erase(it);
  }
  return e;
}

Result<double> RealWorkload::Deploy(int stream, Job& job) {
  auto* real = dynamic_cast<RealRetrainingJob*>(&job);
  if (real == nullptr || real->stream() != stream || !real->finished()) {
    return Status::InvalidArgument("stream " + std::to_string(stream) +
                                   ": not a finished retraining job of its own");
  }
  EKYA_ASSIGN_OR_RETURN(Model model, real->Finish());
  StreamState& st = streams_[stream];
  // What full retraining reached on its held-out slice of window t−1 (the
  // profiler's own target) against what the profiler predicted for it.
  if (st.estimates_window == window_) {
    for (const ConfigEstimate& c : st.raw_estimates) {
      if (c.config.Id() == real->config().Id()) {
        calibration_.Record(ProfileCalibration::Family(c.config), real->held_out_accuracy() - c.accuracy);
      }
    }
  }
  // The retrained model on the window it was trained in (still the current one).
  const int threads = options_.threads;
  EKYA_ASSIGN_OR_RETURN(std::vector<int> predictions, model.Predict(st.frames, threads));
  st.deployed = std::move(model);
  st.full_rate = std::move(predictions);
  if (st.truth.empty()) return 0.0;
  return static_cast<double>(CountCorrectRange(st.full_rate, st.truth, 0, st.truth.size())) /
         static_cast<double>(st.truth.size());
}

}  // namespace ekya
