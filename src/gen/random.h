// Deterministic pseudo-random numbers for the generator: SplitMix64 streams
// derived from (seed, purpose, index), so conversation i comes out the same
// whatever order or thread generates it. Rng is a small value type, not
// thread-safe (each thread makes its own); ZipfTable is immutable after
// construction and safe to share.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace wildchat {

// A well-mixed 64-bit function of its inputs (SplitMix64 finaliser).
inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
inline uint64_t Mix64(uint64_t a, uint64_t b) {
  return Mix64(Mix64(a) ^ (b * 0xD6E8FEB86659FD93ULL));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(Mix64(seed)) {}
  Rng(uint64_t seed, uint64_t stream) : state_(Mix64(seed, stream)) {}

  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    const double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }
  // Trials until the first success (>= 1), success probability p.
  uint64_t Geometric(double p) {
    return 1 + static_cast<uint64_t>(std::floor(std::log(1.0 - Uniform()) / std::log(1.0 - p)));
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

// Samples ranks 0..n-1 with P(k) proportional to 1/(k+1)^s, in O(1) expected
// time: a 4096-slot index over the cumulative distribution narrows the binary
// search to a few entries.
class ZipfTable {
 public:
  ZipfTable() = default;
  ZipfTable(size_t n, double s);
  size_t Sample(Rng& rng) const;
  size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
  std::vector<uint32_t> slot_;  // slot_[j] = first k with cdf_[k] >= j / kSlots
};

// Picks an index with probability proportional to weights (small tables).
class WeightedChoice {
 public:
  WeightedChoice() = default;
  explicit WeightedChoice(const std::vector<double>& weights);
  size_t Sample(Rng& rng) const;
  double probability(size_t i) const;

 private:
  std::vector<double> cdf_;
};

}  // namespace wildchat
