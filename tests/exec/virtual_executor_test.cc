// VirtualExecutor (SPEC §2.1, §8): time at a share, phases, cost accounting,
// lending of idle inference share, conservation, devices, failures, event
// order, determinism across threads and refused inputs. Jobs are FakeJobs.
#include "ekya/exec/virtual_executor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "ekya/common/rng.h"
#include "support/fakes.h"

namespace ekya {
namespace {

using testing::FakeJob;
using testing::FakeJobLog;
using testing::FakeJobScript;
using testing::LabelThenRetrain;
using testing::UniformScript;

constexpr double kEps = 1e-9;

std::unique_ptr<VirtualExecutor> MakeExecutor(ManualClock& clock, int devices = 1,
                                              SpeedCurve curve = SpeedCurve::kLinear, int threads = 1,
                                              double r_max = 0.25) {
  VirtualExecutorOptions options;
  options.devices = devices;
  options.r_max = r_max;
  options.curve = curve;
  options.threads = threads;
  Result<std::unique_ptr<VirtualExecutor>> ex = VirtualExecutor::Create(clock, options);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  return std::move(ex).value();
}

std::unique_ptr<Job> Fake(FakeJobScript script, std::shared_ptr<FakeJobLog> log = nullptr) {
  return std::make_unique<FakeJob>(std::move(script), std::move(log));
}

// Runs until the next event (or `until`) and returns the events.
std::vector<JobEvent> Advance(VirtualExecutor& ex, double until) {
  Result<std::vector<JobEvent>> events = ex.RunUntil(until);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? *events : std::vector<JobEvent>{};
}

double StepJobSeconds(const DeviceUsage& u) {
  return u[JobKind::kRetraining] + u[JobKind::kLabelling] + u[JobKind::kProfiling];
}

TEST(VirtualExecutorTest, LinearJobFinishesAtWorkOverShare) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  const FakeJobScript script = UniformScript(4, 2.5);  // W = 10
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(script)).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kDone);
  EXPECT_EQ(events[0].stream, 0);
  EXPECT_NEAR(events[0].time, script.total() / 0.5, kEps);
  EXPECT_NEAR(clock.NowSeconds(), 20.0, kEps);
}

TEST(VirtualExecutorTest, MpsJobFinishesAtWorkOverSpeed) {
  ManualClock clock;
  auto ex = MakeExecutor(clock, 1, SpeedCurve::kMps);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  ASSERT_TRUE(ex->StartJob(0, 0.3, Fake(UniformScript(5, 2.0))).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kDone);
  const double speed = SpeedAtShare(SpeedCurve::kMps, 0.3);
  EXPECT_GT(speed, 0.3);  // sub-linear: a small share is worth more than its size
  EXPECT_NEAR(events[0].time, 10.0 / speed, kEps);
  // The device is charged the share held, not the speed obtained.
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], 0.3 * events[0].time, kEps);
}

TEST(VirtualExecutorTest, LabellingThenRetrainingGivesAPhaseEvent) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  const FakeJobScript script = LabelThenRetrain(3.0, 3, 2.0);  // 3 labelling + 6 retraining
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(script)).ok());

  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kPhase);
  EXPECT_EQ(events[0].kind, JobKind::kRetraining);
  EXPECT_NEAR(events[0].time, 3.0 / 0.5, kEps);
  EXPECT_NEAR(clock.NowSeconds(), 6.0, kEps);

  events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kDone);
  EXPECT_NEAR(events[0].time, 9.0 / 0.5, kEps);
}

TEST(VirtualExecutorTest, CostChargedFollowsTheWorkDone) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  const FakeJobScript script = LabelThenRetrain(3.0, 7, 1.0);  // W = 10
  auto log = std::make_shared<FakeJobLog>();
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(script, log)).ok());

  // Part way: charged share × elapsed, whatever ran ahead.
  EXPECT_TRUE(Advance(*ex, 4).empty());
  EXPECT_NEAR(StepJobSeconds(ex->Usage()[0]), 0.5 * 4, kEps);
  EXPECT_NEAR(ex->Usage()[0][JobKind::kLabelling], 0.5 * 4, kEps);

  std::vector<JobEvent> events;
  while (events.empty() || events.back().type != JobEvent::Type::kDone) {
    events = Advance(*ex, 1000);
    ASSERT_FALSE(events.empty());
  }
  const double finish = events.back().time;
  const DeviceUsage u = ex->Usage()[0];
  EXPECT_NEAR(u[JobKind::kLabelling], 3.0, kEps);
  EXPECT_NEAR(u[JobKind::kRetraining], 7.0, kEps);
  // Everything the job reported is paid, and what was paid is share × time.
  EXPECT_NEAR(u[JobKind::kLabelling] + u[JobKind::kRetraining], script.total(), kEps);
  EXPECT_NEAR(script.total(), 0.5 * finish, kEps);
  EXPECT_NEAR(u[JobKind::kInference], 0.25 * finish, kEps);
  EXPECT_EQ(log->steps_run, 8);
  EXPECT_TRUE(log->finished);
}

