// Clock: the only source of time in the system.
//
// Every component that needs "now" receives a Clock; nothing else reads real
// time or sleeps (a test greps for it). Implementations:
//   WallClock    real monotonic time since construction; SleepUntil really waits.
//   ManualClock  time moves only when told (tests, virtual and simulated runs).
// NowSeconds() is thread-safe for both; Advance/Set on ManualClock are too.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

namespace ekya {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the clock's origin.
  virtual double NowSeconds() const = 0;
  // Blocks (wall) or jumps (manual) until NowSeconds() >= t. Never goes back.
  virtual void SleepUntil(double t) = 0;
};

class WallClock final : public Clock {
 public:
  WallClock();
  double NowSeconds() const override;
  void SleepUntil(double t) override;

 private:
  std::chrono::steady_clock::time_point origin_;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(double start = 0.0) : now_(start) {}
  double NowSeconds() const override { return now_.load(); }
  void SleepUntil(double t) override { Set(t); }
  // Moves time forward by dt >= 0 seconds.
  void Advance(double dt);
  // Sets time to t if t is later than now (time never goes back).
  void Set(double t);

 private:
  std::atomic<double> now_;
};

// Measures elapsed real time for reports (wall_seconds, timing decisions).
// Built on WallClock so that real time is still read only in time/.
class Stopwatch {
 public:
  Stopwatch() = default;
  double ElapsedSeconds() const { return clock_.NowSeconds(); }

 private:
  WallClock clock_;
};

}  // namespace ekya
