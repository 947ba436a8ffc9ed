#include "ekya/microprofile/profile_study.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <tuple>

#include "ekya/common/parallel.h"
#include "ekya/common/rng.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/report/progress.h"
#include "ekya/time/clock.h"
#include "ekya/train/golden_labeller.h"
#include "ekya/train/retraining_set.h"
#include "ekya/train/trainer.h"

namespace ekya {
namespace {

struct NamedEstimator {
  const char* name;
  CurveEstimator estimator;
  ProfileProgress progress;
};
constexpr NamedEstimator kEstimators[] = {
    {"optimus/samples", CurveEstimator::kOptimus, ProfileProgress::kSamples},
    {"optimus/steps", CurveEstimator::kOptimus, ProfileProgress::kSteps},
    {"released/samples", CurveEstimator::kReleased, ProfileProgress::kSamples},
    {"released/steps", CurveEstimator::kReleased, ProfileProgress::kSteps},
};
// The configured estimator with ProfileCalibration.
constexpr const char* kCalibrated = "calibrated";
// With profiler.prior: the configured estimator moved towards the prior
// without calibration, and the prior's ranking alone (weight 1, after the
// calibration as configured).
constexpr const char* kPrior = "prior";
constexpr const char* kPriorRanking = "prior-ranking";
// With profiler.shift: the configured estimator without the shift, and with
// every config moved by the deployed model's shift instead of its run's.
constexpr const char* kUnshifted = "unshifted";
constexpr const char* kShiftedByDeployed = "shifted-by-deployed";


double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double AccuracyOf(const std::vector<int>& predictions, const std::vector<int>& truth) {
  if (truth.empty()) return 0;
  size_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += predictions[i] == truth[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

// A relative cost of training a config, to start the longest jobs first.
double Weight(const RetrainConfig& c) {
  return c.data_fraction * c.epochs * (c.scope == TrainScope::kAllLayers ? 3.0 : 1.0);
}

}  // namespace

Result<ProfileStudy> RunProfileStudy(const DriftBenchmark& bench, const std::map<int, Model>& bases,
                                     const Model& start, const Model& golden,
                                     const ProfileStudyOptions& options) {
  const int S = bench.streams();
  const int W = bench.windows();
  const MicroProfilerOptions& po = options.profiler;
  const int threads = std::max(1, options.threads);
  ManualClock clock(0.0);
  GoldenLabeller labeller(golden, 1);
  EKYA_ASSIGN_OR_RETURN(
      std::unique_ptr<LabelFirewall> firewall,
      LabelFirewall::Create(bench, clock, FirewallOptions::FromBenchmark(bench, options.labels), &labeller));
  GroundTruthScorer scorer(bench);
  std::set<std::string> all_bases;
  for (const RetrainConfig& c : po.configs) all_bases.insert(c.BaseId());

  ProfileStudy study;
  Progress progress("profile",
                    static_cast<int64_t>(W - 1) * S * (1 + static_cast<int64_t>(po.configs.size())));
  int64_t done = 0;
  std::mutex mu;  // guards progress, done and the study's totals
  auto tick = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    progress.Update(++done, what);
  };

  ProfileCalibration calibration;
  // Labels of windows 0..t−1 are available at AvailableAt(t − 1); the
  // shift step (profiler.shift) reads window t's first shift_frames frames,
  // which a run's profiler has by its end (never all of them, so window t's
  // labels stay out of reach).
  const int frames_per_window = bench.options().frames_per_window;
  const double window_seconds = bench.options().window_seconds;
  const int shift_frames =
      po.shift == ShiftMethod::kNone ? 0 : std::min(std::max(0, po.shift_frames), frames_per_window - 1);
  for (int t = 1; t < W; ++t) {
    clock.Set(std::max(firewall->AvailableAt(t - 1),
                       window_seconds * (t + static_cast<double>(shift_frames) / frames_per_window)));
    // Frames of window t (scoring) and the start of window t−1 (inference profile).
    std::vector<ImageBatch> frames(S), last(S);
    std::vector<std::vector<int>> truth(S);
    EKYA_RETURN_IF_ERROR(ParallelFor(S, threads, [&](int s) -> Status {
      EKYA_ASSIGN_OR_RETURN(WindowFrames now, bench.Frames(s, t));
      frames[s] = std::move(now.frames);
      EKYA_ASSIGN_OR_RETURN(truth[s], scorer.TruthLabels(s, t));
      EKYA_ASSIGN_OR_RETURN(WindowFrames before, bench.Frames(s, t - 1));
      const size_t keep =
          std::min(before.frames.size(), static_cast<size_t>(std::max(0, po.inference_frames)));
      last[s].rows = before.frames.rows;
      last[s].cols = before.frames.cols;
      last[s].pixels.assign(before.frames.pixels.begin(),
                            before.frames.pixels.begin() +
                                static_cast<std::ptrdiff_t>(keep * before.frames.pixels_per_image()));
      return Status::Ok();
    }));

    // Labelling happens once per window, before the jobs fan out (the
    // firewall serialises the labeller anyway).
    for (int s = 0; s < S; ++s) EKYA_RETURN_IF_ERROR(firewall->History(s, t).status());

    // Every (stream, task): task 0 is the micro-profiler, task 1 + k trains config k.
    struct Task {
      int stream;
      int config;  // -1: profiling
    };
    std::vector<Task> tasks;
    for (int s = 0; s < S; ++s) {
      tasks.push_back({s, -1});
      for (int k = 0; k < static_cast<int>(po.configs.size()); ++k) tasks.push_back({s, k});
    }
    std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
      const double wa = a.config < 0 ? 0.5 : Weight(po.configs[a.config]);
      const double wb = b.config < 0 ? 0.5 : Weight(po.configs[b.config]);
      return wa > wb;
    });
    std::vector<StreamEstimates> estimates(S), held_estimates(S);
    std::vector<ShiftEstimate> shifts(S);
    std::vector<std::vector<BaseProfile>> base_profiles(S);
    std::vector<double> profiling_cost(S, 0.0);
    std::vector<std::vector<double>> measured_acc(S, std::vector<double>(po.configs.size(), 0.0));
    std::vector<std::vector<double>> measured_cost(S, std::vector<double>(po.configs.size(), 0.0));
    std::vector<std::vector<double>> held_out(S, std::vector<double>(po.configs.size(), 0.0));
    EKYA_RETURN_IF_ERROR(ParallelFor(static_cast<int>(tasks.size()), threads, [&](int i) -> Status {
      const Task task = tasks[i];
      const int s = task.stream;
      if (task.config < 0) {
        ProfilingInputs in;
        in.firewall = firewall.get();
        in.base_data = &bench.BaseTrain();
        in.stream = s;
        in.window = t;
        in.start_models = bases;
        in.deployed = start;
        in.last_window_frames = last[s];
        in.bases = all_bases;
        MicroProfilingJob job(std::move(in), po);
        double cost = 0;
        for (;;) {
          EKYA_ASSIGN_OR_RETURN(JobStep step, job.RunStep());
          cost += step.device_seconds;
          if (step.last) break;
        }
        EKYA_ASSIGN_OR_RETURN(held_estimates[s], job.HeldOutEstimates());
        EKYA_ASSIGN_OR_RETURN(shifts[s], job.Shift());
        estimates[s] = held_estimates[s];
        ApplyShift(estimates[s], shifts[s]);
        EKYA_ASSIGN_OR_RETURN(base_profiles[s], job.BaseProfiles());
        profiling_cost[s] = cost;
        tick("window " + std::to_string(t) + " stream " + std::to_string(s) + " micro-profile");
        return Status::Ok();
      }
      // Full retraining, as a run's retraining job does it.
      RetrainConfig c = po.configs[task.config];
      c.learning_rate = po.learning_rate;
      c.batch_size = po.batch_size;
      auto base = bases.find(c.hidden);
      if (base == bases.end())
        return Status::InvalidArgument("no base model with head width " + std::to_string(c.hidden));
      RetrainingSetOptions so;
      so.base_sample = po.base_sample;
      so.validation_fraction = po.validation_fraction;
      so.seed = DeriveSeed(po.seed, {0x5e7, static_cast<uint64_t>(s), static_cast<uint64_t>(t)});
      EKYA_ASSIGN_OR_RETURN(RetrainingSet set, BuildRetrainingSet(*firewall, bench.BaseTrain(), s, t, so));
      TrainOptions to;
      to.threads = 1;
      to.seed = DeriveSeed(po.seed, {0x7ea1, static_cast<uint64_t>(s), static_cast<uint64_t>(t)});
      Model model = base->second;
      EKYA_ASSIGN_OR_RETURN(TrainResult r,
                            Train(model, std::move(set.train), std::move(set.validation), c, to));
      EKYA_ASSIGN_OR_RETURN(std::vector<int> p, model.Predict(frames[s], 1));
      measured_acc[s][task.config] = AccuracyOf(p, truth[s]);
      held_out[s][task.config] = r.best_validation_accuracy;
      const FlopCount f = base->second.Flops(c.scope);
      measured_cost[s][task.config] =
          po.device.startup_seconds +
          po.device.Seconds(f.train_step) * static_cast<double>(r.samples_processed) +
          po.device.Seconds(f.forward) * static_cast<double>(r.validation_samples);
      tick("window " + std::to_string(t) + " stream " + std::to_string(s) + " " + c.Id());
      return Status::Ok();
    }));