TEST(VirtualExecutorTest, IdleInferenceShareIsLentToTheJob) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.5).ok());   // uses 0.25, lends 0.25
  ASSERT_TRUE(ex->SetInference(1, 0, 0.25).ok());  // uses all of it
  ASSERT_TRUE(ex->StartJob(1, 0.25, Fake(UniformScript(2, 5.0))).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, 1);
  EXPECT_NEAR(events[0].time, 10.0 / 0.5, kEps);
  const DeviceUsage u = ex->Usage()[0];
  EXPECT_NEAR(u[JobKind::kRetraining], 10.0, kEps);
  EXPECT_NEAR(u[JobKind::kInference], (0.25 + 0.25) * 20, kEps);
  EXPECT_LE(u.Total(), 20 + kEps);
}

TEST(VirtualExecutorTest, IdleShareIsSplitInProportionToJobShares) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.5).ok());  // lends 0.25
  ASSERT_TRUE(ex->SetInference(1, 0, 0.1).ok());  // lends nothing
  // Jobs at 0.1 and 0.3: the idle 0.25 splits 1:3, so they run at 0.1625 and 0.4875.
  ASSERT_TRUE(ex->StartJob(0, 0.1, Fake(UniformScript(1, 0.1625 * 10))).ok());
  ASSERT_TRUE(ex->StartJob(1, 0.3, Fake(UniformScript(1, 0.4875 * 10 + 0.55 * 10))).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, 0);
  EXPECT_EQ(events[0].type, JobEvent::Type::kDone);
  EXPECT_NEAR(events[0].time, 10.0, kEps);
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], (0.1625 + 0.4875) * 10, kEps);
  ASSERT_NE(ex->TakeJob(0), nullptr);
  // Alone, the second job gets the whole idle share: 0.3 + 0.25.
  events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, 1);
  EXPECT_NEAR(events[0].time, 20.0, kEps);
}

TEST(VirtualExecutorTest, EventsAtTheSameTimeComeInStreamOrder) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  for (int s : {2, 0, 1}) ASSERT_TRUE(ex->SetInference(s, 0, 0.1).ok());
  for (int s : {2, 1, 0}) ASSERT_TRUE(ex->StartJob(s, 0.2, Fake(UniformScript(3, 1.0))).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].stream, i);
    EXPECT_EQ(events[i].type, JobEvent::Type::kDone);
    EXPECT_NEAR(events[i].time, 3.0 / 0.2, kEps);
  }
  // Same-time events of lent-share jobs too (1:3 split, both finish at 10).
  ManualClock clock2;
  auto ex2 = MakeExecutor(clock2);
  ASSERT_TRUE(ex2->SetInference(0, 0, 0.5).ok());
  ASSERT_TRUE(ex2->SetInference(1, 0, 0.1).ok());
  ASSERT_TRUE(ex2->StartJob(1, 0.3, Fake(UniformScript(1, 4.875))).ok());
  ASSERT_TRUE(ex2->StartJob(0, 0.1, Fake(UniformScript(1, 1.625))).ok());
  events = Advance(*ex2, 1000);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].stream, 0);
  EXPECT_EQ(events[1].stream, 1);
  EXPECT_NEAR(events[0].time, 10.0, kEps);
  EXPECT_DOUBLE_EQ(events[0].time, events[1].time);
}

