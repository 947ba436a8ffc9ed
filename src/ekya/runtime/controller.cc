#include "ekya/runtime/controller.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "ekya/common/log.h"

namespace ekya {

Result<OnCompletion> ParseOnCompletion(const std::string& text) {
  if (text == "to_inference") return OnCompletion::kToInference;
  if (text == "replan") return OnCompletion::kReplan;
  return Status::InvalidArgument("on_completion: '" + text +
                                 "' is not allowed; allowed: to_inference, replan");
}

struct Controller::StreamRun {
  double inference_share = 0;
  std::optional<RetrainConfig> config;  // planned at the window's start
  double planned_inference = 0;
  double planned_retrain = 0;
  bool job_running = false;
  std::optional<RetrainConfig> running_config;
  JobKind job_kind = JobKind::kRetraining;
  double job_share = 0;
  bool retrained = false;        // a job finished or failed this window
  std::unique_ptr<Job> pending;  // finished; swapped in at the next chunk start
  std::optional<double> done_s;
  std::optional<double> accuracy_after;
  double accuracy_before = 0;
  double accuracy_sum = 0;
  int chunks_scored = 0;
  std::map<JobKind, double> last_share;  // last recorded share per job kind
  bool profiling = false;                // the step job running is the micro-profiler
  std::optional<double> measured_cost;   // work of the retraining job that finished
  StreamEstimates estimates;
  std::vector<ProfileRecord> profile_rows;  // this window's predictions
};

Result<std::unique_ptr<Controller>> Controller::Create(const ControllerOptions& options, Clock& clock,
                                                       Executor& executor, Workload& workload,
                                                       const Policy& policy, RunSink& sink) {
  if (options.streams < 1) return Status::InvalidArgument("streams must be >= 1");
  if (options.windows < 1) return Status::InvalidArgument("windows must be >= 1");
  if (options.chunks < 1) return Status::InvalidArgument("chunks must be >= 1");
  if (options.devices < 1) return Status::InvalidArgument("devices must be >= 1");
  if (!(options.window_seconds > 0)) return Status::InvalidArgument("window_seconds must be > 0");
  if (!(options.r_max > 0) || options.r_max > 1) {
    return Status::InvalidArgument("inference.r_max must be in (0, 1]");
  }
  if (!(options.profiler_share > 0) || options.profiler_share > 1) {
    return Status::InvalidArgument("profiler.share must be in (0, 1]");
  }
  auto c = std::unique_ptr<Controller>(new Controller(options, clock, executor, workload, policy, sink));
  c->device_of_ = PlaceRoundRobin(options.streams, options.devices);
  c->model_version_.assign(options.streams, 0);
  return c;
}

Status Controller::Run() {
  for (int t = 0; t < options_.windows; ++t) {
    Status st = RunWindow(t);
    if (!st.ok()) return st.WithContext("window " + std::to_string(t));
  }
  return Status::Ok();
}

Status Controller::RunWindow(int t) {
  const int S = options_.streams;
  const int C = options_.chunks;
  const double P = options_.window_seconds;
  const double t0 = P * t;
  clock_.SleepUntil(t0);
  sink_.OnProgress(t, options_.windows, -1, "window start");
  EKYA_RETURN_IF_ERROR(workload_.BeginWindow(t));

  std::vector<StreamRun> runs(S);
  std::vector<int> on_device(options_.devices, 0);
  for (int s = 0; s < S; ++s) on_device[device_of_[s]]++;

  auto now_s = [&]() { return clock_.NowSeconds() - t0; };
  auto record = [&](int s, JobKind kind, double share, const std::string& reason) {
    auto it = runs[s].last_share.find(kind);
    if (it != runs[s].last_share.end() && it->second == share && reason != "window_end") return;
    runs[s].last_share[kind] = share;
    sink_.OnAllocation({t, now_s(), s, kind, device_of_[s], share, reason});
  };
  auto set_inference = [&](int s, double share, const std::string& reason) -> Status {
    EKYA_RETURN_IF_ERROR(executor_.SetInference(s, device_of_[s], share));
    runs[s].inference_share = share;
    record(s, JobKind::kInference, share, reason);
    return Status::Ok();
  };

  // 1–2. The deployed models' accuracy, and inference on a fair split.
  for (int s = 0; s < S; ++s) {
    EKYA_ASSIGN_OR_RETURN(runs[s].accuracy_before, workload_.DeployedAccuracy(s));
    EKYA_RETURN_IF_ERROR(set_inference(s, 1.0 / on_device[device_of_[s]], "window_start"));
    runs[s].planned_inference = runs[s].inference_share;
  }

  auto snapshot = [&](bool replan) {
    Snapshot snap;
    snap.window = t;
    snap.window_seconds = P;
    snap.time_s = now_s();
    snap.devices = options_.devices;
    snap.r_max = options_.r_max;
    snap.replan = replan;
    snap.configs = options_.configs;
    for (int s = 0; s < S; ++s) {
      StreamState st;
      st.stream = s;
      st.device = device_of_[s];
      if (runs[s].job_running) {
        st.running = runs[s].running_config;
        st.running_remaining_seconds = executor_.RemainingKnownWork(s);
      }
      st.retrained_this_window = runs[s].retrained;
      st.accuracy = runs[s].estimates.accuracy;
      st.inference_profile = runs[s].estimates.inference_profile;
      st.candidates = runs[s].estimates.candidates;
      // Current shares matter only to a re-plan; a window's plan starts afresh.
      st.inference_share = replan ? runs[s].inference_share : 0.0;
      st.retrain_share = (replan && runs[s].job_running) ? runs[s].job_share : 0.0;
      snap.streams.push_back(std::move(st));
    }
    return snap;
  };

  // Asks the policy and applies its allocation; `reason` labels the rows.
  auto plan = [&](bool replan) -> Status {
    const Snapshot snap = snapshot(replan);
    Stopwatch watch;
    Result<Allocation> decided = policy_.Decide(snap);
    const double seconds = watch.ElapsedSeconds();
    sink_.OnDecision({t, now_s(), replan, seconds, &snap});
    if (!decided.ok()) return decided.status().WithContext("policy " + policy_.spec());
    const Allocation& alloc = *decided;
    Status valid = ValidateAllocation(snap, alloc);
    if (!valid.ok()) return valid.WithContext("policy " + policy_.spec() + " returned an invalid allocation");
    const std::string reason = replan ? "replan" : "plan";
    std::fill(on_device.begin(), on_device.end(), 0);
    for (int s = 0; s < S; ++s) {
      device_of_[s] = alloc.streams[s].device;
      on_device[device_of_[s]]++;
    }
    for (int s = 0; s < S; ++s) {
      const StreamAllocation& a = alloc.streams[s];
      StreamRun& r = runs[s];
      EKYA_RETURN_IF_ERROR(set_inference(s, a.inference_share, reason));
      if (r.job_running) {
        if (a.retrain_share != r.job_share) {
          EKYA_RETURN_IF_ERROR(executor_.SetJobShare(s, a.retrain_share));
          r.job_share = a.retrain_share;
          record(s, r.job_kind, r.job_share, reason);
        }
      } else if (a.retrain.has_value() && !r.retrained) {
        EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Job> job, workload_.MakeRetrainingJob(s, *a.retrain));
        r.job_kind = job->NextKind();
        EKYA_RETURN_IF_ERROR(executor_.StartJob(s, a.retrain_share, std::move(job)));
        r.job_running = true;
        r.running_config = a.retrain;
        r.job_share = a.retrain_share;
        if (!replan) r.config = a.retrain;
        record(s, r.job_kind, r.job_share, reason);
      }
      if (!replan) {
        r.planned_inference = a.inference_share;
        r.planned_retrain = a.retrain.has_value() ? a.retrain_share : 0.0;
      }
    }
    return Status::Ok();
  };