    for (int s = 0; s < S; ++s) {
      EKYA_ASSIGN_OR_RETURN(std::vector<int> p, start.Predict(frames[s], threads));
      // The configured estimator corrected by ProfileCalibration, learnt from
      // earlier windows only (every config's full retraining there).
      StreamEstimates calibrated = estimates[s];
      calibration.Apply(calibrated);
      const StreamEstimates& as_run = po.calibrate ? calibrated : estimates[s];
      // What the profiler of a run would tell the scheduler: the estimates
      // corrected as configured (calibration, the prior).
      StreamEstimates configured = as_run;
      EKYA_RETURN_IF_ERROR(ApplyConfigPrior(configured, po.prior, po.prior_weight));
      ProfileRecord none;
      none.stream = s;
      none.window = t;
      none.config = "none";
      none.predicted_accuracy = configured.accuracy;
      none.predicted_cost_s = 0;
      none.measured_accuracy = AccuracyOf(p, truth[s]);
      none.measured_cost_s = 0;
      study.rows.push_back(none);
      for (size_t k = 0; k < po.configs.size(); ++k) {
        ProfileRecord r;
        r.stream = s;
        r.window = t;
        r.config = po.configs[k].BaseId();
        r.epochs = po.configs[k].epochs;
        for (const ConfigEstimate& e : configured.all) {
          if (e.config.BaseId() == r.config && e.config.epochs == r.epochs) {
            r.predicted_accuracy = e.accuracy;
            r.predicted_cost_s = e.cost_seconds;
          }
        }
        r.measured_accuracy = measured_acc[s][k];
        r.measured_cost_s = measured_cost[s][k];
        study.exhaustive_seconds += measured_cost[s][k];
        study.rows.push_back(r);
        study.held_out.emplace_back(s, t, po.configs[k].BaseId(), po.configs[k].epochs, held_out[s][k]);
      }
      // This stream's rows of the window, with another estimator's predictions.
      // `deployed`: its estimate of the start accuracy (the "none" row).
      auto append_variant = [&](const std::string& name, const std::vector<ConfigEstimate>& predicted,
                                double deployed) {
        std::vector<ProfileRecord>& rows = study.by_estimator[name];
        rows.push_back(none);
        rows.back().predicted_accuracy = deployed;
        for (size_t k = 0; k < po.configs.size(); ++k) {
          ProfileRecord r = study.rows[study.rows.size() - po.configs.size() + k];
          for (const ConfigEstimate& c : predicted) {
            if (c.config.BaseId() == r.config && c.config.epochs == r.epochs) r.predicted_accuracy = c.accuracy;
          }
          rows.push_back(r);
        }
      };
      for (const auto& [name, estimator, progress] : kEstimators) {
        StreamEstimates variant = held_estimates[s];
        variant.all =
            EstimateConfigs(base_profiles[s], po.configs, estimator, po.device.startup_seconds, progress);
        ApplyShift(variant, shifts[s]);
        append_variant(name, variant.all, variant.accuracy);
      }
      append_variant(kCalibrated, calibrated.all, calibrated.accuracy);
      if (!po.prior.empty()) {
        StreamEstimates with_prior = estimates[s];
        EKYA_RETURN_IF_ERROR(ApplyConfigPrior(with_prior, po.prior, po.prior_weight));
        append_variant(kPrior, with_prior.all, with_prior.accuracy);
        StreamEstimates ranking = as_run;
        EKYA_RETURN_IF_ERROR(ApplyConfigPrior(ranking, po.prior, 1.0));
        append_variant(kPriorRanking, ranking.all, ranking.accuracy);
      }
      if (shifts[s].measured) {
        // Without the shift, and with every config moved as the deployed model moved.
        append_variant(kUnshifted, held_estimates[s].all, held_estimates[s].accuracy);
        StreamEstimates by_deployed = held_estimates[s];
        ShiftEstimate deployed_only = shifts[s];
        for (auto& [family, moved] : deployed_only.family) {
          moved = {shifts[s].deployed_held_out, shifts[s].deployed_new};
        }
        ApplyShift(by_deployed, deployed_only);
        append_variant(kShiftedByDeployed, by_deployed.all, by_deployed.accuracy);
      }
      // The measured inference profile: the start model on window t's frames
      // at each analysed fraction (credit sampler, carried predictions).
      for (int step = 1; step <= 20; ++step) {
        const double f = step / 20.0;
        CreditSampler sampler(f);
        int carried = -1;
        size_t correct = 0;
        for (size_t i = 0; i < p.size(); ++i) {
          if (sampler.Next()) carried = p[i];
          correct += (carried == truth[s][i]) ? 1 : 0;
        }
        study.inference.push_back({s, t, f, p.empty() ? 0.0 : static_cast<double>(correct) / p.size()});
      }
      study.profiling_seconds += profiling_cost[s];
      study.profiler_costs.emplace_back(s, t, profiling_cost[s]);
    }
    // What this window teaches the calibration, for the windows after it.
    for (int s = 0; s < S; ++s) {
      for (const ConfigEstimate& c : held_estimates[s].all) {
        for (size_t k = 0; k < po.configs.size(); ++k) {
          if (po.configs[k].Id() == c.config.Id()) {
            calibration.Record(ProfileCalibration::Family(c.config), held_out[s][k] - c.accuracy);
          }
        }
      }
    }
  }
  progress.Finish();
  return study;
}

