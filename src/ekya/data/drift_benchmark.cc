#include "ekya/data/drift_benchmark.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <exception>
#include <numeric>
#include <sstream>

namespace ekya {
namespace {

// Labels of the seed paths, so that each kind of draw has its own stream.
enum SeedTag : uint64_t {
  kTagShuffle = 0x5348,
  kTagBase = 0x4241,
  kTagMix = 0x4d49,
  kTagAppearance = 0x4150,
  kTagTracks = 0x5452,
  kTagRender = 0x5245,
};

std::string Num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Status Bad(const std::string& field, const std::string& value, const std::string& allowed) {
  return Status::InvalidArgument("drift option " + field + " = " + value + " is invalid: " + allowed);
}

// Gamma(alpha, 1) by Marsaglia and Tsang; alpha < 1 via the boost U^(1/alpha).
double SampleGamma(double alpha, Rng& rng) {
  if (alpha < 1.0) {
    const double u = std::max(rng.Uniform(), 1e-300);
    return SampleGamma(alpha + 1.0, rng) * std::pow(u, 1.0 / alpha);
  }
  const double d = alpha - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.Normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.Uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(std::max(u, 1e-300)) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// Uniform integer in [lo, hi].
int UniformInt(Rng& rng, int lo, int hi) {
  return lo + static_cast<int>(rng.Below(static_cast<uint64_t>(hi - lo + 1)));
}

// Stochastic rounding: floor(x) plus one with probability frac(x).
int StochasticRound(double x, Rng& rng) {
  const double f = std::floor(x);
  return static_cast<int>(f) + (rng.Bernoulli(x - f) ? 1 : 0);
}

// Dirichlet weights over the classes in `present`, zero elsewhere.
std::vector<double> DirichletOver(const std::vector<int>& present, int num_classes, double alpha, Rng& rng) {
  std::vector<double> w(num_classes, 0.0);
  double total = 0.0;
  for (int c : present) {
    w[c] = SampleGamma(alpha, rng);
    total += w[c];
  }
  if (total <= 0.0) {
    for (int c : present) w[c] = 1.0;
    total = static_cast<double>(present.size());
  }
  for (double& x : w) x /= total;
  return w;
}

// Raises every present class to at least `floor` and renormalises.
void ApplyFloor(std::vector<double>& w, const std::vector<int>& present, double floor) {
  for (int c : present) w[c] = std::max(w[c], floor);
  double total = 0.0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
}

std::vector<int> PresentOf(const std::vector<double>& w) {
  std::vector<int> out;
  for (int c = 0; c < static_cast<int>(w.size()); ++c)
    if (w[c] > 0.0) out.push_back(c);
  return out;
}

// Removes one class from `present`, chosen with weight 1 / (share + 0.05) so
// that minor classes leave more readily than dominant ones; returns it.
int DropMinor(std::vector<int>& present, const std::vector<double>& w, Rng& rng) {
  double total = 0.0;
  for (int c : present) total += 1.0 / (w[c] + 0.05);
  double x = rng.Uniform() * total;
  size_t pick = present.size() - 1;
  for (size_t j = 0; j < present.size(); ++j) {
    x -= 1.0 / (w[present[j]] + 0.05);
    if (x < 0.0) {
      pick = j;
      break;
    }
  }
  const int c = present[pick];
  present.erase(present.begin() + static_cast<std::ptrdiff_t>(pick));
  return c;
}

// The class-mix trajectory of one stream.
std::vector<std::vector<double>> PlanMixes(const DriftOptions& o, int num_classes, Rng& rng) {
  std::vector<std::vector<double>> mixes;
  std::vector<int> all(num_classes);
  std::iota(all.begin(), all.end(), 0);
  // Window 0: a random set of present classes with skewed weights.
  std::vector<int> order = all;
  rng.Shuffle(order);
  int k = UniformInt(rng, o.classes_present_min, o.classes_present_max);
  std::vector<int> present(order.begin(), order.begin() + k);
  std::sort(present.begin(), present.end());
  std::vector<double> w = DirichletOver(present, num_classes, o.class_mix_concentration, rng);
  ApplyFloor(w, present, o.class_min_weight);
  mixes.push_back(w);
  for (int t = 1; t < o.windows; ++t) {
    present = PresentOf(w);
    std::vector<int> candidates;  // classes that may enter: absent ones first, in random order
    for (int c : all)
      if (w[c] <= 0.0) candidates.push_back(c);
    rng.Shuffle(candidates);
    // Sometimes the number of present classes changes.
    size_t target = present.size();
    if (rng.Bernoulli(o.class_mix_drift))
      target = static_cast<size_t>(UniformInt(rng, o.classes_present_min, o.classes_present_max));
    // Part of the present classes leave (minor ones more readily than dominant
    // ones), as many newcomers enter with a small share, so the mix evolves
    // rather than jumps.
    const size_t swaps = std::min<size_t>(static_cast<size_t>(StochasticRound(o.class_mix_drift * present.size(), rng)),
                                          candidates.size());
    const size_t drops = std::min(present.size() - 1, swaps + (present.size() > target ? present.size() - target : 0));
    std::vector<int> dropped;
    for (size_t i = 0; i < drops; ++i) dropped.push_back(DropMinor(present, w, rng));
    candidates.insert(candidates.end(), dropped.begin(), dropped.end());  // only when nothing else is left
    for (size_t i = 0; present.size() < target && i < candidates.size(); ++i) present.push_back(candidates[i]);
    std::sort(present.begin(), present.end());
    const std::vector<double> fresh = DirichletOver(present, num_classes, o.class_mix_concentration, rng);
    std::vector<double> next(num_classes, 0.0);
    for (int c : present) next[c] = (1.0 - o.class_mix_drift) * w[c] + o.class_mix_drift * fresh[c];
    double total = 0.0;
    for (double x : next) total += x;
    if (total <= 0.0) next = fresh;
    else
      for (double& x : next) x /= total;
    ApplyFloor(next, present, o.class_min_weight);
    w = next;
    mixes.push_back(w);
  }
  return mixes;
}

// Moves x by step and reflects it into [lo, hi], flipping dir on a bounce.
double RampWithin(double x, double step, double lo, double hi, int& dir) {
  if (hi <= lo) return lo;
  double y = x + dir * step;
  for (int i = 0; i < 4 && (y > hi || y < lo); ++i) {
    if (y > hi) y = 2 * hi - y;
    if (y < lo) y = 2 * lo - y;
    dir = -dir;
  }
  return std::clamp(y, lo, hi);
}

// The appearance trajectories of all streams, drawn stream after stream so
// that later streams can avoid the conditions earlier ones have.
std::vector<std::vector<Appearance>> PlanAppearances(const DriftOptions& o, Rng& rng) {
  std::vector<std::vector<Appearance>> out(o.streams, std::vector<Appearance>(o.windows));
  for (int s = 0; s < o.streams; ++s) {
    int t = 0;
    Condition prev = Condition::kClear;
    bool first = true;
    while (t < o.windows) {
      const int length = UniformInt(rng, o.condition_min_windows, o.condition_max_windows);
      const int end = std::min(o.windows, t + length);
      const bool clear_allowed = !(first && o.first_window_drifted) && prev != Condition::kClear;
      Condition cond = Condition::kClear;
      bool go_clear = rng.Bernoulli(o.clear_probability) && clear_allowed;
      if (go_clear && o.distinct_stream_conditions) {
        // At most one stream is clear at a time.
        for (int other = 0; other < s && go_clear; ++other)
          for (int u = t; u < end && go_clear; ++u) go_clear = out[other][u].condition != Condition::kClear;
      }
      if (!go_clear) {
        std::vector<Condition> candidates;
        for (int i = 1; i < kNumConditions; ++i) {
          const Condition c = ConditionFromIndex(i);
          if (c != prev) candidates.push_back(c);
        }
        if (o.distinct_stream_conditions) {
          std::vector<Condition> unused;
          for (Condition c : candidates) {
            bool taken = false;
            for (int other = 0; other < s && !taken; ++other)
              for (int u = t; u < end && !taken; ++u) taken = out[other][u].condition == c;
            if (!taken) unused.push_back(c);
          }
          if (!unused.empty()) candidates = unused;
        }
        cond = candidates[rng.Below(candidates.size())];
      }
      // A condition sets in gently and intensifies (dusk falls, fog
      // thickens): it starts within one ramp step of the lowest severity and
      // grows by a step each window, reflecting at the highest.
      double severity = rng.Uniform(o.severity_min, std::min(o.severity_max, o.severity_min + o.severity_ramp));
      int dir = 1;
      for (int u = t; u < end; ++u) {
        out[s][u] = Appearance{cond, cond == Condition::kClear ? 0.0 : severity};
        severity = RampWithin(severity, o.severity_ramp, o.severity_min, o.severity_max, dir);
      }
      prev = cond;
      first = false;
      t = end;
    }
  }
  return out;
}

}  // namespace

Status DriftOptions::Validate() const {
  if (streams < 1) return Bad("streams", std::to_string(streams), "must be at least 1");
  if (windows < 2) return Bad("windows", std::to_string(windows), "must be at least 2 (window 0 only collects data)");
  if (frames_per_window < 1) return Bad("frames_per_window", std::to_string(frames_per_window), "must be at least 1");
  if (!(mean_track_length >= 1.0)) return Bad("mean_track_length", Num(mean_track_length), "must be at least 1");
  if (sample_per_track < 1) return Bad("sample_per_track", std::to_string(sample_per_track), "must be at least 1");
  if (base_train_size < 1) return Bad("base_train_size", std::to_string(base_train_size), "must be at least 1");
  if (base_test_size < 1) return Bad("base_test_size", std::to_string(base_test_size), "must be at least 1");
  if (classes_present_min < 1)
    return Bad("classes_present_min", std::to_string(classes_present_min), "must be at least 1");
  if (classes_present_max < classes_present_min)
    return Bad("classes_present_max", std::to_string(classes_present_max),
               "must be at least classes_present_min (" + std::to_string(classes_present_min) + ")");
  if (!(class_mix_concentration > 0.0))
    return Bad("class_mix_concentration", Num(class_mix_concentration), "must be greater than 0");
  if (!(class_mix_drift >= 0.0 && class_mix_drift <= 1.0))
    return Bad("class_mix_drift", Num(class_mix_drift), "must be in [0, 1]");
  if (!(class_min_weight >= 0.0 && class_min_weight < 1.0))
    return Bad("class_min_weight", Num(class_min_weight), "must be in [0, 1)");
  if (condition_min_windows < 1)
    return Bad("condition_min_windows", std::to_string(condition_min_windows), "must be at least 1");
  if (condition_max_windows < condition_min_windows)
    return Bad("condition_max_windows", std::to_string(condition_max_windows),
               "must be at least condition_min_windows (" + std::to_string(condition_min_windows) + ")");
  if (!(severity_min >= 0.0 && severity_min <= 1.0)) return Bad("severity_min", Num(severity_min), "must be in [0, 1]");
  if (!(severity_max >= severity_min && severity_max <= 1.0))
    return Bad("severity_max", Num(severity_max), "must be in [severity_min, 1]");
  if (!(severity_ramp >= 0.0)) return Bad("severity_ramp", Num(severity_ramp), "must be at least 0");
  if (!(severity_spread >= 0.0)) return Bad("severity_spread", Num(severity_spread), "must be at least 0");
  if (!(clear_probability >= 0.0 && clear_probability <= 1.0))
    return Bad("clear_probability", Num(clear_probability), "must be in [0, 1]");
  if (jitter_max_shift_px < 0) return Bad("jitter_max_shift_px", std::to_string(jitter_max_shift_px), "must be at least 0");
  if (!(jitter_brightness >= 0.0)) return Bad("jitter_brightness", Num(jitter_brightness), "must be at least 0");
  if (!(window_seconds > 0.0)) return Bad("window_seconds", Num(window_seconds), "must be greater than 0");
  if (!(labelling_delay_seconds >= 0.0))
    return Bad("labelling_delay_seconds", Num(labelling_delay_seconds), "must be at least 0");
  return Status::Ok();
}

Result<std::unique_ptr<DriftBenchmark>> DriftBenchmark::Create(const DriftOptions& options, LabelledImages pool) {
  try {
    return CreateUnchecked(options, std::move(pool));
  } catch (const std::exception& e) {  // std::bad_alloc, in practice
    return Status::Internal(std::string("drift benchmark: building the scenario failed: ") + e.what());
  }
}

Result<std::unique_ptr<DriftBenchmark>> DriftBenchmark::CreateUnchecked(const DriftOptions& options,
                                                                       LabelledImages pool) {
  EKYA_RETURN_IF_ERROR(options.Validate());
  const DriftOptions& o = options;
  const size_t n = pool.size();
  if (n == 0 || pool.images.rows < 1 || pool.images.cols < 1)
    return Status::InvalidArgument("drift benchmark: the image pool is empty");
  if (pool.images.size() != n || pool.images.pixels.size() != n * pool.images.pixels_per_image())
    return Status::InvalidArgument("drift benchmark: the pool holds " + std::to_string(pool.images.size()) +
                                   " images but " + std::to_string(n) + " labels");
  const int k = pool.num_classes;
  if (k < 2) return Status::InvalidArgument("drift benchmark: the pool has " + std::to_string(k) + " classes; at least 2 are needed");
  for (size_t i = 0; i < n; ++i) {
    if (pool.labels[i] < 0 || pool.labels[i] >= k)
      return Status::InvalidArgument("drift benchmark: pool label " + std::to_string(pool.labels[i]) + " of image " +
                                     std::to_string(i) + " is outside [0, " + std::to_string(k) + ")");
  }
  if (o.classes_present_max > k)
    return Bad("classes_present_max", std::to_string(o.classes_present_max),
               "must be at most the number of classes of the dataset (" + std::to_string(k) + ")");

  std::unique_ptr<DriftBenchmark> b(new DriftBenchmark());
  b->options_ = o;
  b->num_classes_ = k;
  b->rows_ = pool.images.rows;
  b->cols_ = pool.images.cols;

  // 1. Shuffle with base_seed and bucket by class (each bucket keeps the
  // shuffled order); the base sets are taken from the front of the buckets.
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), size_t{0});
  Rng shuffle_rng(DeriveSeed(o.base_seed, {kTagShuffle}));
  shuffle_rng.Shuffle(perm);
  std::vector<std::vector<size_t>> by_class(k);
  for (size_t i : perm) by_class[pool.labels[i]].push_back(i);
  std::vector<size_t> cursor(k, 0);

