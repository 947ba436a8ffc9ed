#include "ekya/drift/drift_study.h"

#include <cmath>
#include <mutex>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "ekya/common/parallel.h"
#include "ekya/common/rng.h"
#include "ekya/data/label_firewall.h"
#include "ekya/report/progress.h"
#include "ekya/time/clock.h"
#include "ekya/train/retraining_set.h"
#include "ekya/train/trainer.h"

namespace ekya {
namespace {

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double AccuracyOf(const std::vector<int>& predictions, const std::vector<int>& truth) {
  if (truth.empty()) return 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) correct += predictions[i] == truth[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

}  // namespace

Result<DriftReport> MeasureDrift(const DriftBenchmark& bench, const Model& base, const Model& golden,
                                 const DriftStudyOptions& options) {
  const int S = bench.streams();
  const int W = bench.windows();
  if (S < 2) return Status::InvalidArgument("ekya drift needs streams >= 2 (for the specialisation gap)");
  if (W < 3) return Status::InvalidArgument("ekya drift needs windows >= 3 (for the stale and retrain-once gaps)");
  if (!base.valid() || !golden.valid()) return Status::InvalidArgument("ekya drift needs a base and a golden model");
  Stopwatch watch;
  const int threads = std::max(1, options.threads);

  DriftReport report;
  report.streams = S;
  report.windows = W;
  report.seed = options.seed;
  auto grid = [&]() { return std::vector<std::vector<double>>(S, std::vector<double>(W, 0.0)); };
  report.noretrain = grid();
  report.retrained = grid();
  report.golden = grid();
  report.appearance.assign(S, std::vector<std::string>(W));

  // Render every window once, with its ground truth (scoring only).
  GroundTruthScorer scorer(bench);
  std::vector<std::vector<ImageBatch>> frames(S, std::vector<ImageBatch>(W));
  std::vector<std::vector<std::vector<int>>> truth(S, std::vector<std::vector<int>>(W));
  EKYA_RETURN_IF_ERROR(ParallelFor(S * W, threads, [&](int k) -> Status {
    int s = k / W, t = k % W;
    EKYA_ASSIGN_OR_RETURN(WindowFrames wf, bench.Frames(s, t));
    frames[s][t] = std::move(wf.frames);
    report.appearance[s][t] = wf.appearance.ToString();
    EKYA_ASSIGN_OR_RETURN(truth[s][t], scorer.TruthLabels(s, t));
    return Status::Ok();
  }));

  // The base and golden models on every window t >= 1.
  EKYA_ASSIGN_OR_RETURN(report.base_model_clean_accuracy, base.Accuracy(bench.BaseTest(), threads));
  EKYA_RETURN_IF_ERROR(ParallelFor(S * (W - 1), threads, [&](int k) -> Status {
    int s = k / (W - 1), t = 1 + k % (W - 1);
    EKYA_ASSIGN_OR_RETURN(std::vector<int> p, base.Predict(frames[s][t], 1));
    report.noretrain[s][t] = AccuracyOf(p, truth[s][t]);
    EKYA_ASSIGN_OR_RETURN(std::vector<int> g, golden.Predict(frames[s][t], 1));
    report.golden[s][t] = AccuracyOf(g, truth[s][t]);
    return Status::Ok();
  }));

  // Retrain M[s][t] on history 0..t−1 for every stream and window t >= 1.
  std::vector<std::vector<Model>> models(S, std::vector<Model>(W));
  const int jobs = S * (W - 1);
  Progress progress("drift: retraining " + options.config.Id(), jobs);
  std::mutex progress_mu;  // guards progress and finished
  int finished = 0;
  EKYA_RETURN_IF_ERROR(ParallelFor(jobs, threads, [&](int k) -> Status {
    // Later windows have more history; run them first so the tail is short.
    int s = k % S, t = W - 1 - k / S;
    std::string where = "stream " + std::to_string(s) + ", window " + std::to_string(t);
    // Labels of windows 0..t−1 exist once window t−1 has ended.
    ManualClock clock(0);
    clock.Set(t * bench.options().window_seconds + bench.options().labelling_delay_seconds);
    EKYA_ASSIGN_OR_RETURN(
        std::unique_ptr<LabelFirewall> firewall,
        LabelFirewall::Create(bench, clock, FirewallOptions::FromBenchmark(bench, LabelSource::kGroundTruth)));
    RetrainingSetOptions set_options;
    set_options.base_sample = options.base_sample;
    set_options.validation_fraction = options.validation_fraction;
    set_options.seed = options.seed;
    EKYA_ASSIGN_OR_RETURN(RetrainingSet set, BuildRetrainingSet(*firewall, bench.BaseTrain(), s, t, set_options));
    Rng rng(DeriveSeed(options.seed, {0x64726966ULL, static_cast<uint64_t>(s), static_cast<uint64_t>(t)}));

    TrainOptions topts;
    topts.threads = 1;
    topts.seed = rng.NextU64();
    Model model = base.Clone();
    auto result = Train(model, std::move(set.train), std::move(set.validation), options.config, topts);
    if (!result.ok()) return result.status().WithContext(where);
    models[s][t] = std::move(model);
    std::lock_guard<std::mutex> lock(progress_mu);
    progress.Update(++finished, where);
    return Status::Ok();
  }));
  progress.Finish();

  // Score every retrained model on the windows the gaps need.
  std::vector<std::vector<std::vector<double>>> cross(
      S, std::vector<std::vector<double>>(W, std::vector<double>(S, 0.0)));  // [s][t][model stream]
  std::vector<std::vector<double>> stale = grid(), once = grid();
  EKYA_RETURN_IF_ERROR(ParallelFor(S * (W - 1), threads, [&](int k) -> Status {
    int s = k / (W - 1), t = 1 + k % (W - 1);
    for (int m = 0; m < S; ++m) {
      EKYA_ASSIGN_OR_RETURN(std::vector<int> p, models[m][t].Predict(frames[s][t], 1));
      cross[s][t][m] = AccuracyOf(p, truth[s][t]);
    }
    report.retrained[s][t] = cross[s][t][s];
    if (t >= 2) {
      EKYA_ASSIGN_OR_RETURN(std::vector<int> p1, models[s][t - 1].Predict(frames[s][t], 1));
      stale[s][t] = AccuracyOf(p1, truth[s][t]);
      EKYA_ASSIGN_OR_RETURN(std::vector<int> p2, models[s][1].Predict(frames[s][t], 1));
      once[s][t] = AccuracyOf(p2, truth[s][t]);
    }
    return Status::Ok();
  }));

  std::vector<double> noretrain, best, golden_acc, stale_gap, spec_gap, once_gap;
  for (int s = 0; s < S; ++s) {
    for (int t = 1; t < W; ++t) {
      noretrain.push_back(report.noretrain[s][t]);
      best.push_back(report.retrained[s][t]);
      golden_acc.push_back(report.golden[s][t]);
      for (int m = 0; m < S; ++m) {
        if (m != s) spec_gap.push_back(cross[s][t][s] - cross[s][t][m]);
      }
      if (t >= 2) {
        stale_gap.push_back(report.retrained[s][t] - stale[s][t]);
        once_gap.push_back(report.retrained[s][t] - once[s][t]);
      }
    }
  }
  report.noretrain_model_accuracy = Mean(noretrain);
  report.best_retraining_accuracy = Mean(best);
  report.golden_accuracy_drifted = Mean(golden_acc);
  report.stale_gap = Mean(stale_gap);
  report.specialisation_gap = Mean(spec_gap);
  report.retrain_once_gap = Mean(once_gap);
  report.seconds = watch.ElapsedSeconds();
  return report;
}

std::vector<std::string> DriftReport::FailedFloors() const {
  std::vector<std::string> failed;
  char buf[256];
  double drop = base_model_clean_accuracy - noretrain_model_accuracy;
  auto check = [&](bool ok, const char* fmt, double a, double b) {
    if (!ok) {
      std::snprintf(buf, sizeof buf, fmt, a, b);
      failed.push_back(buf);
    }
  };
  check(drop >= 0.20, "clean - noretrain = %.3f, floor %.2f", drop, 0.20);
  double won_back = drop > 0 ? (best_retraining_accuracy - noretrain_model_accuracy) / drop : 0;
  check(won_back >= 2.0 / 3.0, "best retraining wins back %.3f of the drop, floor %.3f", won_back, 2.0 / 3.0);
  check(stale_gap >= 0.03, "stale_gap = %.3f, floor %.2f", stale_gap, 0.03);
  check(specialisation_gap >= 0.05, "specialisation_gap = %.3f, floor %.2f", specialisation_gap, 0.05);
  check(retrain_once_gap >= 0.05, "retrain_once_gap = %.3f, floor %.2f", retrain_once_gap, 0.05);
  check(golden_accuracy_drifted >= base_model_clean_accuracy - 0.10,
        "golden on drifted frames = %.3f, floor %.3f", golden_accuracy_drifted, base_model_clean_accuracy - 0.10);
  return failed;
}

std::string DriftReport::ToJson() const {
  nlohmann::ordered_json j;
  j["base_model_clean_accuracy"] = base_model_clean_accuracy;
  j["noretrain_model_accuracy"] = noretrain_model_accuracy;
  j["best_retraining_accuracy"] = best_retraining_accuracy;
  j["stale_gap"] = stale_gap;
  j["specialisation_gap"] = specialisation_gap;
  j["retrain_once_gap"] = retrain_once_gap;
  j["golden_accuracy_drifted"] = golden_accuracy_drifted;
  j["streams"] = streams;
  j["windows"] = windows;
  j["seed"] = seed;
  return j.dump(2) + "\n";
}

std::string DriftReport::ToWindowsCsv() const {
  std::ostringstream out;
  out << "stream,window,appearance,noretrain_accuracy,retrained_accuracy,golden_accuracy\n";
  char line[160];
  for (int s = 0; s < streams; ++s) {
    for (int t = 1; t < windows; ++t) {
      std::snprintf(line, sizeof line, "%d,%d,%s,%.6f,%.6f,%.6f\n", s, t, appearance[s][t].c_str(), noretrain[s][t],
                    retrained[s][t], golden[s][t]);
      out << line;
    }
  }
  return out.str();
}

std::string DriftReport::ToTable() const {
  std::ostringstream out;
  char line[256];
  out << "Drift benchmark: " << streams << " streams x " << windows << " windows, seed " << seed << "\n";
  out << "stream window appearance        noretrain retrained golden\n";
  for (int s = 0; s < streams; ++s) {
    for (int t = 1; t < windows; ++t) {
      std::snprintf(line, sizeof line, "%6d %6d %-17s %9.3f %9.3f %6.3f\n", s, t, appearance[s][t].c_str(),
                    noretrain[s][t], retrained[s][t], golden[s][t]);
      out << line;
    }
  }
  double drop = base_model_clean_accuracy - noretrain_model_accuracy;
  auto row = [&](const char* name, double v, const std::string& floor) {
    std::snprintf(line, sizeof line, "%-28s %7.3f   %s\n", name, v, floor.c_str());
    out << line;
  };
  char f[128];
  out << "\nmetric                          value   floor\n";
  row("base_model_clean_accuracy", base_model_clean_accuracy, "");
  std::snprintf(f, sizeof f, "<= %.3f (clean - 0.20)", base_model_clean_accuracy - 0.20);
  row("noretrain_model_accuracy", noretrain_model_accuracy, f);
  std::snprintf(f, sizeof f, ">= %.3f (wins back 2/3 of %.3f)", noretrain_model_accuracy + drop * 2.0 / 3.0, drop);
  row("best_retraining_accuracy", best_retraining_accuracy, f);
  row("stale_gap", stale_gap, ">= 0.030");
  row("specialisation_gap", specialisation_gap, ">= 0.050");
  row("retrain_once_gap", retrain_once_gap, ">= 0.050");
  std::snprintf(f, sizeof f, ">= %.3f (clean - 0.10)", base_model_clean_accuracy - 0.10);
  row("golden_accuracy_drifted", golden_accuracy_drifted, f);
  auto failed = FailedFloors();
  out << (failed.empty() ? "all floors hold" : "FLOORS NOT MET:") << "\n";
  for (const auto& f2 : failed) out << "  " << f2 << "\n";
  std::snprintf(line, sizeof line, "measured in %.1f s\n", seconds);
  out << line;
  return out.str();
}

}  // namespace ekya