std::string ProfilerCostsCsv(const ProfileStudy& study) {
  std::string out = "stream,window,seconds\n";
  char buf[64];
  for (const auto& [s, t, seconds] : study.profiler_costs) {
    std::snprintf(buf, sizeof buf, "%d,%d,%.6g\n", s, t, seconds);
    out += buf;
  }
  return out;
}

ProfilerQuality AssessProfiles(const std::vector<ProfileRecord>& rows) {
  ProfilerQuality q;
  std::map<std::pair<int, int>, const ProfileRecord*> none;
  for (const ProfileRecord& r : rows) {
    if (r.config == "none") none[{r.stream, r.window}] = &r;
  }
  std::vector<double> errors, naive_errors, cost_errors;
  // Gains seen so far: (stream, config, epochs) -> gains of earlier windows.
  std::map<std::tuple<int, std::string, int>, std::vector<std::pair<int, double>>> gains;
  for (const ProfileRecord& r : rows) {
    if (r.config == "none" || !r.measured_accuracy) continue;
    auto n = none.find({r.stream, r.window});
    if (n != none.end() && n->second->measured_accuracy) {
      gains[{r.stream, r.config, r.epochs}].push_back(
          {r.window, *r.measured_accuracy - *n->second->measured_accuracy});
    }
  }
  std::map<std::tuple<int, int, int>, std::vector<const ProfileRecord*>> groups;
  for (const ProfileRecord& r : rows) {
    if (r.config == "none" || !r.measured_accuracy) continue;
    ++q.pairs;
    errors.push_back(std::abs(r.predicted_accuracy - *r.measured_accuracy));
    if (r.measured_cost_s && *r.measured_cost_s > 0) {
      cost_errors.push_back(std::abs(r.predicted_cost_s - *r.measured_cost_s) / *r.measured_cost_s);
    }
    auto n = none.find({r.stream, r.window});
    if (n != none.end()) {
      double sum = 0;
      int count = 0;
      for (const auto& [w, g] : gains[{r.stream, r.config, r.epochs}]) {
        if (w < r.window) {
          sum += g;
          ++count;
        }
      }
      const double naive = n->second->predicted_accuracy + (count > 0 ? sum / count : 0.0);
      naive_errors.push_back(std::abs(naive - *r.measured_accuracy));
    }
    groups[{r.stream, r.window, r.epochs}].push_back(&r);
  }
  q.median_abs_error = Median(errors);
  q.naive_median_abs_error = Median(naive_errors);
  q.median_cost_error = Median(cost_errors);
  int hits = 0;
  double regret = 0;
  for (const auto& [key, members] : groups) {
    const ProfileRecord* predicted_best = members.front();
    double true_best = -1;
    for (const ProfileRecord* r : members) {
      if (r->predicted_accuracy > predicted_best->predicted_accuracy) predicted_best = r;
      true_best = std::max(true_best, *r->measured_accuracy);
    }
    const double got = *predicted_best->measured_accuracy;
    hits += got >= true_best - 0.005 ? 1 : 0;
    regret += true_best - got;
  }
  q.groups = static_cast<int>(groups.size());
  if (q.groups > 0) {
    q.top1_hit_rate = static_cast<double>(hits) / q.groups;
    q.mean_regret = regret / q.groups;
  }
  return q;
}