TEST(VirtualExecutorTest, ConservationUnderRandomShareChanges) {
  constexpr int kDevices = 2;
  constexpr int kStreams = 5;
  constexpr double kHorizon = 100;
  constexpr int kMoments = 40;
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    Rng rng(seed);
    ManualClock clock;
    auto ex = MakeExecutor(clock, kDevices, seed == 2 ? SpeedCurve::kMps : SpeedCurve::kLinear);
    std::vector<bool> has_job(kStreams, false);
    for (int k = 0; k < kMoments; ++k) {
      // New placement and shares; per device the shares sum to at most 1.
      std::vector<int> device(kStreams);
      std::vector<double> weight_inf(kStreams), weight_job(kStreams);
      std::vector<double> sum(kDevices, 0.0);
      for (int s = 0; s < kStreams; ++s) {
        device[s] = static_cast<int>(rng.Below(kDevices));
        weight_inf[s] = rng.Uniform();
        weight_job[s] = rng.Uniform();
        sum[device[s]] += weight_inf[s] + weight_job[s];
      }
      std::vector<double> cap(kDevices);
      for (int d = 0; d < kDevices; ++d) cap[d] = rng.Uniform(0.5, 1.0);
      for (int s = 0; s < kStreams; ++s) {
        const double scale = cap[device[s]] / sum[device[s]];
        ASSERT_TRUE(ex->SetInference(s, device[s], weight_inf[s] * scale).ok());
        const double job_share = weight_job[s] * scale;
        if (has_job[s]) {
          ASSERT_TRUE(ex->SetJobShare(s, job_share).ok());
        } else if (rng.Uniform() < 0.5) {
          FakeJobScript script = rng.Uniform() < 0.5
                                     ? LabelThenRetrain(rng.Uniform(0.1, 2), 3, 1.0)
                                     : UniformScript(1 + static_cast<int>(rng.Below(6)), rng.Uniform(0.1, 3));
          if (rng.Uniform() < 0.2) script.fail_at = static_cast<int>(rng.Below(3));
          ASSERT_TRUE(ex->StartJob(s, job_share, Fake(script)).ok());
          has_job[s] = true;
        }
      }
      const double until = kHorizon * (k + 1) / kMoments;
      while (clock.NowSeconds() < until) {
        for (const JobEvent& e : Advance(*ex, until)) {
          if (e.type == JobEvent::Type::kPhase) continue;
          ASSERT_NE(ex->TakeJob(e.stream), nullptr);
          has_job[e.stream] = false;
        }
      }
    }
    EXPECT_DOUBLE_EQ(clock.NowSeconds(), kHorizon);
    double total = 0;
    for (const DeviceUsage& u : ex->Usage()) {
      EXPECT_LE(u.Total(), kHorizon + kEps);
      total += u.Total();
    }
    EXPECT_GT(total, 0.5 * kHorizon);  // the scenario really used the devices
  }
}

TEST(VirtualExecutorTest, DevicesDoNotLendToEachOther) {
  ManualClock clock;
  auto ex = MakeExecutor(clock, 2);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  ASSERT_TRUE(ex->SetInference(1, 1, 1.0).ok());  // 0.75 idle on device 1
  ASSERT_TRUE(ex->StartJob(0, 0.25, Fake(UniformScript(2, 2.5))).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(events[0].time, 5.0 / 0.25, kEps);
  const std::vector<DeviceUsage> usage = ex->Usage();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_NEAR(usage[0][JobKind::kInference], 0.25 * 20, kEps);
  EXPECT_NEAR(usage[0][JobKind::kRetraining], 5.0, kEps);
  EXPECT_NEAR(usage[1][JobKind::kInference], 0.25 * 20, kEps);  // min(share, r_max)
  EXPECT_EQ(StepJobSeconds(usage[1]), 0.0);

  // Moving the stream moves its job and where it is charged.
  ASSERT_NE(ex->TakeJob(0), nullptr);
  ASSERT_TRUE(ex->SetInference(1, 1, 0.25).ok());
  ASSERT_TRUE(ex->StartJob(0, 0.25, Fake(UniformScript(1, 10.0))).ok());
  ASSERT_TRUE(ex->SetInference(0, 1, 0.25).ok());
  ASSERT_TRUE(ex->SetJobShare(0, 0.5).ok());
  events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(events[0].time, 20 + 10.0 / 0.5, kEps);
  const std::vector<DeviceUsage> after = ex->Usage();
  EXPECT_NEAR(after[0][JobKind::kRetraining], 5.0, kEps);
  EXPECT_NEAR(after[1][JobKind::kRetraining], 10.0, kEps);
}

TEST(VirtualExecutorTest, FailedStepIsReportedAfterTheWorkBeforeItIsPaid) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  FakeJobScript script = UniformScript(4, 2.0);
  script.fail_at = 2;
  auto log = std::make_shared<FakeJobLog>();
  auto job = std::make_unique<FakeJob>(script, log);
  const Job* raw = job.get();
  ASSERT_TRUE(ex->StartJob(0, 0.5, std::move(job)).ok());
  std::vector<JobEvent> events = Advance(*ex, 1000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kFailed);
  EXPECT_FALSE(events[0].error.ok());
  EXPECT_NE(events[0].error.message().find("step 2"), std::string::npos) << events[0].error.ToString();
  EXPECT_NEAR(events[0].time, script.total_before(2) / 0.5, kEps);
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], script.total_before(2), kEps);
  EXPECT_EQ(log->steps_run, 2);
  EXPECT_EQ(ex->RemainingKnownWork(0), 0.0);
  // Parked until taken; nothing more is charged for it.
  EXPECT_TRUE(Advance(*ex, 50).empty());
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], script.total_before(2), kEps);
  std::unique_ptr<Job> taken = ex->TakeJob(0);
  EXPECT_EQ(taken.get(), raw);
  EXPECT_EQ(ex->TakeJob(0), nullptr);
  EXPECT_EQ(log->calls, 3);
}

