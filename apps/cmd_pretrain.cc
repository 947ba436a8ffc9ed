#include <cstdio>

#include "commands.h"
#include "wiring.h"

namespace ekya::app {

int RunPretrain(const CommonArgs& args, bool force) {
  auto settings = LoadSettings(args);
  if (!settings.ok()) return ReportError(settings.status());
  auto bench = LoadBenchmark(*settings);
  if (!bench.ok()) return ReportError(bench.status());
  auto store = EnsureModels(*settings, **bench, force);
  if (!store.ok()) return ReportError(store.status());
  std::printf("%-10s %-30s %-8s %10s %9s\n", "model", "spec", "cached", "clean_acc", "train_s");
  for (const auto& m : (*store)->models()) {
    std::printf("%-10s %-30s %-8s %10.4f %9.1f\n", m.name.c_str(), m.spec.ToString().c_str(),
                m.reused ? "yes" : "no", m.clean_accuracy, m.train_seconds);
  }
  return 0;
}

}  // namespace ekya::app
