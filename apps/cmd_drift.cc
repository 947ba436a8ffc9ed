#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "ekya/common/files.h"
#include "ekya/drift/drift_study.h"
#include "wiring.h"

namespace ekya::app {

int RunDrift(const CommonArgs& args) {
  auto loaded = LoadSettings(args);
  if (!loaded.ok()) return ReportError(loaded.status());
  Settings settings = std::move(loaded).value();
  // The benchmark's hardness is measured against the ground truth.
  if (Status st = settings.Set("labels", "ground_truth"); !st.ok()) return ReportError(st);

  auto bench = LoadBenchmark(settings);
  if (!bench.ok()) return ReportError(bench.status());
  auto store = EnsureModels(settings, **bench, /*force=*/false);
  if (!store.ok()) return ReportError(store.status());
  auto base = (*store)->Base(1024);
  if (!base.ok()) return ReportError(base.status());
  auto golden = (*store)->Golden();
  if (!golden.ok()) return ReportError(golden.status());

  DriftStudyOptions options;
  options.config = MakeCostliestConfig(settings);
  options.base_sample = static_cast<int>(settings.Int("train.base_sample"));
  options.validation_fraction = settings.Double("train.validation_fraction");
  options.threads = static_cast<int>(settings.Int("threads"));
  options.seed = static_cast<uint64_t>(settings.Int("seed"));
  auto report = MeasureDrift(**bench, *base, *golden, options);
  if (!report.ok()) return ReportError(report.status());

  if (Status st = WriteFileWhole(args.out + "/drift.json", report->ToJson()); !st.ok()) return ReportError(st);
  if (Status st = WriteFileWhole(args.out + "/drift_windows.csv", report->ToWindowsCsv()); !st.ok()) {
    return ReportError(st);
  }
  if (Status st = WriteFileWhole(args.out + "/settings.yaml", settings.ToYaml()); !st.ok()) return ReportError(st);
  std::printf("%s", report->ToTable().c_str());
  std::printf("wrote %s/drift.json\n", args.out.c_str());
  return 0;
}

}  // namespace ekya::app
