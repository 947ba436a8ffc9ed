// The drift benchmark's defaults are frozen (docs/decisions/0002): the frames
// and labels of the default scenario must not change. If this fails after a
// deliberate change, write the decision page, rerun every published number,
// and then update the fingerprint below.
#include <gtest/gtest.h>

#include <filesystem>

#include "ekya/data/drift_benchmark.h"
#include "ekya/data/idx.h"
#include "ekya/data/label_firewall.h"

namespace ekya {
namespace {

constexpr const char* kFashionMnist = "/usr/share/datasets/fashion-mnist";
// FNV-1a over every frame and label of the default scenario (seed 1).
constexpr uint64_t kFrozenFingerprint = 0x82e29020f53f607bULL;

uint64_t Fnv(uint64_t h, const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

TEST(FrozenBenchmarkTest, DefaultScenarioIsUnchanged) {
  if (!std::filesystem::exists(std::string(kFashionMnist) + "/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  }
  auto pool = LoadFashionMnist(kFashionMnist);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  DriftOptions options;  // the frozen defaults
  auto bench = DriftBenchmark::Create(options, std::move(pool).value());
  ASSERT_TRUE(bench.ok()) << bench.status().ToString();
  GroundTruthScorer scorer(**bench);
  uint64_t h = 0xcbf29ce484222325ULL;
  h = Fnv(h, (*bench)->BaseTrain().images.pixels.data(), (*bench)->BaseTrain().images.pixels.size());
  for (int s = 0; s < options.streams; ++s) {
    for (int t = 0; t < options.windows; ++t) {
      auto frames = (*bench)->Frames(s, t);
      ASSERT_TRUE(frames.ok());
      h = Fnv(h, frames->frames.pixels.data(), frames->frames.pixels.size());
      auto truth = scorer.TruthLabels(s, t);
      ASSERT_TRUE(truth.ok());
      for (int label : *truth) {
        uint8_t b = static_cast<uint8_t>(label);
        h = Fnv(h, &b, 1);
      }
    }
  }
  EXPECT_EQ(h, kFrozenFingerprint) << "fingerprint 0x" << std::hex << h
                                   << ": the default drift benchmark changed (docs/decisions/0002)";
}

}  // namespace
}  // namespace ekya