std::string ProfileStudyTable(const ProfileStudy& study, const ProfilerQuality& q, int streams, int windows,
                              double window_seconds) {
  char buf[2048];
  const double per_window = (windows > 1) ? study.profiling_seconds / (windows - 1) : 0;
  std::snprintf(buf, sizeof buf,
                "Micro-profiler against exhaustive profiling (%d streams, windows 1..%d)\n"
                "  pairs compared                    %d\n"
                "  median |predicted - measured| acc %.4f   (naive predictor: %.4f, ratio %.2f)\n"
                "  top-ranked config truly best      %.1f%% of %d (stream, window, epochs) groups\n"
                "  mean regret of the top-ranked     %.4f\n"
                "  median relative cost error        %.4f\n"
                "  profiling device-seconds          %.1f (%.1f per window = %.1f%% of one device's window)\n"
                "  exhaustive device-seconds         %.1f (%.0fx the micro-profiler)\n"
                "median_abs_error=%.4f\ntop1_hit_rate=%.3f\nmean_regret=%.4f\nnaive_median_abs_error=%.4f\n"
                "profiling_share_of_window=%.4f\nexhaustive_over_profiling=%.1f\n",
                streams, windows - 1, q.pairs, q.median_abs_error, q.naive_median_abs_error,
                q.naive_median_abs_error > 0 ? q.median_abs_error / q.naive_median_abs_error : 0.0,
                100.0 * q.top1_hit_rate, q.groups, q.mean_regret, q.median_cost_error,
                study.profiling_seconds, per_window, 100.0 * per_window / window_seconds,
                study.exhaustive_seconds,
                study.profiling_seconds > 0 ? study.exhaustive_seconds / study.profiling_seconds : 0.0,
                q.median_abs_error, q.top1_hit_rate, q.mean_regret, q.naive_median_abs_error,
                per_window / window_seconds,
                study.profiling_seconds > 0 ? study.exhaustive_seconds / study.profiling_seconds : 0.0);
  return buf;
}

