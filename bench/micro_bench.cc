// Micro benchmarks: rendering the drift conditions, rendering a whole window,
// the credit sampler, the thief's decision and the estimator. Run: build/bench/ekya_micro_bench [--benchmark_format=csv]
#include <benchmark/benchmark.h>

#include <vector>

#include "ekya/common/rng.h"
#include "ekya/data/appearance.h"
#include "ekya/data/drift_benchmark.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/sched/estimator.h"
#include "ekya/sched/policy.h"
#include "ekya/sched/synthetic.h"

namespace ekya {
namespace {

void BM_ApplyAppearance(benchmark::State& state) {
  const Condition condition = ConditionFromIndex(static_cast<int>(state.range(0)));
  std::vector<uint8_t> image(28 * 28, 100);
  Rng rng(1);
  for (auto _ : state) {
    ApplyAppearance({condition, 0.7}, image.data(), 28, 28, rng);
    benchmark::DoNotOptimize(image.data());
  }
  state.SetLabel(ConditionName(condition));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyAppearance)->DenseRange(0, kNumConditions - 1);

void BM_RenderWindow(benchmark::State& state) {
  LabelledImages pool;
  pool.num_classes = 10;
  pool.images.rows = pool.images.cols = 28;
  Rng rng(2);
  for (int i = 0; i < 8000; ++i) {
    std::vector<uint8_t> img(28 * 28);
    for (auto& p : img) p = static_cast<uint8_t>(rng.Below(256));
    pool.images.Append(img.data());
    pool.labels.push_back(i % 10);
  }
  DriftOptions o;
  o.streams = 2;
  o.windows = 3;
  o.base_train_size = 1000;
  o.base_test_size = 200;
  auto bench = DriftBenchmark::Create(o, std::move(pool));
  if (!bench.ok()) {
    state.SkipWithError(bench.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    auto frames = (*bench)->Frames(0, 1);
    benchmark::DoNotOptimize(frames);
  }
  state.SetItemsProcessed(state.iterations() * o.frames_per_window);
}
BENCHMARK(BM_RenderWindow)->Unit(benchmark::kMillisecond);

void BM_CreditSampler(benchmark::State& state) {
  CreditSampler sampler(0.37);
  int64_t analysed = 0;
  for (auto _ : state) analysed += sampler.Next() ? 1 : 0;
  benchmark::DoNotOptimize(analysed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreditSampler);


// The thief's decision on a synthetic snapshot (streams, devices; 18 configs).
void BM_ThiefDecide(benchmark::State& state) {
  SyntheticOptions o;
  o.streams = static_cast<int>(state.range(0));
  o.devices = static_cast<int>(state.range(1));
  o.configs = 18;
  Snapshot snapshot = *MakeSyntheticSnapshot(o);
  std::unique_ptr<Policy> thief = *MakePolicy("thief", Settings());
  for (auto _ : state) benchmark::DoNotOptimize(thief->Decide(snapshot));
}
BENCHMARK(BM_ThiefDecide)->Args({10, 8})->Args({100, 64})->Unit(benchmark::kMillisecond);

// The estimator alone: one fair allocation of a synthetic snapshot.
void BM_Estimate(benchmark::State& state) {
  SyntheticOptions o;
  o.streams = static_cast<int>(state.range(0));
  o.devices = 1;
  Snapshot snapshot = *MakeSyntheticSnapshot(o);
  std::unique_ptr<Policy> fair = *MakePolicy("fair-sco", Settings());
  Allocation allocation = *fair->Decide(snapshot);
  for (auto _ : state) benchmark::DoNotOptimize(EstimateAllocation(snapshot, allocation, EstimatorOptions{}));
}
BENCHMARK(BM_Estimate)->Arg(4)->Arg(16);

}  // namespace
}  // namespace ekya