  // 2. Base sets: exactly uniform class mix, taken first.
  auto take_base = [&](int size, const char* name, std::vector<size_t>& out) -> Status {
    for (int c = 0; c < k; ++c) {
      const size_t quota = static_cast<size_t>(size / k + (c < size % k ? 1 : 0));
      if (by_class[c].size() - cursor[c] < quota) {
        return Status::ResourceExhausted(
            "drift benchmark: the " + std::string(name) + " set needs " + std::to_string(quota) +
            " images of class " + std::to_string(c) + " but only " + std::to_string(by_class[c].size() - cursor[c]) +
            " are left in the pool; lower base_train_size or base_test_size");
      }
      for (size_t i = 0; i < quota; ++i) out.push_back(by_class[c][cursor[c]++]);
    }
    return Status::Ok();
  };
  EKYA_RETURN_IF_ERROR(take_base(o.base_train_size, "base training", b->base_train_source_));
  EKYA_RETURN_IF_ERROR(take_base(o.base_test_size, "base test", b->base_test_source_));
  Rng base_rng(DeriveSeed(o.base_seed, {kTagBase}));
  base_rng.Shuffle(b->base_train_source_);
  base_rng.Shuffle(b->base_test_source_);
  b->base_train_ = pool.Select(b->base_train_source_);
  b->base_test_ = pool.Select(b->base_test_source_);
  // The rest of each class is reshuffled with the scenario's seed, so that the
  // streams' images change with `seed` while the base sets do not.
  for (int c = 0; c < k; ++c) {
    Rng rest_rng(DeriveSeed(o.seed, {kTagShuffle, static_cast<uint64_t>(c)}));
    std::vector<size_t> rest(by_class[c].begin() + static_cast<std::ptrdiff_t>(cursor[c]), by_class[c].end());
    rest_rng.Shuffle(rest);
    std::copy(rest.begin(), rest.end(), by_class[c].begin() + static_cast<std::ptrdiff_t>(cursor[c]));
  }

