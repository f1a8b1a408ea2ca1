#include "gen/random.h"

#include <algorithm>

namespace wildchat {

namespace {
constexpr size_t kSlots = 4096;
}

ZipfTable::ZipfTable(size_t n, double s) : cdf_(n) {
  double sum = 0;
  for (size_t k = 0; k < n; ++k) {
    sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    cdf_[k] = sum;
  }
  for (auto& c : cdf_) c /= sum;
  if (n) cdf_.back() = 1.0;
  slot_.resize(kSlots + 1);
  size_t k = 0;
  for (size_t j = 0; j <= kSlots; ++j) {
    const double target = static_cast<double>(j) / kSlots;
    while (k + 1 < n && cdf_[k] < target) ++k;
    slot_[j] = static_cast<uint32_t>(k);
  }
}

size_t ZipfTable::Sample(Rng& rng) const {
  const double u = rng.Uniform();
  const size_t j = static_cast<size_t>(u * kSlots);
  auto first = cdf_.begin() + slot_[j];
  auto last = cdf_.begin() + std::min<size_t>(slot_[j + 1] + 1, cdf_.size());
  auto it = std::lower_bound(first, last, u);
  if (it == cdf_.end()) --it;
  return static_cast<size_t>(it - cdf_.begin());
}

WeightedChoice::WeightedChoice(const std::vector<double>& weights) : cdf_(weights.size()) {
  double sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) cdf_[i] = sum += weights[i];
  for (auto& c : cdf_) c /= sum;
  if (!cdf_.empty()) cdf_.back() = 1.0;
}

size_t WeightedChoice::Sample(Rng& rng) const {
  const double u = rng.Uniform();
  auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  if (it == cdf_.end()) --it;
  return static_cast<size_t>(it - cdf_.begin());
}

double WeightedChoice::probability(size_t i) const {
  return cdf_[i] - (i ? cdf_[i - 1] : 0.0);
}

}  // namespace wildchat
