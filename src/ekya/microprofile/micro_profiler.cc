#include "ekya/microprofile/micro_profiler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "ekya/common/rng.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/train/retraining_set.h"
#include "ekya/train/trainer.h"

namespace ekya {

void SelectCandidates(StreamEstimates& estimates) {
  estimates.candidates.clear();
  for (const ConfigEstimate& c : estimates.all) {
    if (c.accuracy > estimates.accuracy) estimates.candidates.push_back(c);
  }
}

std::vector<ConfigEstimate> EstimateConfigs(const std::vector<BaseProfile>& profiles,
                                            const std::vector<RetrainConfig>& configs,
                                            CurveEstimator estimator, double startup_seconds,
                                            ProfileProgress progress) {
  std::vector<ConfigEstimate> out;
  for (const BaseProfile& p : profiles) {
    if (p.config_samples <= 0 || p.accuracy_per_epoch.empty()) continue;
    const bool by_steps = progress == ProfileProgress::kSteps && p.run_steps > 0 && p.config_steps > 0;
    const double per_epoch = by_steps ? static_cast<double>(p.run_steps) / static_cast<double>(p.config_steps)
                                      : static_cast<double>(p.run_samples) / static_cast<double>(p.config_samples);
    std::vector<CurvePoint> points;
    for (size_t k = 0; k < p.accuracy_per_epoch.size(); ++k) {
      const double x = static_cast<double>(k + 1) * per_epoch;
      points.push_back({x, std::clamp(p.accuracy_per_epoch[k], 0.0, 1.0)});
    }
    CurveFitOptions fit_options;
    fit_options.estimator = estimator;
    fit_options.start_accuracy = std::clamp(p.start_accuracy, 0.0, 1.0);
    Result<CurveFit> fit = FitCurve(points, fit_options);
    for (const RetrainConfig& c : configs) {
      if (c.BaseId() != p.base_id) continue;
      ConfigEstimate e;
      e.config = c;
      // Without a usable fit, the last measured accuracy is the estimate.
      e.accuracy = fit.ok() ? fit->curve.At(c.epochs) : p.accuracy_per_epoch.back();
      e.cost_seconds =
          startup_seconds + static_cast<double>(c.epochs) *
                                (static_cast<double>(p.config_samples) * p.seconds_per_sample +
                                 static_cast<double>(p.validation_samples) * p.eval_seconds_per_sample);
      out.push_back(e);
    }
  }
  return out;
}

std::string ProfileCalibration::Family(const RetrainConfig& config) {
  const std::string base = config.BaseId();  // "head-h64-f0.1"
  const size_t cut = base.rfind("-f");
  return cut == std::string::npos ? base : base.substr(0, cut);
}

void ProfileCalibration::Record(const std::string& family, double residual) {
  if (!std::isfinite(residual)) return;
  auto& [sum, n] = sums_[family];
  sum += residual;
  ++n;
}

int ProfileCalibration::count(const std::string& family) const {
  auto it = sums_.find(family);
  return it == sums_.end() ? 0 : it->second.second;
}

double ProfileCalibration::Correction(const std::string& family) const {
  auto it = sums_.find(family);
  if (it == sums_.end() || it->second.second == 0) return 0;
  const double n = it->second.second;
  return (it->second.first / n) * (n / (n + 1.0));
}

void ProfileCalibration::Apply(StreamEstimates& estimates) const {
  for (ConfigEstimate& c : estimates.all) {
    c.accuracy = std::clamp(c.accuracy + Correction(Family(c.config)), 0.0, 1.0);
  }
  SelectCandidates(estimates);
}

void ApplyShift(StreamEstimates& estimates, const ShiftEstimate& shift) {
  if (!shift.measured) return;
  estimates.accuracy = shift.deployed_new;
  for (ConfigEstimate& c : estimates.all) {
    auto it = shift.family.find(ProfileCalibration::Family(c.config));
    if (it == shift.family.end()) continue;
    c.accuracy = std::clamp(c.accuracy + (it->second.second - it->second.first), 0.0, 1.0);
  }
  SelectCandidates(estimates);
}

std::set<std::string> ParetoBases(const std::vector<ConfigEstimate>& estimates) {
  std::set<std::string> keep;
  for (const ConfigEstimate& a : estimates) {
    bool dominated = false;
    for (const ConfigEstimate& b : estimates) {
      if (b.cost_seconds <= a.cost_seconds && b.accuracy >= a.accuracy &&
          (b.cost_seconds < a.cost_seconds || b.accuracy > a.accuracy)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) keep.insert(a.config.BaseId());
  }
  // The most accurate config of each (scope, head width).
  std::map<std::pair<int, int>, const ConfigEstimate*> best;
  for (const ConfigEstimate& e : estimates) {
    auto key = std::make_pair(static_cast<int>(e.config.scope), e.config.hidden);
    auto it = best.find(key);
    if (it == best.end() || e.accuracy > it->second->accuracy) best[key] = &e;
  }
  for (const auto& [key, e] : best) keep.insert(e->config.BaseId());
  return keep;
}

InferenceProfile EstimateInferenceProfile(const ImageBatch& frames, const std::vector<int>& classes,
                                          double accuracy) {
  InferenceProfile profile;
  const size_t n = frames.size();
  if (n == 0) return profile;
  // New object between frame i−1 and i? Mean absolute pixel difference,
  // split into two clusters (1-D two-means from the extremes).
  std::vector<double> diff(n, 0.0);
  const size_t px = frames.pixels_per_image();
  for (size_t i = 1; i < n; ++i) {
    const uint8_t* a = frames.image(i - 1);
    const uint8_t* b = frames.image(i);
    double sum = 0;
    for (size_t k = 0; k < px; ++k) sum += std::abs(static_cast<int>(a[k]) - static_cast<int>(b[k]));
    diff[i] = sum / static_cast<double>(px);
  }
  std::vector<bool> new_object(n, false);
  if (n > 2) {
    double lo = *std::min_element(diff.begin() + 1, diff.end());
    double hi = *std::max_element(diff.begin() + 1, diff.end());
    for (int iter = 0; iter < 50 && hi > lo; ++iter) {
      const double cut = 0.5 * (lo + hi);
      double sl = 0, sh = 0;
      int nl = 0, nh = 0;
      for (size_t i = 1; i < n; ++i) {
        if (diff[i] <= cut) {
          sl += diff[i];
          ++nl;
        } else {
          sh += diff[i];
          ++nh;
        }
      }
      if (nl == 0 || nh == 0) break;
      const double new_lo = sl / nl, new_hi = sh / nh;
      if (new_lo == lo && new_hi == hi) break;
      lo = new_lo;
      hi = new_hi;
    }
    const double cut = 0.5 * (lo + hi);
    for (size_t i = 1; i < n; ++i) new_object[i] = diff[i] > cut;
  }
  // Chance that two frames' predictions agree: Σ p_c² over the class mix.
  std::map<int, int> counts;
  for (int c : classes) counts[c]++;
  double chance = 0;
  const double m = static_cast<double>(classes.size());
  for (const auto& [c, k] : counts) chance += (k / m) * (k / m);  // no classes: no term
  const double acc = accuracy > 0 ? accuracy : 1.0;
  const double wrong_object_factor = std::min(1.0, chance / acc);
  for (int step = 1; step <= 20; ++step) {
    const double f = step / 20.0;
    CreditSampler sampler(f);
    bool have = false, same = false;
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (sampler.Next()) {
        have = true;
        same = true;
      } else if (new_object[i]) {
        same = false;
      }
      total += !have ? 0.0 : (same ? 1.0 : wrong_object_factor);
    }
    profile.points.emplace_back(f, std::min(1.0, total / static_cast<double>(n)));
  }
  return profile;
}

namespace {

struct Run {
  std::vector<std::string> bases;  // base ids sharing this run
  RetrainConfig config;            // what the run trains
  int64_t run_samples = 0;
  std::unique_ptr<TrainingRun> training;
  bool cached = false;  // head only: trains on cached backbone features
  int64_t steps_per_epoch = 0;
  std::vector<double> accuracy_per_epoch;
  Model final_model;          // kept for the shift step (5a) ...
  ValidationScores final_scores;  // ... with its pass over the held-out slice
  int64_t train_samples = 0;
  // Device-seconds per pass, as the run does them: with the feature cache a
  // training or validation pass runs the head alone and filling the cache
  // costs one backbone pass per sample.
  double backbone_seconds_per_sample = 0;
  double step_seconds_per_sample = 0;
  double eval_step_seconds_per_sample = 0;
  // What the real retraining job pays per sample (never cached).
  double train_seconds_per_sample = 0;
  double eval_seconds_per_sample = 0;
  // Counters already charged.
  int64_t charged_backbone = 0, charged_samples = 0, charged_validation = 0;

