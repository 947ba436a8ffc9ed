#include "ekya/common/parallel.h"

#include <atomic>
#include <thread>
#include <vector>

namespace ekya {

Status ParallelFor(int n, int threads, const std::function<Status(int)>& fn) {
  if (n <= 0) return Status::Ok();
  std::vector<Status> results(static_cast<size_t>(n));
  std::atomic<int> next{0};
  auto worker = [&]() {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      try {
        results[static_cast<size_t>(i)] = fn(i);
      } catch (const std::exception& e) {
        results[static_cast<size_t>(i)] = Status::Internal(std::string("uncaught exception: ") + e.what());
      }
    }
  };
  int extra = std::max(0, std::min(threads, n) - 1);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(extra));
  for (int k = 0; k < extra; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace ekya