std::string HeldOutCsv(const ProfileStudy& study) {
  std::string out = "stream,window,config,epochs,held_out_accuracy\n";
  char buf[256];
  for (const auto& [stream, window, base, epochs, accuracy] : study.held_out) {
    std::snprintf(buf, sizeof buf, "%d,%d,%s,%d,%.4f\n", stream, window, base.c_str(), epochs, accuracy);
    out += buf;
  }
  return out;
}

namespace {

// One line per estimator of the study, in name order: fmt gets the name, the
// median error, the top-1 rate (scaled by top1_scale) and the regret.
std::string EstimatorLines(const ProfileStudy& study, const char* fmt, double top1_scale) {
  std::string out;
  char buf[256];
  for (const auto& [name, rows] : study.by_estimator) {
    const ProfilerQuality q = AssessProfiles(rows);
    std::snprintf(buf, sizeof buf, fmt, name.c_str(), q.median_abs_error, top1_scale * q.top1_hit_rate,
                  q.mean_regret);
    out += buf;
  }
  return out;
}

}  // namespace

std::string EstimatorsCsv(const ProfileStudy& study) {
  return "estimator,median_abs_error,top1_hit_rate,mean_regret\n" +
         EstimatorLines(study, "%s,%.4f,%.4f,%.4f\n", 1.0);
}

std::string EstimatorsTable(const ProfileStudy& study) {
  return "Estimators on the same micro-profiles (profiler.estimator/profiler.progress)\n" +
         EstimatorLines(study, "  %-18s median |err| %.4f   top-1 %.1f%%   regret %.4f\n", 100.0);
}

}  // namespace ekya
