#include "ekya/report/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ekya {
namespace {
int g_interactive_override = -1;
}

void Progress::SetInteractiveForTesting(int mode) { g_interactive_override = mode; }

Progress::Progress(std::string task, int64_t total)
    : task_(std::move(task)),
      total_(total),
      interactive_(g_interactive_override >= 0 ? g_interactive_override == 1 : isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!finished_ && interactive_ && last_draw_ >= 0) std::fputc('\n', stderr);
}

void Progress::Update(int64_t done, const std::string& detail) {
  if (!interactive_) return;
  double now = watch_.ElapsedSeconds();
  bool last = total_ > 0 && done >= total_;
  if (!last && last_draw_ >= 0 && now - last_draw_ < 0.2) return;  // at most 5 redraws a second
  last_draw_ = now;
  if (total_ > 0) {
    double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total_);
    std::fprintf(stderr, "\r\033[K%s  %lld/%lld (%.0f%%)  %.0fs  %s", task_.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total_), pct, now, detail.c_str());
  } else {
    std::fprintf(stderr, "\r\033[K%s  %lld  %.0fs  %s", task_.c_str(), static_cast<long long>(done), now,
                 detail.c_str());
  }
  std::fflush(stderr);
}

void Progress::Finish(const std::string& detail) {
  finished_ = true;
  double now = watch_.ElapsedSeconds();
  std::fprintf(stderr, "%s%s  done in %.1fs  %s\n", interactive_ ? "\r\033[K" : "", task_.c_str(), now,
               detail.c_str());
  std::fflush(stderr);
}

}  // namespace ekya
