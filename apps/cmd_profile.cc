// `ekya profile`: exhaustive profiling — every config trained in full in
// every window beside the micro-profiler's predictions (profiles.csv).
#include <cstdio>

#include "commands.h"
#include "ekya/common/files.h"
#include "ekya/microprofile/profile_study.h"
#include "ekya/report/run_output.h"
#include "wiring.h"

namespace ekya::app {

int RunProfile(const CommonArgs& args) {
  auto loaded = LoadSettings(args);
  if (!loaded.ok()) return ReportError(loaded.status());
  Settings settings = std::move(loaded).value();
  auto device = MakeDeviceModel(settings);
  if (!device.ok()) return ReportError(device.status());
  auto estimator = ParseCurveEstimator(settings.String("profiler.estimator"));
  if (!estimator.ok()) return ReportError(estimator.status());
  // Checked before any model trains (profiler.prior).
  auto profiler = MakeProfilerOptions(settings);
  if (!profiler.ok()) return ReportError(profiler.status());
  auto bench = LoadBenchmark(settings);
  if (!bench.ok()) return ReportError(bench.status());
  auto store = EnsureModels(settings, **bench, /*force=*/false);
  if (!store.ok()) return ReportError(store.status());

  std::map<int, Model> bases;
  for (int hidden : HeadWidths(DefaultConfigSpace())) {
    auto m = (*store)->Base(hidden);
    if (!m.ok()) return ReportError(m.status());
    bases[hidden] = *m;
  }
  auto golden = (*store)->Golden();
  if (!golden.ok()) return ReportError(golden.status());

  ProfileStudyOptions o;
  o.profiler = std::move(profiler).value();
  o.profiler.device = *device;
  o.labels = settings.String("labels") == "golden" ? LabelSource::kGolden : LabelSource::kGroundTruth;
  o.threads = static_cast<int>(settings.Int("threads"));
  auto study = RunProfileStudy(**bench, bases, bases.at(64), *golden, o);
  if (!study.ok()) return ReportError(study.status());

  const ProfilerQuality q = AssessProfiles(study->rows);
  for (const auto& [name, text] :
       {std::pair<std::string, std::string>{"profiles.csv", ProfilesCsv(study->rows)},
        {"inference_profile.csv", InferenceProfileCsv(study->inference)},
        {"profiler_costs.csv", ProfilerCostsCsv(*study)},
        {"estimators.csv", EstimatorsCsv(*study)},
        {"held_out.csv", HeldOutCsv(*study)},
        {"settings.yaml", settings.ToYaml()}}) {
    if (Status st = WriteFileWhole(args.out + "/" + name, text); !st.ok()) return ReportError(st);
  }
  std::printf("%s", ProfileStudyTable(*study, q, (*bench)->streams(), (*bench)->windows(),
                                      settings.Double("window_seconds"))
                        .c_str());
  std::printf("%s", EstimatorsTable(*study).c_str());
  std::printf("wrote %s/profiles.csv\n", args.out.c_str());
  return 0;
}

}  // namespace ekya::app