TEST(VirtualExecutorTest, FailureAtTheFirstStepIsReportedAtOnce) {
  ManualClock clock(5.0);
  auto ex = MakeExecutor(clock);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());
  FakeJobScript script = UniformScript(2, 1.0);
  script.fail_at = 0;
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(script)).ok());
  std::vector<JobEvent> events = Advance(*ex, 100);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, JobEvent::Type::kFailed);
  EXPECT_DOUBLE_EQ(events[0].time, 5.0);
  EXPECT_EQ(StepJobSeconds(ex->Usage()[0]), 0.0);
}

TEST(VirtualExecutorTest, RunUntilWithoutJobsMovesTheClockThere) {
  ManualClock clock;
  auto ex = MakeExecutor(clock);
  EXPECT_TRUE(Advance(*ex, 50).empty());
  EXPECT_DOUBLE_EQ(clock.NowSeconds(), 50.0);
  ASSERT_TRUE(ex->SetInference(0, 0, 0.5).ok());
  EXPECT_TRUE(Advance(*ex, 70).empty());
  EXPECT_DOUBLE_EQ(clock.NowSeconds(), 70.0);
  EXPECT_NEAR(ex->Usage()[0][JobKind::kInference], 0.25 * 20, kEps);
  // A job that cannot finish before `until`: RunUntil returns exactly there.
  auto log = std::make_shared<FakeJobLog>();
  ASSERT_TRUE(ex->SetInference(0, 0, 0.25).ok());  // nothing idle to lend
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(UniformScript(100, 1.0), log)).ok());
  EXPECT_TRUE(Advance(*ex, 80).empty());
  EXPECT_DOUBLE_EQ(clock.NowSeconds(), 80.0);
  // 5 device-seconds are paid; at most one step ran ahead.
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], 0.5 * 10, kEps);
  EXPECT_GE(log->steps_run, 5);
  EXPECT_LE(log->steps_run, 6);
  EXPECT_LE(ex->RemainingKnownWork(0), 1.0 + kEps);
  // A job whose share is 0 makes no progress and costs nothing.
  ASSERT_TRUE(ex->SetJobShare(0, 0.0).ok());
  const int before = log->steps_run;
  EXPECT_TRUE(Advance(*ex, 90).empty());
  EXPECT_EQ(log->steps_run, before);
  EXPECT_NEAR(ex->Usage()[0][JobKind::kRetraining], 5.0, kEps);
}

struct Trace {
  std::vector<JobEvent> events;
  std::vector<DeviceUsage> usage;
};