  // Device-seconds of the work done since the last call.
  double ChargeNew() {
    const int64_t backbone = training->backbone_forwards();
    const int64_t samples = training->samples_processed();
    const int64_t validation = training->validation_samples();
    const double cost = static_cast<double>(backbone - charged_backbone) * backbone_seconds_per_sample +
                        static_cast<double>(samples - charged_samples) * step_seconds_per_sample +
                        static_cast<double>(validation - charged_validation) * eval_step_seconds_per_sample;
    train_samples += samples - charged_samples;
    charged_backbone = backbone;
    charged_samples = samples;
    charged_validation = validation;
    return cost;
  }
};

}  // namespace

struct MicroProfilingJob::Impl {
  ProfilingInputs in;
  MicroProfilerOptions options;
  enum class Phase { kLabel, kEvaluate, kTrain, kShift, kDone } phase = Phase::kLabel;
  ShiftEstimate shift;
  LabelledImages pool;  // training data of the profiling runs
  LabelledImages eval;  // held-out slice of the newest window
  int64_t real_train_size = 0;
  int64_t real_validation_size = 0;
  std::map<int, double> start_accuracy;  // by head width
  double deployed_accuracy = 0;
  ValidationScores deployed_scores;  // the deployed model on the held-out slice (for 5a)
  InferenceProfile inference_profile;
  std::vector<Run> runs;
  size_t current = 0;
  std::map<std::string, int64_t> config_samples;  // base id -> n_b

