#include "sim/sim_fixture.h"

#include <cstdio>
#include <cstdlib>

namespace ekya::testing {

const char kSimProfilesCsv[] =
    "stream,window,config,epochs,predicted_accuracy,predicted_cost_s,measured_accuracy,measured_cost_s\n"
    "0,1,none,0,0.62,0,0.6,0\n"
    "0,1,head-h64-f0.1,5,0.7,10,0.72,11.75\n"
    "0,1,head-h64-f0.5,5,0.55,20,0.64,22\n"
    "0,1,all-h1024-f0.5,15,0.85,60,0.88,70\n"
    "0,2,none,0,0.5,0,0.48,0\n"
    "0,2,head-h64-f0.1,5,0.66,10,0.64,12\n"
    "0,2,head-h64-f0.5,5,0.45,20,0.56,24\n"
    "0,2,all-h1024-f0.5,15,0.8,60,0.84,66\n"
    "1,1,none,0,0.78,0,0.8,0\n"
    "1,1,head-h64-f0.1,5,0.82,10,0.84,12\n"
    "1,1,head-h64-f0.5,5,0.7,20,0.8,22\n"
    "1,1,all-h1024-f0.5,15,0.9,60,0.92,72\n"
    "1,2,none,0,0.74,0,0.76,0\n"
    "1,2,head-h64-f0.1,5,0.8,10,0.8,12\n"
    "1,2,head-h64-f0.5,5,0.7,20,0.8,22\n"
    "1,2,all-h1024-f0.5,15,0.88,60,0.96,70\n";

const char kSimInferenceCsv[] =
    "stream,window,fraction,accuracy\n"
    "0,1,0.5,0.48\n"
    "0,1,1,0.6\n"
    "0,2,0.25,0.24\n"
    "0,2,0.5,0.36\n"
    "0,2,1,0.48\n";

const char kSimProfilerCostsCsv[] =
    "stream,window,seconds\n"
    "0,1,4\n"
    "0,2,4\n"
    "1,1,4\n"
    "1,2,4\n";

ProfileTable SimTable() {
  Result<ProfileTable> t = ProfileTable::Parse(kSimProfilesCsv, kSimInferenceCsv);
  if (!t.ok()) {
    std::fprintf(stderr, "bad fixture: %s\n", t.status().ToString().c_str());
    std::abort();
  }
  return *t;
}

ProfilerCosts SimCosts() {
  Result<ProfilerCosts> c = ProfilerCosts::Parse(kSimProfilerCostsCsv);
  if (!c.ok()) {
    std::fprintf(stderr, "bad fixture: %s\n", c.status().ToString().c_str());
    std::abort();
  }
  return *c;
}

SimWorkloadOptions SimOptions(int streams) {
  SimWorkloadOptions o;
  o.streams = streams;
  o.windows = 0;
  o.chunks = 4;
  o.frames_per_window = 100;
  o.r_max = 0.25;
  o.labelling_seconds_per_frame = 0.01;
  o.frames_labelled_per_window = 100;
  o.retraining_steps = 20;
  o.profiling_steps = 4;
  return o;
}

}  // namespace ekya::testing
