#include "embed/knn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "embed/svd_projection.h"

namespace wildchat {
namespace {

std::vector<float> RandomUnitVectors(uint32_t n, int dim, uint64_t seed) {
  GaussianStream g(seed);
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (uint32_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) {
      v[i * dim + d] = static_cast<float>(g.Next());
      norm += v[i * dim + d] * v[i * dim + d];
    }
    for (int d = 0; d < dim; ++d) v[i * dim + d] /= static_cast<float>(std::sqrt(norm));
  }
  return v;
}

TEST(KnnTest, ExactGraphFindsTheNearestPoints) {
  // Points on a circle: each one's two nearest are its angular neighbours.
  const uint32_t n = 36;
  std::vector<float> v;
  for (uint32_t i = 0; i < n; ++i) {
    v.push_back(static_cast<float>(std::cos(2 * M_PI * i / n)));
    v.push_back(static_cast<float>(std::sin(2 * M_PI * i / n)));
  }
  KnnOptions o;
  o.k = 2;
  const KnnGraph g = BuildKnnGraph(v.data(), n, 2, o);
  ASSERT_EQ(g.size(), n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::set<uint32_t> got = {g.ids[2 * i], g.ids[2 * i + 1]};
    EXPECT_EQ(got, (std::set<uint32_t>{(i + 1) % n, (i + n - 1) % n})) << i;
    EXPECT_LE(g.dists[2 * i], g.dists[2 * i + 1]);
  }
}

TEST(KnnTest, FewerPointsThanKArePadded) {
  const std::vector<float> v = RandomUnitVectors(3, 4, 1);
  KnnOptions o;
  o.k = 5;
  const KnnGraph g = BuildKnnGraph(v.data(), 3, 4, o);
  EXPECT_NE(g.ids[0], kNoNeighbour);
  EXPECT_NE(g.ids[1], kNoNeighbour);
  EXPECT_EQ(g.ids[2], kNoNeighbour);
}

TEST(KnnTest, HnswRecallAgainstExact) {
  const uint32_t n = 3000;
  const int dim = 16;
  const std::vector<float> v = RandomUnitVectors(n, dim, 2);
  KnnOptions exact;
  exact.k = 10;
  KnnOptions approx = exact;
  approx.exact_below = 100;  // force HNSW
  const KnnGraph a = BuildKnnGraph(v.data(), n, dim, exact);
  const KnnGraph b = BuildKnnGraph(v.data(), n, dim, approx);
  size_t hits = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const std::set<uint32_t> truth(a.ids.begin() + i * 10, a.ids.begin() + i * 10 + 10);
    for (int r = 0; r < 10; ++r) hits += truth.count(b.ids[i * 10 + r]);
    for (int r = 0; r < 10; ++r) EXPECT_NE(b.ids[i * 10 + r], i);
  }
  EXPECT_GT(static_cast<double>(hits) / (n * 10.0), 0.9);
}

TEST(KnnTest, HnswGraphIsTheSameWhateverTheThreadCount) {
  // Several insertion batches, so that later points search an existing graph.
  const uint32_t n = 2500;
  const int dim = 16;
  const std::vector<float> v = RandomUnitVectors(n, dim, 3);
  KnnOptions o;
  o.k = 10;
  o.exact_below = 100;
  o.threads = 1;
  const KnnGraph one = BuildKnnGraph(v.data(), n, dim, o);
  o.threads = 2;
  const KnnGraph two = BuildKnnGraph(v.data(), n, dim, o);
  o.threads = 3;
  const KnnGraph three = BuildKnnGraph(v.data(), n, dim, o);
  EXPECT_EQ(one.ids, two.ids);
  EXPECT_EQ(one.dists, two.dists);
  EXPECT_EQ(one.ids, three.ids);
  o.seed = 9;
  EXPECT_EQ(BuildKnnGraph(v.data(), n, dim, o).size(), n);
}

TEST(KnnTest, IndexSurvivesSaveAndLoadAndGrows) {
  const uint32_t n = 500;
  const int dim = 8;
  const std::vector<float> v = RandomUnitVectors(n + 1, dim, 3);
  auto index = VectorIndex::Create(dim, n, KnnOptions{});
  index->AddRange(v.data(), 0, n, 2);
  const std::string path = ::testing::TempDir() + "/knn_test_hnsw.bin";
  ASSERT_TRUE(index->Save(path).ok());
  std::unique_ptr<VectorIndex> loaded;
  ASSERT_TRUE(VectorIndex::Load(path, dim, 10, 64, &loaded).ok());
  EXPECT_EQ(loaded->size(), n);
  std::vector<uint32_t> ids;
  std::vector<float> dists;
  loaded->Search(v.data() + 7 * dim, 3, kNoNeighbour, &ids, &dists);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], 7u);
  EXPECT_NEAR(dists[0], 0.0f, 1e-5);
  loaded->Search(v.data() + 7 * dim, 3, 7, &ids, &dists);
  EXPECT_NE(ids[0], 7u);
  loaded->AddRange(v.data() + n * dim, n, 1, 1);
  EXPECT_EQ(loaded->size(), n + 1);
  loaded->Search(v.data() + n * dim, 1, kNoNeighbour, &ids, &dists);
  EXPECT_EQ(ids[0], n);
  EXPECT_FALSE(VectorIndex::Load(path + ".missing", dim, 0, 64, &loaded).ok());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace wildchat
