// Torch-free parts of model.h: spec helpers and the analytic FLOP count.
#include <algorithm>

#include "ekya/model/arch.h"
#include "ekya/model/model.h"

namespace ekya {

std::string ModelSpec::ToString() const {
  return arch + "-w" + std::to_string(width) + "-h" + std::to_string(hidden) + "-c" +
         std::to_string(num_classes) + "-s" + std::to_string(input_size) + "-i" + std::to_string(in_channels);
}

bool operator==(const ModelSpec& a, const ModelSpec& b) {
  return a.arch == b.arch && a.width == b.width && a.hidden == b.hidden && a.num_classes == b.num_classes &&
         a.input_size == b.input_size && a.in_channels == b.in_channels;
}

std::vector<std::string> KnownArchitectures() {
  return {"resnet8", "resnet14", "resnet20", "resnet18", "resnet34"};
}

Result<ArchLayout> LayoutOf(const ModelSpec& spec) {
  ArchLayout l;
  if (spec.arch == "resnet8" || spec.arch == "resnet14" || spec.arch == "resnet20") {
    const int depth = std::stoi(spec.arch.substr(6));
    const int n = (depth - 2) / 6;
    l.torchvision_stem = false;
    l.blocks = {n, n, n};
    l.widths = {spec.width, 2 * spec.width, 4 * spec.width};
    return l;
  }
  if (spec.arch == "resnet18" || spec.arch == "resnet34") {
    l.torchvision_stem = true;
    l.blocks = spec.arch == "resnet18" ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3};
    l.widths = {64, 128, 256, 512};
    return l;
  }
  std::string known;
  for (const auto& a : KnownArchitectures()) known += (known.empty() ? "" : ", ") + a;
  return Status::InvalidArgument("model.arch: unknown architecture '" + spec.arch + "' (known: " + known +
                                 ")");
}

Status ValidateModelSpec(const ModelSpec& spec) {
  auto layout = LayoutOf(spec);
  if (!layout.ok()) return layout.status();
  auto bad = [&](const std::string& field, int value, const std::string& allowed) {
    return Status::InvalidArgument("model." + field + " = " + std::to_string(value) + " is invalid (" +
                                   allowed + ") for " + spec.ToString());
  };
  if (spec.width < 1 || spec.width > 1024) return bad("width", spec.width, "1..1024");
  if (spec.hidden < 1 || spec.hidden > 65536) return bad("hidden", spec.hidden, "1..65536");
  if (spec.num_classes < 2 || spec.num_classes > 100000)
    return bad("num_classes", spec.num_classes, "2..100000");
  if (spec.input_size < 8 || spec.input_size > 1024) return bad("input_size", spec.input_size, "8..1024");
  if (spec.in_channels != 1 && spec.in_channels != 3) return bad("in_channels", spec.in_channels, "1 or 3");
  return Status::Ok();
}

namespace {

// Output side of a k x k window with stride s and padding p.
int OutSide(int in, int k, int s, int p) { return (in + 2 * p - k) / s + 1; }

double ConvFlops(int k, int cin, int cout, int hout) {
  return 2.0 * k * k * cin * cout * static_cast<double>(hout) * hout;
}

}  // namespace

FlopCount ComputeFlops(const ModelSpec& spec, TrainScope scope) {
  FlopCount out;
  if (!ValidateModelSpec(spec).ok()) return out;
  const ArchLayout layout = *LayoutOf(spec);
  double backbone = 0;
  int h = spec.input_size;
  int channels;
  if (layout.torchvision_stem) {
    h = OutSide(h, 7, 2, 3);
    backbone += ConvFlops(7, spec.in_channels, 64, h);
    h = OutSide(h, 3, 2, 1);  // max-pool
    channels = 64;
  } else {
    h = OutSide(h, 3, 2, 1);
    backbone += ConvFlops(3, spec.in_channels, layout.widths[0], h);
    channels = layout.widths[0];
  }
  for (size_t stage = 0; stage < layout.blocks.size(); ++stage) {
    const int w = layout.widths[stage];
    for (int b = 0; b < layout.blocks[stage]; ++b) {
      const int stride = (stage > 0 && b == 0) ? 2 : 1;
      const int hin = h;
      h = OutSide(hin, 3, stride, 1);
      backbone += ConvFlops(3, channels, w, h);                                    // conv1
      backbone += ConvFlops(3, w, w, h);                                           // conv2
      if (stride != 1 || channels != w) backbone += ConvFlops(1, channels, w, h);  // shortcut
      channels = w;
    }
  }
  const double head = 2.0 * channels * spec.hidden + 2.0 * spec.hidden * spec.num_classes;
  out.forward = backbone + head;
  out.backward_trainable = scope == TrainScope::kHeadOnly ? 2.0 * head : 2.0 * out.forward;
  out.train_step = out.forward + out.backward_trainable;
  return out;
}

}  // namespace ekya