  // 3. Plan every stream: class mixes, appearances, tracks.
  Rng appearance_rng(DeriveSeed(o.seed, {kTagAppearance}));
  const std::vector<std::vector<Appearance>> appearances = PlanAppearances(o, appearance_rng);
  b->plans_.assign(o.streams, std::vector<WindowPlan>(o.windows));
  // demand[s][c]: distinct images of class c that stream s shows over all windows.
  std::vector<std::vector<size_t>> demand(o.streams, std::vector<size_t>(k, 0));
  const double p_stop = 1.0 / o.mean_track_length;  // geometric length with mean mean_track_length
  for (int s = 0; s < o.streams; ++s) {
    Rng mix_rng(DeriveSeed(o.seed, {kTagMix, static_cast<uint64_t>(s)}));
    const std::vector<std::vector<double>> mixes = PlanMixes(o, k, mix_rng);
    for (int t = 0; t < o.windows; ++t) {
      WindowPlan& plan = b->plans_[s][t];
      plan.appearance = appearances[s][t];
      plan.mix = mixes[t];
      Rng rng(DeriveSeed(o.seed, {kTagTracks, static_cast<uint64_t>(s), static_cast<uint64_t>(t)}));
      std::vector<double> cumulative(k);
      std::partial_sum(plan.mix.begin(), plan.mix.end(), cumulative.begin());
      size_t frame = 0;
      const size_t total = static_cast<size_t>(o.frames_per_window);
      while (frame < total) {
        Track track;
        int length = 1;
        if (p_stop < 1.0) {
          const double u = std::max(rng.Uniform(), 1e-300);
          length += static_cast<int>(std::min(1e6, std::floor(std::log(u) / std::log(1.0 - p_stop))));
        }
        track.length = static_cast<int>(std::min<size_t>(static_cast<size_t>(length), total - frame));
        track.first_frame = frame;
        const double x = rng.Uniform() * cumulative.back();
        track.label = static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
        track.label = std::min(track.label, k - 1);
        while (plan.mix[track.label] <= 0.0 && track.label > 0) --track.label;  // guard against rounding
        const double spread = rng.Uniform(-1.0, 1.0) * o.severity_spread;
        track.severity = plan.appearance.condition == Condition::kClear
                             ? 0.0
                             : std::clamp(plan.appearance.severity + spread, 0.0, 1.0);
        std::vector<int> offsets(track.length);
        std::iota(offsets.begin(), offsets.end(), 0);
        const int picks = std::min(o.sample_per_track, track.length);
        for (int i = 0; i < picks; ++i)
          std::swap(offsets[i], offsets[i + rng.Below(static_cast<uint64_t>(track.length - i))]);
        track.sample_offsets.assign(offsets.begin(), offsets.begin() + picks);
        std::sort(track.sample_offsets.begin(), track.sample_offsets.end());
        ++demand[s][track.label];
        frame += static_cast<size_t>(track.length);
        plan.tracks.push_back(std::move(track));
      }
    }
  }

