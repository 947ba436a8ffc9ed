#include "support/fakes.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ekya::testing {

double FakeJobScript::total() const { return total_before(static_cast<int>(steps.size())); }

double FakeJobScript::total_before(int k) const {
  double sum = 0;
  for (int i = 0; i < k && i < static_cast<int>(steps.size()); ++i) sum += steps[i].device_seconds;
  return sum;
}

FakeJobScript UniformScript(int n, double cost, JobKind kind) {
  FakeJobScript script;
  for (int i = 0; i < n; ++i) script.steps.push_back({kind, cost, false});
  return script;
}

FakeJobScript LabelThenRetrain(double label_cost, int n, double cost) {
  FakeJobScript script = UniformScript(n, cost);
  script.steps.insert(script.steps.begin(), JobStep{JobKind::kLabelling, label_cost, false});
  return script;
}

FakeJob::FakeJob(FakeJobScript script, std::shared_ptr<FakeJobLog> log, int stream, const void* owner,
                 std::string name)
    : script_(std::move(script)),
      log_(log ? std::move(log) : std::make_shared<FakeJobLog>()),
      stream_(stream),
      owner_(owner),
      name_(std::move(name)) {
  for (JobStep& step : script_.steps) step.last = false;
  if (!script_.steps.empty()) script_.steps.back().last = true;
}

FakeJob::~FakeJob() { log_->destroyed = true; }

Result<JobStep> FakeJob::RunStep() {
  log_->calls++;
  if (next_ >= static_cast<int>(script_.steps.size()))
    return Status::FailedPrecondition(name_ + ": RunStep called after the last step");
  if (script_.fail_at.has_value() && next_ == *script_.fail_at)
    return Status::Internal(name_ + ": scripted failure at step " + std::to_string(next_));
  const JobStep step = script_.steps[next_++];
  log_->steps_run++;
  if (step.last) log_->finished = true;
  return step;
}

JobKind FakeJob::NextKind() const {
  if (script_.steps.empty()) return JobKind::kRetraining;
  const int i = std::min(next_, static_cast<int>(script_.steps.size()) - 1);
  return script_.steps[i].kind;
}

FakeWorkload::FakeWorkload(FakeWorkloadOptions options) : options_(std::move(options)) {
  versions_.assign(options_.streams, 0);
  options_.base_accuracy.resize(options_.streams, 0.5);
}

Status FakeWorkload::CheckStream(int stream) const {
  if (stream < 0 || stream >= options_.streams)
    return Status::InvalidArgument("fake workload: no stream " + std::to_string(stream));
  return Status::Ok();
}

Status FakeWorkload::BeginWindow(int window) {
  if (window != window_ + 1) {
    return Status::FailedPrecondition("fake workload: window " + std::to_string(window) + " after window " +
                                      std::to_string(window_));
  }
  window_ = window;
  chunks_inferred_ = 0;
  return Status::Ok();
}

double FakeWorkload::Accuracy(int stream) const {
  return versions_.at(stream) == 0 ? options_.base_accuracy.at(stream) : options_.accuracy_after;
}

Result<std::vector<ChunkScore>> FakeWorkload::InferChunk(int chunk, const std::vector<double>& shares) {
  if (window_ < 0) return Status::FailedPrecondition("fake workload: InferChunk before BeginWindow");
  if (chunk != chunks_inferred_) {
    return Status::FailedPrecondition("fake workload: chunk " + std::to_string(chunk) + " out of order");
  }
  if (static_cast<int>(shares.size()) != options_.streams)
    return Status::InvalidArgument("fake workload: wrong number of shares");
  std::vector<ChunkScore> scores(options_.streams);
  const int frames = options_.frames_per_chunk;
  for (int s = 0; s < options_.streams; ++s) {
    const double f = std::clamp(shares[s] / options_.r_max, 0.0, 1.0);
    scores[s].frames_total = frames;
    scores[s].frames_analysed = static_cast<int>(std::lround(f * frames));
    scores[s].correct = static_cast<int>(std::floor(Accuracy(s) * frames * f));
  }
  ++chunks_inferred_;
  return scores;
}

Result<double> FakeWorkload::DeployedAccuracy(int stream) {
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  return Accuracy(stream);
}

Result<std::unique_ptr<Job>> FakeWorkload::MakeRetrainingJob(int stream, const RetrainConfig& config) {
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  if (window_ < 1) return Status::FailedPrecondition("fake workload: no history to retrain on in window 0");
  const std::string id = config.Id();
  FakeJobScript script = options_.default_script;
  if (auto it = options_.stream_scripts.find(stream); it != options_.stream_scripts.end()) {
    script = it->second;
  } else if (auto jt = options_.config_scripts.find(id); jt != options_.config_scripts.end()) {
    script = jt->second;
  }
  auto log = std::make_shared<FakeJobLog>();
  made_.push_back({stream, window_, id, log});
  return std::unique_ptr<Job>(std::make_unique<FakeJob>(
      std::move(script), log, stream, this, "fake retraining " + id + " stream " + std::to_string(stream)));
}

Result<std::unique_ptr<Job>> FakeWorkload::MakeProfilingJob(int stream) {
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  if (window_ < 1) return Status::FailedPrecondition("fake workload: nothing to profile in window 0");
  return std::unique_ptr<Job>(std::make_unique<FakeJob>(options_.profiling_script,
                                                        std::make_shared<FakeJobLog>(), stream, this,
                                                        "fake profiling stream " + std::to_string(stream)));
}

Result<StreamEstimates> FakeWorkload::Estimates(int stream, Job& job) {
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  auto* fake = dynamic_cast<FakeJob*>(&job);
  if (fake == nullptr || fake->owner() != this || fake->stream() != stream || !fake->log().finished) {
    return Status::InvalidArgument("fake workload: stream " + std::to_string(stream) +
                                   ": not a finished profiling job of this workload");
  }
  return options_.estimates;
}

Result<double> FakeWorkload::Deploy(int stream, Job& job) {
  EKYA_RETURN_IF_ERROR(CheckStream(stream));
  auto* fake = dynamic_cast<FakeJob*>(&job);
  if (fake == nullptr || fake->owner() != this || fake->stream() != stream || !fake->log().finished) {
    return Status::InvalidArgument("fake workload: stream " + std::to_string(stream) +
                                   ": not a finished retraining job of this workload");
  }
  versions_[stream]++;
  deployments_.push_back({stream, window_, chunks_inferred_});
  return options_.accuracy_after;
}

std::unique_ptr<ScriptedPolicy> ScriptedPolicy::Fixed(std::string spec, Allocation allocation) {
  return std::make_unique<ScriptedPolicy>(
      std::move(spec), [allocation](const Snapshot&) -> Result<Allocation> { return allocation; });
}

Result<Allocation> ScriptedPolicy::Decide(const Snapshot& snapshot) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(snapshot);
  }
  return decide_(snapshot);
}

std::vector<Snapshot> ScriptedPolicy::seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

}  // namespace ekya::testing