  double Seconds(double flops) const { return options.device.Seconds(flops); }
  std::string Describe() const {
    return "micro-profiling of stream " + std::to_string(in.stream) + " in window " +
           std::to_string(in.window);
  }

  Status BuildData() {
    RetrainingSetOptions real;
    real.base_sample = options.base_sample;
    real.validation_fraction = options.validation_fraction;
    real.seed =
        DeriveSeed(options.seed, {0x5e7, static_cast<uint64_t>(in.stream), static_cast<uint64_t>(in.window)});
    EKYA_ASSIGN_OR_RETURN(RetrainingSet real_set,
                          BuildRetrainingSet(*in.firewall, *in.base_data, in.stream, in.window, real));
    real_train_size = static_cast<int64_t>(real_set.train.size());
    real_validation_size = static_cast<int64_t>(real_set.validation.size());
    EKYA_ASSIGN_OR_RETURN(LabelledImages newest, in.firewall->LabelledSample(in.stream, in.window - 1));
    RetrainingSetOptions prof = real;
    const double n_newest = static_cast<double>(std::max<size_t>(1, newest.size()));
    prof.validation_fraction =
        std::min(0.9, std::max(options.validation_fraction, (options.min_eval + 0.5) / n_newest));
    EKYA_ASSIGN_OR_RETURN(RetrainingSet prof_set,
                          BuildRetrainingSet(*in.firewall, *in.base_data, in.stream, in.window, prof));
    pool = std::move(prof_set.train);
    eval = std::move(prof_set.validation);
    if (eval.size() == 0 || pool.size() == 0) {
      return Status::FailedPrecondition("stream " + std::to_string(in.stream) +
                                        " has no labelled sample to profile on yet");
    }
    return Status::Ok();
  }

