#include "ekya/exec/virtual_executor.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ekya/common/parallel.h"

namespace ekya {
namespace {

// Work below this many device-seconds counts as paid (rounding of rate × dt).
constexpr double kWorkTolerance = 1e-9;

bool ValidShare(double share) { return std::isfinite(share) && share >= 0 && share <= 1 + 1e-9; }

}  // namespace

Result<std::unique_ptr<VirtualExecutor>> VirtualExecutor::Create(ManualClock& clock,
                                                                 const VirtualExecutorOptions& options) {
  if (options.devices < 1) return Status::InvalidArgument("devices must be >= 1");
  if (!(options.r_max > 0) || options.r_max > 1)
    return Status::InvalidArgument("inference.r_max must be in (0, 1]");
  if (options.threads < 1) return Status::InvalidArgument("threads must be >= 1");
  auto ex = std::unique_ptr<VirtualExecutor>(new VirtualExecutor(clock, options));
  ex->usage_.resize(options.devices);
  return ex;
}

VirtualExecutor::Stream* VirtualExecutor::Find(int stream) {
  if (stream < 0 || stream >= static_cast<int>(streams_.size()) || !streams_[stream].placed) return nullptr;
  return &streams_[stream];
}

const VirtualExecutor::Stream* VirtualExecutor::Find(int stream) const {
  if (stream < 0 || stream >= static_cast<int>(streams_.size()) || !streams_[stream].placed) return nullptr;
  return &streams_[stream];
}

Status VirtualExecutor::SetInference(int stream, int device, double share) {
  if (stream < 0) return Status::InvalidArgument("stream index " + std::to_string(stream) + " is negative");
  if (device < 0 || device >= options_.devices) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + ": device " + std::to_string(device) +
                                   " is not in [0, " + std::to_string(options_.devices) + ")");
  }
  if (!ValidShare(share)) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + ": inference share " +
                                   std::to_string(share) + " is not in [0, 1]");
  }
  if (stream >= static_cast<int>(streams_.size())) streams_.resize(stream + 1);
  Stream& s = streams_[stream];
  s.placed = true;
  s.device = device;
  s.inference_share = share;
  return Status::Ok();
}

Status VirtualExecutor::StartJob(int stream, double share, std::unique_ptr<Job> job) {
  Stream* s = Find(stream);
  if (s == nullptr)
    return Status::FailedPrecondition("stream " + std::to_string(stream) + " has not been placed");
  if (s->job != nullptr)
    return Status::FailedPrecondition("stream " + std::to_string(stream) + " already has a job");
  if (job == nullptr) return Status::InvalidArgument("stream " + std::to_string(stream) + ": no job given");
  if (!ValidShare(share)) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + ": job share " +
                                   std::to_string(share) + " is not in [0, 1]");
  }
  auto j = std::make_unique<StepJob>();
  j->current_kind = job->NextKind();
  j->job = std::move(job);
  j->share = share;
  s->job = std::move(j);
  return Status::Ok();
}

Status VirtualExecutor::SetJobShare(int stream, double share) {
  Stream* s = Find(stream);
  if (s == nullptr || s->job == nullptr) {
    return Status::FailedPrecondition("stream " + std::to_string(stream) + " has no job");
  }
  if (!ValidShare(share)) {
    return Status::InvalidArgument("stream " + std::to_string(stream) + ": job share " +
                                   std::to_string(share) + " is not in [0, 1]");
  }
  s->job->share = share;
  return Status::Ok();
}

double VirtualExecutor::Banked(const StepJob& j) {
  double w = 0;
  for (const auto& b : j.bank) w += b.remaining;
  return w;
}

std::vector<double> VirtualExecutor::Rates(std::vector<double>* effective_shares) const {
  const int n = static_cast<int>(streams_.size());
  std::vector<double> idle(options_.devices, 0.0), job_shares(options_.devices, 0.0);
  for (const auto& s : streams_) {
    if (!s.placed) continue;
    idle[s.device] += std::max(0.0, s.inference_share - options_.r_max);
    if (s.job && !s.job->parked) job_shares[s.device] += s.job->share;
  }
  std::vector<double> rates(n, 0.0);
  effective_shares->assign(n, 0.0);
  for (int i = 0; i < n; ++i) {
    const Stream& s = streams_[i];
    if (!s.placed || !s.job || s.job->parked || !(s.job->share > 0)) continue;
    double eff = s.job->share + idle[s.device] * s.job->share / job_shares[s.device];
    eff = std::min(eff, 1.0);
    (*effective_shares)[i] = eff;
    rates[i] = SpeedAtShare(options_.curve, eff);
  }
  return rates;
}