  // 4. Capacity check and stream pools: the images left after the base sets
  // are shared out per class in proportion to demand (each stream gets what it
  // needs plus an even part of the surplus), in disjoint slices.
  std::vector<std::vector<std::vector<size_t>>> stream_pool(o.streams, std::vector<std::vector<size_t>>(k));
  for (int c = 0; c < k; ++c) {
    const size_t available = by_class[c].size() - cursor[c];
    size_t needed = 0;
    for (int s = 0; s < o.streams; ++s) needed += demand[s][c];
    if (needed > available) {
      int worst = 0;
      for (int s = 1; s < o.streams; ++s)
        if (demand[s][c] > demand[worst][c]) worst = s;
      const size_t others = needed - demand[worst][c];
      const size_t left_for_it = available > others ? available - others : 0;
      return Status::ResourceExhausted(
          "drift benchmark capacity check failed: stream " + std::to_string(worst) + " needs " +
          std::to_string(demand[worst][c]) + " distinct images of class " + std::to_string(c) + " over " +
          std::to_string(o.windows) + " windows (one per track), but only " + std::to_string(left_for_it) +
          " are available to it: class " + std::to_string(c) + " has " + std::to_string(available) +
          " images left after the base sets (base_train_size=" + std::to_string(o.base_train_size) +
          ", base_test_size=" + std::to_string(o.base_test_size) + ") and all " + std::to_string(o.streams) +
          " streams need " + std::to_string(needed) + "; lower windows (" + std::to_string(o.windows) +
          "), frames_per_window (" + std::to_string(o.frames_per_window) + ") or streams (" +
          std::to_string(o.streams) + "), raise mean_track_length (" + Num(o.mean_track_length) +
          "), or lower base_train_size / base_test_size");
    }
    const size_t surplus_each = (available - needed) / static_cast<size_t>(o.streams);
    for (int s = 0; s < o.streams; ++s) {
      const size_t count = demand[s][c] + surplus_each;
      auto first = by_class[c].begin() + static_cast<std::ptrdiff_t>(cursor[c]);
      stream_pool[s][c].assign(first, first + static_cast<std::ptrdiff_t>(count));
      cursor[c] += count;
    }
  }
  // 5. Give every track its own image, consuming the stream's pool in window order.
  for (int s = 0; s < o.streams; ++s) {
    std::vector<size_t> next(k, 0);
    for (int t = 0; t < o.windows; ++t)
      for (Track& track : b->plans_[s][t].tracks) track.source = stream_pool[s][track.label][next[track.label]++];
  }
  b->pool_ = std::move(pool);
  return b;
}

