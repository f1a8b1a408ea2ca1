// Process-wide allocator settings for query workloads. A query allocates a
// few large buffers (match bitsets, per-term frequency lists, score arrays:
// megabytes at a million conversations) and frees them when it is answered.
// By default glibc maps such buffers fresh and returns them to the kernel on
// free, so every query pays page faults and page zeroing for them (a sixth of
// a broad query's time). KeepLargeAllocations() lets malloc serve buffers up
// to 64 MB from its heaps and keep up to 256 MB of freed memory per heap, with
// as many heaps (arenas) as cores, so a server's steady-state memory is its
// working set rather than a trickle of returns and refaults. Call once, early,
// from the main thread.
#pragma once

namespace wildchat {

void KeepLargeAllocations();

}  // namespace wildchat
