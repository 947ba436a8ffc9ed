// GoldenLabeller: labels frames with the golden model (SPEC §2 step 1, the
// default `labels=golden`), as deployed systems have no human labels. It
// implements the data module's Labeller, so the label firewall calls it once
// per window, after the window has ended. It also counts the frames it
// labelled, so that the labelling compute can be charged.
// Thread-safe: the model is only read; the counter is atomic.
#pragma once

#include <atomic>
#include <cstdint>

#include "ekya/data/label_firewall.h"
#include "ekya/model/model.h"

namespace ekya {

class GoldenLabeller final : public Labeller {
 public:
  // `golden` must be valid; `threads` is the intra-op budget of each call.
  GoldenLabeller(Model golden, int threads) : golden_(std::move(golden)), threads_(threads) {}
  Result<std::vector<int>> Label(const ImageBatch& images) override;
  int64_t frames_labelled() const { return frames_labelled_.load(); }

 private:
  Model golden_;
  int threads_;
  std::atomic<int64_t> frames_labelled_{0};
};

}  // namespace ekya
