#include "base/allocator.h"

#include <malloc.h>

#include <algorithm>
#include <thread>

namespace wildchat {

void KeepLargeAllocations() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

}  // namespace wildchat
