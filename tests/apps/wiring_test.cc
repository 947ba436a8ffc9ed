// The settings' defaults and the option structs' defaults agree, so a
// component built without settings behaves like the default scenario.
#include "wiring.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace ekya::app {
namespace {

TEST(WiringTest, DriftOptionsDefaultsMatchSettings) {
  Settings settings;
  DriftOptions from_settings = MakeDriftOptions(settings);
  DriftOptions defaults;
  EXPECT_EQ(from_settings.streams, defaults.streams);
  EXPECT_EQ(from_settings.windows, defaults.windows);
  EXPECT_EQ(from_settings.seed, defaults.seed);
  EXPECT_EQ(from_settings.base_seed, defaults.base_seed);
  EXPECT_EQ(from_settings.frames_per_window, defaults.frames_per_window);
  EXPECT_DOUBLE_EQ(from_settings.mean_track_length, defaults.mean_track_length);
  EXPECT_EQ(from_settings.sample_per_track, defaults.sample_per_track);
  EXPECT_EQ(from_settings.base_train_size, defaults.base_train_size);
  EXPECT_EQ(from_settings.base_test_size, defaults.base_test_size);
  EXPECT_EQ(from_settings.classes_present_min, defaults.classes_present_min);
  EXPECT_EQ(from_settings.classes_present_max, defaults.classes_present_max);
  EXPECT_DOUBLE_EQ(from_settings.class_mix_concentration, defaults.class_mix_concentration);
  EXPECT_DOUBLE_EQ(from_settings.class_mix_drift, defaults.class_mix_drift);
  EXPECT_EQ(from_settings.condition_min_windows, defaults.condition_min_windows);
  EXPECT_EQ(from_settings.condition_max_windows, defaults.condition_max_windows);
  EXPECT_DOUBLE_EQ(from_settings.severity_min, defaults.severity_min);
  EXPECT_DOUBLE_EQ(from_settings.severity_max, defaults.severity_max);
  EXPECT_DOUBLE_EQ(from_settings.severity_ramp, defaults.severity_ramp);
  EXPECT_DOUBLE_EQ(from_settings.clear_probability, defaults.clear_probability);
  EXPECT_DOUBLE_EQ(from_settings.window_seconds, defaults.window_seconds);
  EXPECT_DOUBLE_EQ(from_settings.labelling_delay_seconds, defaults.labelling_delay_seconds);
  EXPECT_TRUE(from_settings.Validate().ok());
}

TEST(WiringTest, PretrainOptionsCoverTheConfigSpace) {
  Settings settings;
  PretrainOptions o = MakePretrainOptions(settings);
  EXPECT_EQ(o.head_widths, (std::vector<int>{64, 1024}));
  EXPECT_EQ(o.base.arch, "resnet8");
  EXPECT_NE(o.data_id.find("base_seed="), std::string::npos);
  EXPECT_EQ(MakeCostliestConfig(settings).Id(), "all-h1024-f1.0-e30");
}

// profiler.prior: the default scenario's prior is the shipped seed-4
// profile; a folder without profiles.csv is refused by the setting's name.
TEST(WiringTest, ProfilerPriorIsLoadedOrRefusedByName) {
  Settings settings;
  ASSERT_TRUE(settings.LoadYamlFile("configs/default.yaml").ok());
  Result<MicroProfilerOptions> o = MakeProfilerOptions(settings);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(o->prior.empty());
  EXPECT_GT(o->prior.groups, 0);
  EXPECT_DOUBLE_EQ(o->prior_weight, 0.75);
  ASSERT_TRUE(settings.Set("seed", "4").ok());
  o = MakeProfilerOptions(settings);
  ASSERT_FALSE(o.ok()) << "the prior was learnt on the streams of seed 4";
  EXPECT_NE(o.status().ToString().find("seed 4"), std::string::npos) << o.status().ToString();
  ASSERT_TRUE(settings.Set("seed", "1").ok());
  ASSERT_TRUE(settings.Set("profiler.prior", "configs/no-such-profile").ok());
  o = MakeProfilerOptions(settings);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().ToString().find("profiler.prior"), std::string::npos) << o.status().ToString();
  ASSERT_TRUE(settings.Set("profiler.prior", "").ok());
  o = MakeProfilerOptions(settings);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->prior.empty());
}

// The defaults of device.flops and device.startup_seconds are the SPEC §2.1
// calibration rule applied to the default scenario.
TEST(WiringTest, DeviceDefaultsFollowTheCalibrationRule) {
  Settings settings;
  ASSERT_TRUE(settings.LoadYamlFile("configs/default.yaml").ok());
  Result<DeviceModel> calibrated = CalibrateDevice(settings);
  ASSERT_TRUE(calibrated.ok()) << calibrated.status().ToString();
  std::printf("calibrated: device.flops=%.4g device.startup_seconds=%.4g\n", calibrated->flops_per_second,
              calibrated->startup_seconds);
  Result<DeviceModel> configured = MakeDeviceModel(settings);
  ASSERT_TRUE(configured.ok());
  EXPECT_NEAR(configured->flops_per_second / calibrated->flops_per_second, 1.0, 0.01);
  EXPECT_NEAR(configured->startup_seconds, calibrated->startup_seconds, 0.02);
}

}  // namespace
}  // namespace ekya::app