Result<std::vector<JobEvent>> VirtualExecutor::RunUntil(double until) {
  double now = clock_.NowSeconds();
  if (!std::isfinite(until)) return Status::InvalidArgument("RunUntil needs a finite time");
  const int n = static_cast<int>(streams_.size());
  while (now < until) {
    std::vector<double> eff;
    const std::vector<double> rates = Rates(&eff);
    const double horizon = until - now;

    // 1. Run real steps until each job's banked work covers what the horizon would pay.
    std::vector<int> to_run;
    for (int i = 0; i < n; ++i) {
      const Stream& s = streams_[i];
      if (rates[i] > 0 && !s.job->ran_last && s.job->failure.ok() &&
          Banked(*s.job) < rates[i] * horizon - kWorkTolerance) {
        to_run.push_back(i);
      }
    }
    EKYA_RETURN_IF_ERROR(ParallelFor(static_cast<int>(to_run.size()), options_.threads, [&](int k) -> Status {
      StepJob& j = *streams_[to_run[k]].job;
      const double need = rates[to_run[k]] * horizon;
      while (!j.ran_last && j.failure.ok() && Banked(j) < need - kWorkTolerance) {
        Result<JobStep> step = j.job->RunStep();
        if (!step.ok()) {
          j.failure = step.status();
          break;
        }
        j.bank.push_back({step->kind, std::max(0.0, step->device_seconds), step->last});
        if (step->last) j.ran_last = true;
      }
      return Status::Ok();
    }));

    // 2. The first event: a phase boundary, a last step or a failure, paid off.
    double dt = horizon;
    int decisive = -1;
    std::vector<double> work_to_event(n, -1.0);
    for (int i = 0; i < n; ++i) {
      if (!(rates[i] > 0)) {
        // A job without progress can still hold a failure that happened at its start.
        if (streams_[i].placed && streams_[i].job && !streams_[i].job->parked &&
            !streams_[i].job->failure.ok() && streams_[i].job->bank.empty()) {
          work_to_event[i] = 0;
          dt = 0;
          decisive = i;
        }
        continue;
      }
      const StepJob& j = *streams_[i].job;
      double w = 0;
      bool found = j.bank.empty() && !j.failure.ok();
      for (size_t b = 0; b < j.bank.size() && !found; ++b) {
        w += j.bank[b].remaining;
        const bool at_end = b + 1 == j.bank.size();
        if (j.bank[b].last)
          found = true;
        else if (!at_end && j.bank[b + 1].kind != j.bank[b].kind)
          found = true;
        else if (at_end && !j.failure.ok())
          found = true;
        else if (at_end && !j.ran_last && j.job->NextKind() != j.bank[b].kind)
          found = true;
      }
      if (!found) continue;
      work_to_event[i] = w;
      const double t = w / rates[i];
      if (t < dt) {
        dt = t;
        decisive = i;
      }
    }

    // 3. Pay every job for dt and account the device-seconds used.
    for (int i = 0; i < n; ++i) {
      Stream& s = streams_[i];
      if (!s.placed) continue;
      usage_[s.device][JobKind::kInference] += std::min(s.inference_share, options_.r_max) * dt;
      if (!(rates[i] > 0)) continue;
      StepJob& j = *s.job;
      const JobKind kind = j.bank.empty() ? j.current_kind : j.bank.front().kind;
      usage_[s.device][kind] += eff[i] * dt;
      double pay = (i == decisive) ? work_to_event[i] : rates[i] * dt;
      for (auto& b : j.bank) {
        if (pay <= 0) break;
        const double take = std::min(pay, b.remaining);
        b.remaining -= take;
        if (b.kind != JobKind::kLabelling) j.paid_work += take;
        pay -= take;
      }
    }
    now = (decisive < 0) ? until : now + dt;
    clock_.Set(now);

    // 4. Events of this moment, in stream order.
    std::vector<JobEvent> events;
    for (int i = 0; i < n; ++i) {
      Stream& s = streams_[i];
      if (!s.placed || !s.job || s.job->parked) continue;
      StepJob& j = *s.job;
      bool done = false;
      while (!j.bank.empty() && j.bank.front().remaining <= kWorkTolerance) {
        done = done || j.bank.front().last;
        j.bank.pop_front();
      }
      if (done) {
        j.parked = true;
        events.push_back({JobEvent::Type::kDone, i, now, j.current_kind, Status::Ok(), j.paid_work});
        continue;
      }
      if (j.bank.empty() && !j.failure.ok()) {
        j.parked = true;
        events.push_back({JobEvent::Type::kFailed, i, now, j.current_kind, j.failure, j.paid_work});
        continue;
      }
      const JobKind next =
          j.bank.empty() ? (j.ran_last ? j.current_kind : j.job->NextKind()) : j.bank.front().kind;
      if (next != j.current_kind) {
        j.current_kind = next;
        events.push_back({JobEvent::Type::kPhase, i, now, next, Status::Ok()});
      }
    }
    if (!events.empty()) return events;
  }
  return std::vector<JobEvent>{};
}

std::unique_ptr<Job> VirtualExecutor::TakeJob(int stream) {
  Stream* s = Find(stream);
  if (s == nullptr || s->job == nullptr) return nullptr;
  std::unique_ptr<Job> job = std::move(s->job->job);
  s->job.reset();
  return job;
}

double VirtualExecutor::RemainingKnownWork(int stream) const {
  const Stream* s = Find(stream);
  if (s == nullptr || s->job == nullptr || s->job->parked) return 0;
  return Banked(*s->job);
}

std::vector<DeviceUsage> VirtualExecutor::Usage() const { return usage_; }

}  // namespace ekya
