// ParallelFor: runs fn(i) for i in [0, n) on `threads` worker threads of this
// process (the caller's thread is one of them). Work is handed out one index
// at a time in increasing order. Returns the Status of the lowest failing
// index, or OK. fn must be safe to call concurrently for different i; callers
// that run libtorch inside give every call an explicit intra-op budget of
// its own (see model.h) so the workers never oversubscribe the cores.
#pragma once

#include <functional>

#include "ekya/common/status.h"

namespace ekya {

Status ParallelFor(int n, int threads, const std::function<Status(int)>& fn);

}  // namespace ekya