  // 3. The micro-profiler, then the policy's plan for the window.
  int profiling_left = 0;
  if (t >= 1 && policy_.NeedsEstimates()) {
    for (int s = 0; s < S; ++s) {
      const int n = on_device[device_of_[s]];
      EKYA_RETURN_IF_ERROR(set_inference(s, (1.0 - options_.profiler_share) / n, "profile"));
      EKYA_ASSIGN_OR_RETURN(std::unique_ptr<Job> job, workload_.MakeProfilingJob(s));
      StreamRun& r = runs[s];
      r.job_kind = job->NextKind();
      r.job_share = options_.profiler_share / n;
      EKYA_RETURN_IF_ERROR(executor_.StartJob(s, r.job_share, std::move(job)));
      r.job_running = true;
      r.profiling = true;
      record(s, r.job_kind, r.job_share, "profile");
      ++profiling_left;
    }
  } else if (t >= 1) {
    EKYA_RETURN_IF_ERROR(plan(/*replan=*/false));
  }

  // A profiling job ended (done or failed): its estimates are kept and its
  // share goes to the stream's own inference until the plan.
  auto end_profiling = [&](const JobEvent& e) -> Status {
    StreamRun& r = runs[e.stream];
    std::unique_ptr<Job> job = executor_.TakeJob(e.stream);
    r.job_running = false;
    r.profiling = false;
    if (e.type == JobEvent::Type::kDone) {
      EKYA_ASSIGN_OR_RETURN(r.estimates, workload_.Estimates(e.stream, *job));
      record(e.stream, r.job_kind, 0.0, "profiled");
      for (const ConfigEstimate& c : r.estimates.all) {
        ProfileRecord p;
        p.stream = e.stream;
        p.window = t;
        p.config = c.config.BaseId();
        p.epochs = c.config.epochs;
        p.predicted_accuracy = c.accuracy;
        p.predicted_cost_s = c.cost_seconds;
        r.profile_rows.push_back(p);
      }
      if (!std::isnan(r.estimates.accuracy)) {
        for (const auto& [fraction, factor] : r.estimates.inference_profile.points) {
          sink_.OnInferenceProfile({e.stream, t, fraction, r.estimates.accuracy * factor});
        }
      }
    } else {
      EKYA_LOG_WARN(
          "window {} stream {}: micro-profiling failed, the stream is planned without estimates: {}", t,
          e.stream, e.error.ToString());
      record(e.stream, r.job_kind, 0.0, "failed");
    }
    // The freed share speeds up the device's other profiling jobs (the plan
    // waits for all of them); the last one's goes to its own inference.
    const double freed = r.job_share;
    r.job_share = 0;
    if (--profiling_left == 0) return plan(/*replan=*/false);
    std::vector<int> others;
    for (int s = 0; s < S; ++s) {
      if (runs[s].profiling && device_of_[s] == device_of_[e.stream]) others.push_back(s);
    }
    if (others.empty()) return set_inference(e.stream, r.inference_share + freed, "profiled");
    for (int s : others) {
      runs[s].job_share += freed / static_cast<double>(others.size());
      EKYA_RETURN_IF_ERROR(executor_.SetJobShare(s, runs[s].job_share));
      record(s, runs[s].job_kind, runs[s].job_share, "profiled");
    }
    return Status::Ok();
  };

