// Private to model/: the layer layout of each architecture, shared by the
// analytic FLOP count (model_spec.cc) and the network builder
// (network_torch.cc). Torch-free.
#pragma once

#include <vector>

#include "ekya/common/status.h"
#include "ekya/model/model.h"

namespace ekya {

struct ArchLayout {
  bool torchvision_stem = false;  // 7x7/2 conv + 3x3/2 max-pool; else a 3x3/2 conv
  std::vector<int> blocks;        // basic blocks per stage
  std::vector<int> widths;        // channels per stage
  int features() const { return widths.back(); }
};

// InvalidArgument (listing the known architectures) for an unknown arch.
Result<ArchLayout> LayoutOf(const ModelSpec& spec);

}  // namespace ekya
