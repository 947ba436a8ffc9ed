#include <cstdio>

#include "commands.h"
#include "ekya/model/model.h"
#include "ekya/train/bench.h"

namespace ekya::app {

int RunBenchTrain(const BenchTrainArgs& args) {
  ModelSpec spec;
  spec.arch = args.model;
  spec.width = args.width;
  bool torchvision = args.model == "resnet18" || args.model == "resnet34";
  spec.input_size = args.input_size > 0 ? args.input_size : (torchvision ? 32 : 28);
  spec.hidden = 64;
  if (Status st = ValidateModelSpec(spec); !st.ok()) return ReportError(st);
  if (args.batch < 1 || args.threads < 1 || args.seconds <= 0) {
    return ReportError(Status::InvalidArgument("--batch, --threads and --seconds must be positive"));
  }
  auto r = BenchmarkThroughput(spec, args.batch, args.threads, args.seconds, /*seed=*/1);
  if (!r.ok()) return ReportError(r.status());
  std::printf("model=%s input=%d batch=%d threads=%d\n", spec.ToString().c_str(), spec.input_size, args.batch,
              args.threads);
  std::printf("forward_flops_per_sample=%.0f\n", r->flops_all_layers.forward);
  std::printf("train_step_flops_per_sample=%.0f\n", r->flops_all_layers.train_step);
  std::printf("train_head_only_samples_per_s=%.0f\n", r->train_head_only_samples_per_s);
  std::printf("train_samples_per_s=%.0f\n", r->train_samples_per_s);
  std::printf("infer_samples_per_s=%.0f\n", r->infer_samples_per_s);
  return 0;
}

}  // namespace ekya::app