  // Hands out the shares of jobs that ended at this moment.
  auto handle_events = [&](const std::vector<JobEvent>& events) -> Status {
    std::vector<double> freed(options_.devices, 0.0);
    bool any_freed = false;
    for (const JobEvent& e : events) {
      StreamRun& r = runs[e.stream];
      if (r.profiling && e.type != JobEvent::Type::kPhase) {
        EKYA_RETURN_IF_ERROR(end_profiling(e));
        continue;
      }
      if (e.type == JobEvent::Type::kPhase) {
        const std::string reason = r.job_kind == JobKind::kLabelling ? "labelled" : "phase";
        record(e.stream, r.job_kind, 0.0, reason);
        r.job_kind = e.kind;
        record(e.stream, r.job_kind, r.job_share, reason);
        continue;
      }
      std::unique_ptr<Job> job = executor_.TakeJob(e.stream);
      r.job_running = false;
      r.retrained = true;
      if (e.type == JobEvent::Type::kDone) {
        r.pending = std::move(job);
        r.measured_cost = e.work_seconds;
        r.done_s = e.time - t0;
        record(e.stream, r.job_kind, 0.0, "done");
      } else {
        EKYA_LOG_WARN("window {} stream {}: retraining failed, the stream keeps its model: {}", t, e.stream,
                      e.error.ToString());
        record(e.stream, r.job_kind, 0.0, "failed");
      }
      freed[device_of_[e.stream]] += r.job_share;
      r.job_share = 0;
      any_freed = true;
    }
    if (!any_freed) return Status::Ok();
    if (options_.on_completion == OnCompletion::kReplan) return plan(/*replan=*/true);
    for (int s = 0; s < S; ++s) {
      const int d = device_of_[s];
      if (freed[d] > 0) {
        EKYA_RETURN_IF_ERROR(set_inference(s, runs[s].inference_share + freed[d] / on_device[d], "handout"));
      }
    }
    return Status::Ok();
  };