const DriftBenchmark::WindowPlan* DriftBenchmark::Plan(int stream, int window) const {
  if (stream < 0 || stream >= streams() || window < 0 || window >= windows()) return nullptr;
  return &plans_[stream][window];
}

Status DriftBenchmark::CheckIndices(int stream, int window) const {
  if (stream < 0 || stream >= streams())
    return Status::InvalidArgument("stream " + std::to_string(stream) + " does not exist (the benchmark has " +
                                   std::to_string(streams()) + " streams)");
  if (window < 0 || window >= windows())
    return Status::InvalidArgument("window " + std::to_string(window) + " does not exist (the benchmark has " +
                                   std::to_string(windows()) + " windows)");
  return Status::Ok();
}

Appearance DriftBenchmark::AppearanceOf(int stream, int window) const {
  const WindowPlan* plan = Plan(stream, window);
  assert(plan != nullptr);
  return plan ? plan->appearance : Appearance{};
}

std::vector<double> DriftBenchmark::ClassMix(int stream, int window) const {
  const WindowPlan* plan = Plan(stream, window);
  return plan ? plan->mix : std::vector<double>{};
}

size_t DriftBenchmark::NumTracks(int stream, int window) const {
  const WindowPlan* plan = Plan(stream, window);
  return plan ? plan->tracks.size() : 0;
}

