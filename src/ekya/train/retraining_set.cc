#include "ekya/train/retraining_set.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ekya/common/rng.h"

namespace ekya {
namespace {

void Append(LabelledImages* into, const LabelledImages& from) {
  if (from.size() == 0) return;
  if (into->images.rows == 0) {
    into->images.rows = from.images.rows;
    into->images.cols = from.images.cols;
    into->num_classes = from.num_classes;
  }
  for (size_t i = 0; i < from.size(); ++i) into->AppendFrom(from, i);
}

std::vector<size_t> Shuffled(size_t n, Rng& rng) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  rng.Shuffle(idx);
  return idx;
}

}  // namespace

Result<RetrainingSet> BuildRetrainingSet(LabelFirewall& firewall, const LabelledImages& base_data, int stream,
                                         int window, const RetrainingSetOptions& options) {
  if (window < 1) {
    return Status::InvalidArgument("retraining before window " + std::to_string(window) +
                                   " has no labelled history (window 0 only collects data)");
  }
  if (!(options.validation_fraction >= 0 && options.validation_fraction < 1)) {
    return Status::InvalidArgument("validation fraction must be in [0, 1)");
  }
  RetrainingSet set;
  if (window >= 2) {
    EKYA_ASSIGN_OR_RETURN(set.train, firewall.History(stream, window - 1));
  }
  EKYA_ASSIGN_OR_RETURN(LabelledImages newest, firewall.LabelledSample(stream, window - 1));

  Rng rng(DeriveSeed(options.seed, {0x7265747261696eULL, static_cast<uint64_t>(stream),
                                    static_cast<uint64_t>(window)}));
  std::vector<size_t> order = Shuffled(newest.size(), rng);
  const size_t hold =
      static_cast<size_t>(std::floor(options.validation_fraction * static_cast<double>(newest.size())));
  std::vector<size_t> val_idx(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(hold));
  std::vector<size_t> train_idx(order.begin() + static_cast<std::ptrdiff_t>(hold), order.end());
  std::sort(val_idx.begin(), val_idx.end());
  std::sort(train_idx.begin(), train_idx.end());
  set.validation = newest.Select(val_idx);
  Append(&set.train, newest.Select(train_idx));

  std::vector<size_t> base_idx = Shuffled(base_data.size(), rng);
  base_idx.resize(std::min(base_idx.size(), static_cast<size_t>(std::max(0, options.base_sample))));
  std::sort(base_idx.begin(), base_idx.end());
  Append(&set.train, base_data.Select(base_idx));
  return set;
}

}  // namespace ekya
