#include "cli_common.h"

#include <cstdio>

namespace ekya::app {

void AddCommonOptions(CLI::App* cmd, CommonArgs* args, bool with_out, bool out_required) {
  cmd->add_option("--config", args->config, "scenario file (YAML), e.g. configs/default.yaml");
  cmd->add_option("--set", args->sets, "override a setting: key=value (repeatable)")->take_all();
  cmd->add_option("--seed", args->seed, "seed of the run (the setting 'seed')");
  if (with_out) {
    auto* out = cmd->add_option("--out", args->out, "output directory");
    if (out_required) out->required();
  }
}

Result<Settings> LoadSettings(const CommonArgs& args) {
  Settings settings;
  if (!args.config.empty()) EKYA_RETURN_IF_ERROR(settings.LoadYamlFile(args.config));
  for (const auto& s : args.sets) EKYA_RETURN_IF_ERROR(settings.ApplyOverride(s).WithContext("--set"));
  if (args.seed) EKYA_RETURN_IF_ERROR(settings.Set("seed", std::to_string(*args.seed)).WithContext("--seed"));
  return settings;
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "ekya: error: %s\n", status.ToString().c_str());
  bool bad_input = status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ||
                   status.code() == StatusCode::kCorrupt || status.code() == StatusCode::kResourceExhausted;
  return bad_input ? 2 : 1;
}

}  // namespace ekya::app