  // Groups the profiled bases into runs (same scope, width and run size).
  void PlanRuns() {
    // One run per (scope, head width) that still has a profiled base, at
    // the smallest sample size any base of that family in the config space
    // asks for, profiled or pruned: pruning shrinks the candidates, never
    // grows the run (its cost stays the same from window to window).
    std::map<std::pair<int, int>, int64_t> family_samples;
    for (const RetrainConfig& c : options.configs) {
      const int64_t n = std::max<int64_t>(
          1, static_cast<int64_t>(std::llround(c.data_fraction * static_cast<double>(real_train_size))));
      const int64_t m = std::min<int64_t>(
          static_cast<int64_t>(pool.size()),
          std::max<int64_t>(options.min_samples,
                            static_cast<int64_t>(std::llround(options.fraction * static_cast<double>(n)))));
      auto key = std::make_pair(static_cast<int>(c.scope), c.hidden);
      auto it = family_samples.find(key);
      family_samples[key] = it == family_samples.end() ? m : std::min(it->second, m);
      const std::string base = c.BaseId();
      if (in.bases.count(base)) config_samples[base] = n;
    }
    std::map<std::pair<int, int>, size_t> index;
    for (const RetrainConfig& c : options.configs) {
      const std::string base = c.BaseId();
      if (!in.bases.count(base)) continue;
      auto key = std::make_pair(static_cast<int>(c.scope), c.hidden);
      auto it = index.find(key);
      if (it == index.end()) {
        Run r;
        r.config = c;
        r.config.epochs = options.epochs;
        r.config.learning_rate = options.learning_rate;
        r.config.batch_size = options.profile_batch_size;
        r.run_samples = family_samples.at(key);
        index[key] = runs.size();
        runs.push_back(std::move(r));
        it = index.find(key);
      }
      Run& r = runs[it->second];
      if (std::find(r.bases.begin(), r.bases.end(), base) == r.bases.end()) r.bases.push_back(base);
    }
    for (Run& r : runs) {
      r.config.data_fraction =
          std::min(1.0, static_cast<double>(r.run_samples) / static_cast<double>(pool.size()));
    }
  }

  // Creates every run's TrainingRun (head-only runs on cached features).
  Status CreateRuns() {
    for (size_t i = 0; i < runs.size(); ++i) {
      Run& r = runs[i];
      auto start = in.start_models.find(r.config.hidden);
      if (start == in.start_models.end()) {
        return Status::InvalidArgument("no start model with head width " + std::to_string(r.config.hidden));
      }
      TrainOptions to;
      to.threads = 1;
      to.seed = DeriveSeed(options.seed, {0x9f0f, static_cast<uint64_t>(in.stream),
                                          static_cast<uint64_t>(in.window), static_cast<uint64_t>(i)});
      r.cached = r.config.scope == TrainScope::kHeadOnly;
      to.cache_frozen_features = r.cached;
      EKYA_ASSIGN_OR_RETURN(r.training, TrainingRun::Create(start->second, pool, eval, r.config, to));
      const FlopCount full = start->second.Flops(TrainScope::kAllLayers);
      const FlopCount scoped = start->second.Flops(r.config.scope);
      r.train_seconds_per_sample = Seconds(scoped.train_step);
      r.eval_seconds_per_sample = Seconds(full.forward);
      if (r.cached) {
        // Head-only backward is twice the head's forward (model.h).
        const double head_forward = 0.5 * scoped.backward_trainable;
        r.backbone_seconds_per_sample = Seconds(std::max(0.0, full.forward - head_forward));
        r.step_seconds_per_sample = Seconds(head_forward + scoped.backward_trainable);
        r.eval_step_seconds_per_sample = Seconds(head_forward);
      } else {
        r.step_seconds_per_sample = r.train_seconds_per_sample;
        r.eval_step_seconds_per_sample = r.eval_seconds_per_sample;
      }
      r.run_samples = r.training->subsample_size();
      r.steps_per_epoch = r.training->steps_per_epoch();
    }
    return Status::Ok();
  }

