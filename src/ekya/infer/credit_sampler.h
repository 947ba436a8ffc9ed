// CreditSampler: which frames an inference job analyses at a given share
// (SPEC §2.1, §5). Torch-free.
//
// The analysed fraction is f = min(1, share / r_max) (FromShare) or set
// directly, clamped to [0, 1]. Frames are numbered k = 0, 1, 2, ... across
// calls (the state persists across the chunks of a window until Reset()).
// Frame k is analysed iff ceil((k+1)·f) > ceil(k·f). Hence frame 0 is analysed
// whenever f > 0, f = 1 analyses every frame, f = 0 none, and over the first n
// frames exactly ceil(n·f) are analysed, spread evenly (the credit rule: one
// unit of credit accrues per 1/f frames). The ceilings are taken with a 1e-9
// tolerance so that k·f landing a rounding error above an integer does not
// analyse a frame early.
//
// SetFraction(g) changes the rate from the next frame on without losing the
// credit accrued so far: afterwards frame k is analysed iff
// ceil(c + (j+1)·g) > ceil(c + j·g), where c is the credit accrued before the
// change and j counts frames since it. Setting the same fraction again is a
// no-op.
//
// A plain value; not synchronised (one per inference job).
#pragma once

#include <cstdint>

namespace ekya {

class CreditSampler {
 public:
  explicit CreditSampler(double fraction = 1.0) { SetFraction(fraction); }
  // f = min(1, share / r_max); share <= 0 or r_max <= 0 gives f = 0 (r_max
  // <= 0 with share > 0 gives 1).
  static CreditSampler FromShare(double share, double r_max);
  static double FractionFromShare(double share, double r_max);

  // Decides the next frame: true when it is to be analysed.
  bool Next();
  void SetFraction(double fraction);
  // Frame numbering, credit and counters start again from 0.
  void Reset();

  double fraction() const { return fraction_; }
  int64_t frames_seen() const { return frames_seen_; }
  int64_t frames_analysed() const { return frames_analysed_; }

 private:
  double fraction_ = 1.0;
  double credit_base_ = 0;    // credit accrued before the last fraction change
  int64_t since_change_ = 0;  // frames since the last fraction change
  int64_t frames_seen_ = 0;
  int64_t frames_analysed_ = 0;
};

}  // namespace ekya
