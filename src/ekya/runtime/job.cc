#include "ekya/runtime/job.h"

namespace ekya {

const char* JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kInference:
      return "inference";
    case JobKind::kRetraining:
      return "retraining";
    case JobKind::kProfiling:
      return "profiling";
    case JobKind::kLabelling:
      return "labelling";
  }
  return "unknown";
}

}  // namespace ekya