  Result<JobStep> Evaluate() {
    double cost = 0;
    PlanRuns();
    EKYA_RETURN_IF_ERROR(CreateRuns());
    // Start accuracy per head width, from a run that starts from it (the
    // cached run fills its cache here, once).
    std::map<int, ValidationScores> start_scores;
    for (Run& r : runs) {
      if (start_accuracy.count(r.config.hidden)) continue;
      EKYA_ASSIGN_OR_RETURN(start_accuracy[r.config.hidden], r.training->EvaluateNow());
      start_scores[r.config.hidden] = r.training->last_validation_scores();
      cost += r.ChargeNew();
    }
    // The deployed model: evaluated unless it is one of the start models.
    const double deployed_forward = in.deployed.Flops(TrainScope::kAllLayers).forward;
    bool known = false;
    for (const auto& [hidden, model] : in.start_models) {
      if (start_accuracy.count(hidden) && model.SharesWeightsWith(in.deployed)) {
        deployed_accuracy = start_accuracy.at(hidden);
        deployed_scores = start_scores.at(hidden);
        known = true;
        break;
      }
    }
    if (!known) {
      EKYA_ASSIGN_OR_RETURN(ScoredPredictions p, in.deployed.PredictWithConfidence(eval.images, 1));
      deployed_scores = ValidationScores::Of(std::move(p), eval.labels);
      deployed_accuracy = deployed_scores.accuracy();
      cost += Seconds(deployed_forward * static_cast<double>(eval.size()));
    }
    // The inference profile needs no model pass: object continuity from the
    // frames, the class mix from the labelled sample.
    inference_profile = EstimateInferenceProfile(in.last_window_frames, eval.labels, deployed_accuracy);
    return JobStep{JobKind::kProfiling, cost, runs.empty()};
  }

  Result<JobStep> Train() {
    Run& r = runs[current];
    EKYA_ASSIGN_OR_RETURN(bool done, r.training->Step());
    const double cost = r.ChargeNew();
    if (done) {
      r.accuracy_per_epoch = r.training->validation_accuracy_per_epoch();
      if (options.shift != ShiftMethod::kNone) {
        EKYA_ASSIGN_OR_RETURN(r.final_model, r.training->Finish());
        r.final_scores = r.training->best_validation_scores();
      }
      r.training.reset();  // frees the run's data and cache
      ++current;
    }
    return JobStep{JobKind::kProfiling, cost, current >= runs.size()};
  }

