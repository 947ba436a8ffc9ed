#include "ekya/time/clock.h"

#include <thread>

namespace ekya {

WallClock::WallClock() : origin_(std::chrono::steady_clock::now()) {}

double WallClock::NowSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
}

void WallClock::SleepUntil(double t) {
  double now = NowSeconds();
  if (t > now) std::this_thread::sleep_for(std::chrono::duration<double>(t - now));
}

void ManualClock::Advance(double dt) {
  if (dt <= 0) return;
  double cur = now_.load();
  while (!now_.compare_exchange_weak(cur, cur + dt)) {
  }
}

void ManualClock::Set(double t) {
  double cur = now_.load();
  while (t > cur && !now_.compare_exchange_weak(cur, t)) {
  }
}

}  // namespace ekya
