#include "engine/segment/coding.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wildchat {
namespace {

// Every width, every start, every count, read from a buffer holding exactly
// the packed bytes (so a read past the end is caught by ASan), against the
// values that were packed.
TEST(PackedBitsTest, UnpackReturnsWhatWasPackedAtEveryWidthAndOffset) {
  std::mt19937_64 rng(7);
  for (int bits = 0; bits <= 32; ++bits) {
    for (size_t n : {size_t{1}, size_t{3}, size_t{8}, size_t{13}, size_t{128}, size_t{301}}) {
      std::vector<uint32_t> values(n);
      const uint64_t mask = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
      for (uint32_t& v : values) v = static_cast<uint32_t>(rng() & mask);
      std::string packed;
      PutPacked(&packed, values.data(), n, bits);
      ASSERT_EQ(packed.size(), (n * bits + 7) / 8);
      const std::vector<char> exact(packed.begin(), packed.end());  // heap block of that size
      const std::string_view in(exact.data(), exact.size());
      for (size_t first = 0; first < n; first += 1 + first / 3) {
        for (size_t count : {size_t{0}, size_t{1}, n - first}) {
          std::vector<uint32_t> out(count + 1, 0xDEADBEEF);
          UnpackBits(in, out.data(), count, bits, first);
          for (size_t i = 0; i < count; ++i) {
            ASSERT_EQ(out[i], values[first + i])
                << "bits " << bits << " n " << n << " first " << first << " i " << i;
          }
          EXPECT_EQ(out[count], 0xDEADBEEF) << "wrote past the values asked for";
        }
      }
    }
  }
}

}  // namespace
}  // namespace wildchat