  // Step 5a: the deployed model and each run's final model on the new
  // window's arrived frames, against their passes over the held-out slice
  // (already made: the deployed model's evaluation, each run's best epoch).
  // The frames read are spread evenly over those that have arrived, so that
  // they show as many objects as they can.
  Result<JobStep> Shift() {
    EKYA_ASSIGN_OR_RETURN(ImageBatch arrived,
                          in.firewall->ArrivedFrames(in.stream, in.window, std::numeric_limits<int>::max()));
    const size_t want = static_cast<size_t>(std::max(0, options.shift_frames));
    ImageBatch frames;
    frames.rows = arrived.rows;
    frames.cols = arrived.cols;
    const size_t n = arrived.size();
    for (size_t k = 0; k < std::min(want, n); ++k) frames.Append(arrived.image(k * n / std::min(want, n)));
    shift.frames = static_cast<int>(frames.size());
    if (frames.size() == 0) return JobStep{JobKind::kProfiling, 0.0, true};
    double cost = 0;
    auto judge = [&](const Model& model, const ValidationScores& held) -> Result<std::pair<double, double>> {
      EKYA_ASSIGN_OR_RETURN(ScoredPredictions now, model.PredictWithConfidence(frames, 1));
      cost += Seconds(model.Flops(TrainScope::kAllLayers).forward * static_cast<double>(frames.size()));
      EKYA_ASSIGN_OR_RETURN(double estimate,
                            EstimateShiftedAccuracy(options.shift, held.confidence, held.correct, now.confidence));
      return std::make_pair(held.accuracy(), estimate);
    };
    EKYA_ASSIGN_OR_RETURN(auto deployed, judge(in.deployed, deployed_scores));
    shift.deployed_held_out = deployed.first;
    shift.deployed_new = deployed.second;
    for (Run& r : runs) {
      if (!r.final_model.valid() || r.final_scores.correct.empty()) continue;
      EKYA_ASSIGN_OR_RETURN(shift.family[ProfileCalibration::Family(r.config)], judge(r.final_model, r.final_scores));
      r.final_model = Model();
    }
    shift.measured = true;
    return JobStep{JobKind::kProfiling, cost, true};
  }
};

MicroProfilingJob::MicroProfilingJob(ProfilingInputs inputs, const MicroProfilerOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->in = std::move(inputs);
  impl_->options = options;
}

MicroProfilingJob::~MicroProfilingJob() = default;

JobKind MicroProfilingJob::NextKind() const {
  return (impl_->phase == Impl::Phase::kLabel && impl_->in.labelling_seconds > 0) ? JobKind::kLabelling
                                                                                  : JobKind::kProfiling;
}

std::string MicroProfilingJob::Describe() const { return impl_->Describe(); }
int MicroProfilingJob::stream() const { return impl_->in.stream; }
bool MicroProfilingJob::finished() const { return impl_->phase == Impl::Phase::kDone; }

Result<JobStep> MicroProfilingJob::RunStep() {
  Impl& m = *impl_;
  auto fail = [&](const Status& st) { return st.WithContext(m.Describe()); };
  if (m.phase == Impl::Phase::kLabel) {
    Status st = m.BuildData();
    if (!st.ok()) return fail(st);
    m.phase = Impl::Phase::kEvaluate;
    if (m.in.labelling_seconds > 0) return JobStep{JobKind::kLabelling, m.in.labelling_seconds, false};
  }
  // After the profiling runs: the shift step (5a), when asked for.
  auto after_runs = [&](JobStep& step) {
    if (!step.last) return;
    if (m.options.shift == ShiftMethod::kNone) {
      m.phase = Impl::Phase::kDone;
    } else {
      m.phase = Impl::Phase::kShift;
      step.last = false;
    }
  };
  if (m.phase == Impl::Phase::kEvaluate) {
    Result<JobStep> step = m.Evaluate();
    if (!step.ok()) return fail(step.status());
    m.phase = Impl::Phase::kTrain;
    after_runs(*step);
    return step;
  }
  if (m.phase == Impl::Phase::kTrain) {
    Result<JobStep> step = m.Train();
    if (!step.ok()) return fail(step.status());
    after_runs(*step);
    return step;
  }
  if (m.phase == Impl::Phase::kShift) {
    Result<JobStep> step = m.Shift();
    if (!step.ok()) return fail(step.status());
    m.phase = Impl::Phase::kDone;
    return step;
  }
  return Status::FailedPrecondition(m.Describe() + " has already finished");
}

Result<std::vector<BaseProfile>> MicroProfilingJob::BaseProfiles() const {
  const Impl& m = *impl_;
  if (m.phase != Impl::Phase::kDone) return Status::FailedPrecondition(m.Describe() + " has not finished");
  std::vector<BaseProfile> profiles;
  for (const Run& r : m.runs) {
    for (const std::string& base : r.bases) {
      BaseProfile p;
      p.base_id = base;
      p.config_samples = m.config_samples.at(base);
      p.run_samples = r.run_samples;
      p.validation_samples = m.real_validation_size;
      p.run_steps = r.steps_per_epoch;
      p.config_steps = BatchesPerEpoch(p.config_samples, m.options.batch_size);
      p.start_accuracy = m.start_accuracy.count(r.config.hidden) ? m.start_accuracy.at(r.config.hidden) : 0.0;
      p.accuracy_per_epoch = r.accuracy_per_epoch;
      p.seconds_per_sample = r.train_seconds_per_sample;  // the real job's, uncached
      p.eval_seconds_per_sample = r.eval_seconds_per_sample;
      profiles.push_back(std::move(p));
    }
  }
  return profiles;
}

Result<ShiftEstimate> MicroProfilingJob::Shift() const {
  if (impl_->phase != Impl::Phase::kDone)
    return Status::FailedPrecondition(impl_->Describe() + " has not finished");
  return impl_->shift;
}

Result<StreamEstimates> MicroProfilingJob::Estimates() const {
  EKYA_ASSIGN_OR_RETURN(StreamEstimates e, HeldOutEstimates());
  ApplyShift(e, impl_->shift);
  return e;
}

Result<StreamEstimates> MicroProfilingJob::HeldOutEstimates() const {
  const Impl& m = *impl_;
  EKYA_ASSIGN_OR_RETURN(std::vector<BaseProfile> profiles, BaseProfiles());
  StreamEstimates e;
  e.accuracy = m.deployed_accuracy;
  e.inference_profile = m.inference_profile;
  e.all = EstimateConfigs(profiles, m.options.configs, m.options.estimator, m.options.device.startup_seconds,
                          m.options.progress);
  SelectCandidates(e);
  return e;
}

}  // namespace ekya
