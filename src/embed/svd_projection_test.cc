#include "embed/svd_projection.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wildchat {
namespace {

// Rows drawn from three disjoint topics of 30 columns each, with noise.
std::vector<SparseRow> TopicRows(int n, std::vector<int>* topic) {
  std::vector<SparseRow> rows;
  GaussianStream g(7);
  for (int i = 0; i < n; ++i) {
    const int t = i % 3;
    topic->push_back(t);
    SparseRow r;
    double norm = 0;
    for (int c = 0; c < 30; ++c) {
      const float v = static_cast<float>(1.0 + 0.3 * g.Next());
      r.cols.push_back(static_cast<uint32_t>(t * 30 + c));
      r.vals.push_back(v);
      norm += v * v;
    }
    for (float& v : r.vals) v /= static_cast<float>(std::sqrt(norm));
    rows.push_back(r);
  }
  return rows;
}

float Dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(SvdProjectionTest, RecoversLowRankStructure) {
  std::vector<int> topic;
  const auto rows = TopicRows(90, &topic);
  SvdOptions o;
  o.dims = 8;
  const SvdProjection p = SvdProjection::Fit(rows, 128, o);
  // Three strong components, then (nearly) nothing.
  ASSERT_EQ(p.singular_values().size(), 8u);
  EXPECT_GT(p.singular_values()[2], 3.0f);
  EXPECT_LT(p.singular_values()[3], 0.5f * p.singular_values()[2]);
  std::vector<std::vector<float>> v(rows.size(), std::vector<float>(8));
  for (size_t i = 0; i < rows.size(); ++i) p.Project(rows[i], v[i].data());
  for (size_t i = 0; i < 6; ++i)
    for (size_t j = 0; j < 6; ++j) {
      if (topic[i] == topic[j]) {
        EXPECT_GT(Dot(v[i], v[j]), 0.9f);
      } else {
        EXPECT_LT(Dot(v[i], v[j]), 0.3f);
      }
    }
}

TEST(SvdProjectionTest, DeterministicForASeed) {
  std::vector<int> topic;
  const auto rows = TopicRows(60, &topic);
  SvdOptions o;
  o.dims = 6;
  o.seed = 42;
  EXPECT_EQ(SvdProjection::Fit(rows, 100, o).Serialize(),
            SvdProjection::Fit(rows, 100, o).Serialize());
}

TEST(SvdProjectionTest, MoreDimsThanRowsLeavesZeros) {
  std::vector<int> topic;
  const auto rows = TopicRows(3, &topic);
  SvdOptions o;
  o.dims = 16;
  const SvdProjection p = SvdProjection::Fit(rows, 100, o);
  std::vector<float> v(16);
  p.Project(rows[0], v.data());
  double norm = 0;
  for (float x : v) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-4);
  EXPECT_LT(p.singular_values()[5], 1e-3f);
}

TEST(SvdProjectionTest, SerializeRoundTripProjectsIdentically) {
  std::vector<int> topic;
  const auto rows = TopicRows(30, &topic);
  SvdOptions o;
  o.dims = 4;
  const SvdProjection p = SvdProjection::Fit(rows, 100, o);
  SvdProjection q;
  ASSERT_TRUE(SvdProjection::Deserialize(p.Serialize(), &q).ok());
  std::vector<float> a(4), b(4);
  p.Project(rows[5], a.data());
  q.Project(rows[5], b.data());
  EXPECT_EQ(a, b);
  std::string bad = p.Serialize();
  bad.pop_back();
  EXPECT_EQ(SvdProjection::Deserialize(bad, &q).code(), Status::Code::kCorruption);
  EXPECT_EQ(SvdProjection::Deserialize("xx", &q).code(), Status::Code::kCorruption);
}

TEST(SvdProjectionTest, EmptyRowProjectsToZero) {
  std::vector<int> topic;
  const SvdProjection p = SvdProjection::Fit(TopicRows(9, &topic), 100, SvdOptions{.dims = 4});
  std::vector<float> v(4, 1.0f);
  p.Project(SparseRow{}, v.data());
  EXPECT_EQ(v, std::vector<float>(4, 0.0f));
}

}  // namespace
}  // namespace wildchat
