#include "embed/map_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "embed/knn.h"

namespace wildchat {
namespace {

MapStore SmallStore() {
  MapStore s;
  s.method = "tfidf-svd";
  s.text_mode = "first";
  s.seed = 9;
  s.dims = 4;
  s.knn_dims = 2;
  s.k = 2;
  s.bounds = MapBounds{-1, -2, 3, 4};
  s.layouts = {{"English", 2}};
  s.layout_bounds = {MapBounds{0, 0, 1, 1}};
  s.ids = {100, 200, 300};
  s.scales = {0.5f, 0.25f, 1.0f};
  s.vectors = {1, 2, 3, 4, -1, -2, -3, -4, 127, 0, 0, -127};
  s.neighbours = {1, 2, 0, 2, 0, kNoNeighbour};
  s.neighbour_dists = {0.1f, 0.2f, 0.1f, 0.3f, 0.2f, 2.0f};
  s.xy = {0, 65535, 100, 200, 300, 400};
  s.layout_of = {0, 0, kNoLayout};
  s.layout_xy = {1, 2, 3, 4, 0, 0};
  for (const char* name : kMapAttributes) {
    MapAttribute a;
    a.name = name;
    a.values = {"x", "y \"quoted\" ü"};
    a.codes = {0, 1, kOtherCode};
    s.attributes.push_back(a);
  }
  s.model = "model bytes";
  return s;
}

std::string TempIndexDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/map_store_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(MapStoreTest, RoundTrip) {
  const std::string dir = TempIndexDir("roundtrip");
  const MapStore s = SmallStore();
  EXPECT_FALSE(MapStore::Exists(dir));
  ASSERT_TRUE(s.Save(dir).ok());
  EXPECT_TRUE(MapStore::Exists(dir));
  MapStore t;
  ASSERT_TRUE(MapStore::Load(dir, true, &t).ok());
  EXPECT_EQ(t.ids, s.ids);
  EXPECT_EQ(t.vectors, s.vectors);
  EXPECT_EQ(t.scales, s.scales);
  EXPECT_EQ(t.neighbours, s.neighbours);
  EXPECT_EQ(t.neighbour_dists, s.neighbour_dists);
  EXPECT_EQ(t.xy, s.xy);
  EXPECT_EQ(t.layout_of, s.layout_of);
  EXPECT_EQ(t.layout_xy, s.layout_xy);
  EXPECT_EQ(t.model, s.model);
  EXPECT_EQ(t.seed, 9u);
  EXPECT_EQ(t.layouts[0].language, "English");
  EXPECT_FLOAT_EQ(t.bounds.max_y, 4.0f);
  ASSERT_EQ(t.attributes.size(), static_cast<size_t>(kMapAttributeCount));
  EXPECT_EQ(t.attributes[3].values[1], "y \"quoted\" ü");
  EXPECT_EQ(t.attributes[3].codes, s.attributes[3].codes);
  float v[4];
  t.Vector(1, v);
  EXPECT_FLOAT_EQ(v[3], -1.0f);

  MapStore light;
  ASSERT_TRUE(MapStore::Load(dir, false, &light).ok());
  EXPECT_TRUE(light.vectors.empty());
  EXPECT_EQ(light.xy, s.xy);
}

TEST(MapStoreTest, MismatchedArraysAreCorruption) {
  const std::string dir = TempIndexDir("mismatch");
  MapStore s = SmallStore();
  ASSERT_TRUE(s.Save(dir).ok());
  // A coords file from a bigger map next to the old meta.json.
  MapStore bigger = SmallStore();
  bigger.ids.push_back(400);
  bigger.xy.insert(bigger.xy.end(), {1, 1});
  bigger.layout_of.push_back(kNoLayout);
  bigger.layout_xy.insert(bigger.layout_xy.end(), {0, 0});
  const std::string other = TempIndexDir("mismatch_other");
  bigger.scales.push_back(0);
  bigger.vectors.insert(bigger.vectors.end(), 4, 0);
  bigger.neighbours.insert(bigger.neighbours.end(), 2, kNoNeighbour);
  bigger.neighbour_dists.insert(bigger.neighbour_dists.end(), 2, 2.0f);
  for (auto& a : bigger.attributes) a.codes.push_back(0);
  ASSERT_TRUE(bigger.Save(other).ok());
  std::filesystem::copy_file(other + "/map/coords.bin", dir + "/map/coords.bin",
                             std::filesystem::copy_options::overwrite_existing);
  MapStore t;
  EXPECT_EQ(MapStore::Load(dir, false, &t).code(), Status::Code::kCorruption);
}

TEST(MapStoreTest, MissingMapIsNotFound) {
  MapStore t;
  EXPECT_EQ(MapStore::Load(TempIndexDir("missing"), false, &t).code(), Status::Code::kNotFound);
}

TEST(MapStoreTest, QuantizationClampsAndRoundTrips) {
  const MapBounds b{-10, 0, 10, 5};
  EXPECT_EQ(b.QuantizeX(-10), 0);
  EXPECT_EQ(b.QuantizeX(10), 65535);
  EXPECT_EQ(b.QuantizeX(99), 65535);
  EXPECT_EQ(b.QuantizeY(-3), 0);
  EXPECT_NEAR(b.X(b.QuantizeX(1.2345f)), 1.2345f, 20.0f / 65535);
  const MapBounds of = MapBounds::Of({0, 0, 2, 1});
  EXPECT_LT(of.min_x, 0.0f);
  EXPECT_GT(of.max_x, 2.0f);
}

TEST(MapStoreTest, AttributeCodesGrowUntilFull) {
  MapAttribute a;
  EXPECT_EQ(a.CodeOf("a"), 0);
  EXPECT_EQ(a.CodeOf("b"), 1);
  EXPECT_EQ(a.CodeOf("a"), 0);
  for (int i = 0; i < 300; ++i) a.CodeOf("v" + std::to_string(i));
  EXPECT_EQ(a.values.size(), 255u);
  EXPECT_EQ(a.CodeOf("new"), kOtherCode);
}

}  // namespace
}  // namespace wildchat
