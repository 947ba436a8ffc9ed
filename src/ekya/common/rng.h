// Seeded random streams. Every random generator in the system is derived from
// the run's seed and a path of labels (stream id, window, purpose), so that
// results do not depend on the order in which components draw numbers.
// Thread-safety: a Rng is a value; do not share one between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>

namespace ekya {

// SplitMix64 finaliser: a good 64-bit mix of x.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Derives a child seed from a parent seed and a list of labels.
inline uint64_t DeriveSeed(uint64_t seed, std::initializer_list<uint64_t> labels) {
  uint64_t s = Mix64(seed);
  for (uint64_t l : labels) s = Mix64(s ^ Mix64(l + 0x632be59bd9b4e019ULL));
  return s;
}

// The generator used everywhere. std::mt19937_64 is fully specified by the
// standard, so the same seed gives the same sequence on every platform. The
// distributions below are written out by hand for the same reason (the
// standard library's distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t NextU64() { return engine_(); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n). Requires n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Uniform() * static_cast<double>(n)) % n; }
  // Standard normal (Box-Muller).
  double Normal();
  bool Bernoulli(double p) { return Uniform() < p; }
  // Fisher-Yates shuffle of a random-access container.
  template <typename C>
  void Shuffle(C& c) {
    for (size_t i = c.size(); i > 1; --i) std::swap(c[i - 1], c[Below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace ekya