std::vector<size_t> DriftBenchmark::SourceIndicesOfWindow(int stream, int window) const {
  std::vector<size_t> out;
  if (const WindowPlan* plan = Plan(stream, window))
    for (const Track& track : plan->tracks) out.push_back(track.source);
  return out;
}

Result<WindowFrames> DriftBenchmark::Frames(int stream, int window) const {
  EKYA_RETURN_IF_ERROR(CheckIndices(stream, window));
  try {
    return Render(stream, window);
  } catch (const std::exception& e) {  // std::bad_alloc, in practice
    return Status::Internal("drift benchmark: rendering stream " + std::to_string(stream) + " window " +
                            std::to_string(window) + " failed: " + e.what());
  }
}

WindowFrames DriftBenchmark::Render(int stream, int window) const {
  const WindowPlan& plan = plans_[stream][window];
  WindowFrames out;
  out.stream = stream;
  out.window = window;
  out.appearance = plan.appearance;
  out.frames.rows = rows_;
  out.frames.cols = cols_;
  const size_t ppi = out.frames.pixels_per_image();
  out.frames.pixels.resize(static_cast<size_t>(options_.frames_per_window) * ppi);
  out.track_of_frame.resize(static_cast<size_t>(options_.frames_per_window));
  const JitterOptions jitter{options_.jitter_max_shift_px, options_.jitter_brightness};
  for (size_t i = 0; i < plan.tracks.size(); ++i) {
    const Track& track = plan.tracks[i];
    Rng rng(DeriveSeed(options_.seed, {kTagRender, static_cast<uint64_t>(stream), static_cast<uint64_t>(window), i}));
    const Appearance look{plan.appearance.condition, track.severity};
    const uint8_t* source = pool_.images.image(track.source);
    for (int f = 0; f < track.length; ++f) {
      const size_t frame = track.first_frame + static_cast<size_t>(f);
      uint8_t* dst = out.frames.mutable_image(frame);
      std::copy(source, source + ppi, dst);
      Jitter(dst, rows_, cols_, rng, jitter);
      ApplyAppearance(look, dst, rows_, cols_, rng);
      out.track_of_frame[frame] = static_cast<int>(i);
    }
    for (int offset : track.sample_offsets) out.sample_frames.push_back(track.first_frame + static_cast<size_t>(offset));
  }
  return out;
}

Result<std::vector<int>> DriftBenchmark::TruthLabels(int stream, int window) const {
  EKYA_RETURN_IF_ERROR(CheckIndices(stream, window));
  std::vector<int> labels;
  labels.reserve(static_cast<size_t>(options_.frames_per_window));
  for (const Track& track : plans_[stream][window].tracks) labels.insert(labels.end(), track.length, track.label);
  return labels;
}

Result<std::vector<int>> DriftBenchmark::SampleTruthLabels(int stream, int window) const {
  EKYA_RETURN_IF_ERROR(CheckIndices(stream, window));
  std::vector<int> labels;
  for (const Track& track : plans_[stream][window].tracks) labels.insert(labels.end(), track.sample_offsets.size(), track.label);
  return labels;
}

}  // namespace ekya
