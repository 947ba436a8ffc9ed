// The data a retraining job of window t trains on (SPEC §2, §5): the stream's
// labelled samples of windows 0..t−1, obtained through the label firewall,
// plus a seeded sample of the clean base data. A held-out slice of the newest
// window's sample (never trained on) is the validation set that picks the
// best epoch; the micro-profiler uses the same slice.
//
// Pure function of its inputs and the seed; thread-safe as far as the
// firewall is (LabelFirewall is).
#pragma once

#include <cstdint>

#include "ekya/common/status.h"
#include "ekya/data/image.h"
#include "ekya/data/label_firewall.h"

namespace ekya {

struct RetrainingSetOptions {
  int base_sample = 500;             // clean base images added (all of them if fewer exist)
  double validation_fraction = 0.2;  // of the newest window's sample, in [0, 1)
  uint64_t seed = 1;
};

struct RetrainingSet {
  LabelledImages train;
  LabelledImages validation;
};

// Returns the set for training stream `stream`'s model before window `window`
// (history 0..window−1). InvalidArgument for window < 1; PermissionDenied
// (from the firewall) when the clock has not passed the end of window−1.
Result<RetrainingSet> BuildRetrainingSet(LabelFirewall& firewall, const LabelledImages& base_data, int stream,
                                         int window, const RetrainingSetOptions& options);

}  // namespace ekya
