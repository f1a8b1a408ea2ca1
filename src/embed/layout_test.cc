#include "embed/layout.h"

#include <gtest/gtest.h>

#include <cmath>

#include "embed/svd_projection.h"

namespace wildchat {
namespace {

// Two tight clusters of unit vectors in 8 dimensions, around axes 0 and 1.
std::vector<float> TwoClusters(uint32_t per, int dim) {
  GaussianStream g(5);
  std::vector<float> v;
  for (uint32_t i = 0; i < 2 * per; ++i) {
    std::vector<float> x(dim);
    for (int d = 0; d < dim; ++d) x[d] = static_cast<float>(0.1 * g.Next());
    x[i < per ? 0 : 1] += 1.0f;
    double norm = 0;
    for (float c : x) norm += c * c;
    for (float c : x) v.push_back(static_cast<float>(c / std::sqrt(norm)));
  }
  return v;
}

double MeanDistance(const std::vector<float>& c, uint32_t a0, uint32_t a1, uint32_t b0,
                    uint32_t b1) {
  double s = 0;
  int n = 0;
  for (uint32_t i = a0; i < a1; ++i)
    for (uint32_t j = b0; j < b1; ++j) {
      if (i == j) continue;
      s += std::hypot(c[2 * i] - c[2 * j], c[2 * i + 1] - c[2 * j + 1]);
      ++n;
    }
  return s / n;
}

TEST(LayoutTest, SeparatesClusters) {
  const uint32_t per = 100;
  const int dim = 8;
  const std::vector<float> v = TwoClusters(per, dim);
  KnnOptions ko;
  ko.k = 10;
  const KnnGraph g = BuildKnnGraph(v.data(), 2 * per, dim, ko);
  std::vector<float> coords = PrincipalPlane(v.data(), 2 * per, dim, 1);
  LayoutOptions lo;
  lo.threads = 1;
  lo.epochs = 200;
  ForceLayout(g, lo, &coords);
  for (float c : coords) ASSERT_TRUE(std::isfinite(c));
  const double within = MeanDistance(coords, 0, per, 0, per);
  const double across = MeanDistance(coords, 0, per, per, 2 * per);
  EXPECT_LT(within * 2, across);
}

TEST(LayoutTest, SameForASeedWhateverTheThreadCount) {
  // Enough points that several threads each get blocks of them.
  const uint32_t n = 1200;
  const std::vector<float> v = TwoClusters(n / 2, 8);
  KnnOptions ko;
  ko.k = 8;
  const KnnGraph g = BuildKnnGraph(v.data(), n, 8, ko);
  LayoutOptions lo;
  lo.epochs = 30;
  lo.threads = 1;
  std::vector<float> one = PrincipalPlane(v.data(), n, 8, 3), two = one, three = one;
  const std::vector<float> start = one;
  ForceLayout(g, lo, &one);
  lo.threads = 2;
  ForceLayout(g, lo, &two);
  lo.threads = 3;
  ForceLayout(g, lo, &three);
  EXPECT_NE(one, start);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three);
  lo.seed = 4;
  std::vector<float> other = start;
  ForceLayout(g, lo, &other);
  EXPECT_NE(one, other);
}

TEST(LayoutTest, PrincipalPlaneFitsTheBox) {
  const std::vector<float> v = TwoClusters(30, 8);
  const std::vector<float> c = PrincipalPlane(v.data(), 60, 8, 1);
  float top = 0;
  for (float x : c) top = std::max(top, std::fabs(x));
  EXPECT_NEAR(top, 10.0f, 0.01f);
  // The clusters differ along the first axis.
  EXPECT_GT(std::fabs(c[0] - c[2 * 59]), 5.0f);
}

TEST(LayoutTest, SubGraphRenumbersAndDropsOutsiders) {
  KnnGraph g;
  g.k = 2;
  g.ids = {1, 2, 0, 2, 0, 1, 0, 1};
  g.dists = {0.1f, 0.2f, 0.1f, 0.3f, 0.2f, 0.3f, 0.5f, 0.6f};
  const KnnGraph s = SubGraph(g, {0, 2, 3});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.ids, (std::vector<uint32_t>{1, kNoNeighbour, 0, kNoNeighbour, 0, kNoNeighbour}));
  EXPECT_FLOAT_EQ(s.dists[0], 0.2f);
}

TEST(LayoutTest, PlaceFromNeighboursIsAWeightedMean) {
  const std::vector<float> coords = {0, 0, 10, 0, 0, 10};
  const uint32_t ids[3] = {0, 1, 2};
  const float dists[3] = {0.1f, 0.1f, 0.1f};
  float x = -1, y = -1;
  ASSERT_TRUE(PlaceFromNeighbours(ids, dists, 3, coords, &x, &y));
  EXPECT_NEAR(x, 10.0 / 3, 1e-4);
  EXPECT_NEAR(y, 10.0 / 3, 1e-4);
  const float skewed[3] = {0.0f, 0.5f, 0.5f};
  ASSERT_TRUE(PlaceFromNeighbours(ids, skewed, 3, coords, &x, &y));
  EXPECT_LT(x, 10.0 / 3);  // pulled toward the nearest
  const uint32_t none[1] = {kNoNeighbour};
  EXPECT_FALSE(PlaceFromNeighbours(none, dists, 1, coords, &x, &y));
}

}  // namespace
}  // namespace wildchat