Trace RunScenario(int threads) {
  ManualClock clock;
  auto ex = MakeExecutor(clock, 2, SpeedCurve::kMps, threads);
  Trace trace;
  for (int s = 0; s < 4; ++s) EXPECT_TRUE(ex->SetInference(s, s % 2, 0.3).ok());
  for (int s = 0; s < 4; ++s) {
    FakeJobScript script = LabelThenRetrain(0.5 + 0.25 * s, 5 + s, 0.3 + 0.1 * s);
    if (s == 3) script.fail_at = 4;
    EXPECT_TRUE(ex->StartJob(s, 0.2 + 0.05 * s, Fake(script)).ok());
  }
  for (double until : {5.0, 10.0, 20.0, 40.0}) {
    while (clock.NowSeconds() < until) {
      Result<std::vector<JobEvent>> events = ex->RunUntil(until);
      EXPECT_TRUE(events.ok());
      if (!events.ok()) return trace;
      for (const JobEvent& e : *events) {
        trace.events.push_back(e);
        if (e.type != JobEvent::Type::kPhase) ex->TakeJob(e.stream);
      }
    }
    EXPECT_TRUE(ex->SetInference(0, 0, 0.2).ok());
  }
  trace.usage = ex->Usage();
  return trace;
}

TEST(VirtualExecutorTest, ThreadsDoNotChangeTheResults) {
  const Trace one = RunScenario(1);
  const Trace two = RunScenario(2);
  ASSERT_EQ(one.events.size(), two.events.size());
  EXPECT_GE(one.events.size(), 8u);  // 4 phases, 3 done, 1 failed
  for (size_t i = 0; i < one.events.size(); ++i) {
    EXPECT_EQ(one.events[i].type, two.events[i].type) << i;
    EXPECT_EQ(one.events[i].stream, two.events[i].stream) << i;
    EXPECT_EQ(one.events[i].kind, two.events[i].kind) << i;
    EXPECT_EQ(one.events[i].time, two.events[i].time) << i;
  }
  ASSERT_EQ(one.usage.size(), two.usage.size());
  for (size_t d = 0; d < one.usage.size(); ++d) EXPECT_EQ(one.usage[d].seconds, two.usage[d].seconds);
}

TEST(VirtualExecutorTest, RefusesBadInputs) {
  ManualClock clock;
  VirtualExecutorOptions bad;
  bad.devices = 0;
  EXPECT_EQ(VirtualExecutor::Create(clock, bad).status().code(), StatusCode::kInvalidArgument);
  bad = {};
  bad.r_max = 0;
  EXPECT_EQ(VirtualExecutor::Create(clock, bad).status().code(), StatusCode::kInvalidArgument);
  bad = {};
  bad.threads = 0;
  EXPECT_EQ(VirtualExecutor::Create(clock, bad).status().code(), StatusCode::kInvalidArgument);

  auto ex = MakeExecutor(clock, 2);
  EXPECT_EQ(ex->SetInference(0, 2, 0.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetInference(0, -1, 0.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetInference(-1, 0, 0.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetInference(0, 0, 1.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetInference(0, 0, -0.1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetInference(0, 0, std::nan("")).code(), StatusCode::kInvalidArgument);

  // Not placed yet.
  EXPECT_EQ(ex->StartJob(0, 0.5, Fake(UniformScript(1, 1))).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ex->SetJobShare(0, 0.5).code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(ex->SetInference(0, 1, 0.5).ok());
  EXPECT_EQ(ex->StartJob(0, 1.5, Fake(UniformScript(1, 1))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->StartJob(0, -0.5, Fake(UniformScript(1, 1))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->StartJob(0, 0.5, nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetJobShare(0, 0.5).code(), StatusCode::kFailedPrecondition);  // no job
  ASSERT_TRUE(ex->StartJob(0, 0.5, Fake(UniformScript(1, 1))).ok());
  EXPECT_EQ(ex->StartJob(0, 0.5, Fake(UniformScript(1, 1))).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ex->SetJobShare(0, 1.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->SetJobShare(0, -0.5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex->RunUntil(std::numeric_limits<double>::infinity()).status().code(),
            StatusCode::kInvalidArgument);
  // Refused calls changed nothing: the job runs at its 0.5 plus the 0.25 its stream's inference lends.
  std::vector<JobEvent> events = Advance(*ex, 100);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(events[0].time, 1.0 / 0.75, kEps);
  EXPECT_EQ(ex->TakeJob(5), nullptr);
  EXPECT_EQ(ex->RemainingKnownWork(5), 0.0);
}

}  // namespace
}  // namespace ekya