  auto deploy_pending = [&]() -> Status {
    for (int s = 0; s < S; ++s) {
      StreamRun& r = runs[s];
      if (!r.pending) continue;
      Result<double> acc = workload_.Deploy(s, *r.pending);
      if (!acc.ok()) return acc.status().WithContext("stream " + std::to_string(s));
      r.accuracy_after = *acc;
      model_version_[s]++;
      r.pending.reset();
    }
    return Status::Ok();
  };

  // 4. Chunk by chunk.
  for (int c = 0; c < C; ++c) {
    const double chunk_start = t0 + P * c / C;
    const double chunk_end = t0 + P * (c + 1) / C;
    EKYA_RETURN_IF_ERROR(deploy_pending());
    std::vector<double> shares(S);
    int retraining = 0;
    for (int s = 0; s < S; ++s) {
      shares[s] = runs[s].inference_share;
      retraining += runs[s].job_running ? 1 : 0;
    }
    sink_.OnProgress(t, options_.windows, -1,
                     "chunk " + std::to_string(c + 1) + "/" + std::to_string(C) + ", " +
                         std::to_string(retraining) + " retraining");
    EKYA_ASSIGN_OR_RETURN(std::vector<ChunkScore> scores, workload_.InferChunk(c, shares));
    if (static_cast<int>(scores.size()) != S)
      return Status::Internal("the workload scored the wrong number of streams");
    for (int s = 0; s < S; ++s) {
      ChunkRecord rec;
      rec.stream = s;
      rec.window = t;
      rec.chunk = c;
      rec.time_s = chunk_start - t0;
      rec.model_version = model_version_[s];
      rec.inference_share = shares[s];
      rec.frames_total = scores[s].frames_total;
      rec.frames_analysed = scores[s].frames_analysed;
      rec.correct = scores[s].correct;
      rec.accuracy_mode = workload_.accuracy_mode();
      runs[s].accuracy_sum += rec.accuracy();
      runs[s].chunks_scored++;
      sink_.OnChunk(rec);
    }
    while (clock_.NowSeconds() < chunk_end) {
      EKYA_ASSIGN_OR_RETURN(std::vector<JobEvent> events, executor_.RunUntil(chunk_end));
      EKYA_RETURN_IF_ERROR(handle_events(events));
    }
  }

  // 5. The window's end.
  for (int s = 0; s < S; ++s) {
    if (runs[s].job_running) {
      executor_.TakeJob(s);  // unfinished: stopped and discarded
      runs[s].job_running = false;
    }
  }
  EKYA_RETURN_IF_ERROR(deploy_pending());
  for (int s = 0; s < S; ++s) {
    std::vector<JobKind> kinds;
    for (const auto& [kind, share] : runs[s].last_share) kinds.push_back(kind);
    for (JobKind kind : kinds) record(s, kind, 0.0, "window_end");
  }
  for (int s = 0; s < S; ++s) {
    StreamRun& r = runs[s];
    // The predictions, with what the config that ran then measured.
    for (ProfileRecord& p : r.profile_rows) {
      if (r.config && r.accuracy_after && p.config == r.config->BaseId() && p.epochs == r.config->epochs) {
        p.measured_accuracy = r.accuracy_after;
        p.measured_cost_s = r.measured_cost;
      }
      sink_.OnProfile(p);
    }
    WindowRecord w;
    w.stream = s;
    w.window = t;
    w.retrain_config = r.config ? r.config->Id() : "none";
    w.inference_share = r.planned_inference;
    w.retrain_share = r.planned_retrain;
    w.accuracy_before = r.accuracy_before;
    w.accuracy_after = r.accuracy_after;
    w.retrain_done_s = r.done_s;
    w.window_accuracy = r.chunks_scored > 0 ? r.accuracy_sum / r.chunks_scored : 0.0;
    sink_.OnWindow(w);
  }
  return Status::Ok();
}

}  // namespace ekya
