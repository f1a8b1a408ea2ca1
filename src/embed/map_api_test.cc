#include "embed/map_api.h"

#include <gtest/gtest.h>

#include <cstring>

namespace wildchat {
namespace {

TEST(MapApiTest, MatchesRoundTripInBothEncodings) {
  for (const std::vector<uint32_t>& docs :
       {std::vector<uint32_t>{}, std::vector<uint32_t>{3, 5, 999}, [] {
          std::vector<uint32_t> all;
          for (uint32_t i = 0; i < 1000; i += 2) all.push_back(i);
          return all;
        }()}) {
    const std::string bytes = EncodeMatches(docs, 1000);
    uint32_t map_docs = 0;
    uint64_t total = 0;
    std::vector<uint32_t> back;
    ASSERT_TRUE(DecodeMatches(bytes, &map_docs, &total, &back).ok());
    EXPECT_EQ(map_docs, 1000u);
    EXPECT_EQ(total, docs.size());
    EXPECT_EQ(back, docs);
  }
}

TEST(MapApiTest, DenseMatchesUseTheBitmap) {
  std::vector<uint32_t> docs;
  for (uint32_t i = 0; i < 100000; ++i) docs.push_back(i);
  const std::string bytes = EncodeMatches(docs, 100000);
  EXPECT_EQ(bytes.size(), 24u + 12500u);
  const std::string sparse = EncodeMatches({7}, 100000);
  EXPECT_EQ(sparse.size(), 24u + 4u);
}

TEST(MapApiTest, MatchesBeyondTheMapAreCountedNotListed) {
  const std::string bytes = EncodeMatches({1, 2, 10, 11}, 10);
  uint32_t map_docs;
  uint64_t total;
  std::vector<uint32_t> back;
  ASSERT_TRUE(DecodeMatches(bytes, &map_docs, &total, &back).ok());
  EXPECT_EQ(back, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(total, 4u);
}

TEST(MapApiTest, DecodeRejectsGarbage) {
  uint32_t map_docs;
  uint64_t total;
  std::vector<uint32_t> back;
  EXPECT_FALSE(DecodeMatches("short", &map_docs, &total, &back).ok());
  std::string bytes = EncodeMatches({1, 2}, 10);
  bytes.pop_back();
  EXPECT_FALSE(DecodeMatches(bytes, &map_docs, &total, &back).ok());
}

MapStore ThreeDocs() {
  MapStore s;
  s.k = 1;
  s.ids = {10, 20, 30};
  s.xy = {1, 2, 3, 4, 5, 6};
  s.layout_of = {0, kNoLayout, 0};
  s.layout_xy = {7, 8, 0, 0, 9, 10};
  s.layouts = {{"English", 2}};
  s.layout_bounds = {MapBounds{}};
  for (const char* name : kMapAttributes) {
    MapAttribute a;
    a.name = name;
    a.values = {"a", "b"};
    a.codes = {0, 1, kOtherCode};
    s.attributes.push_back(a);
  }
  return s;
}

TEST(MapApiTest, PointsLayout) {
  const MapStore s = ThreeDocs();
  const std::string all = EncodePoints(s, -1);
  ASSERT_EQ(all.size(), 24u + 3 * 4 + 3 * kMapAttributeCount);
  uint32_t head[6];
  std::memcpy(head, all.data(), 24);
  EXPECT_EQ(head[0], kPointsMagic);
  EXPECT_EQ(head[2], 3u);
  EXPECT_EQ(head[3], 0u);
  uint16_t xy[6];
  std::memcpy(xy, all.data() + 24, 12);
  EXPECT_EQ(xy[5], 6);
  EXPECT_EQ(static_cast<uint8_t>(all[24 + 12 + 2]), kOtherCode);

  const std::string english = EncodePoints(s, 0);
  ASSERT_EQ(english.size(), 24u + 2 * 4 + 2 * 4 + 2 * kMapAttributeCount);
  std::memcpy(head, english.data(), 24);
  EXPECT_EQ(head[2], 2u);
  EXPECT_EQ(head[3], 1u);
  uint32_t docs[2];
  std::memcpy(docs, english.data() + 24, 8);
  EXPECT_EQ(docs[1], 2u);
  std::memcpy(xy, english.data() + 32, 8);
  EXPECT_EQ(xy[2], 9);
}

TEST(MapApiTest, MetaJsonNamesLayoutsAndAttributes) {
  const std::string json = MapMetaJson(ThreeDocs(), 5);
  EXPECT_NE(json.find("\"index_docs\":5"), std::string::npos);
  EXPECT_NE(json.find("\"language\":\"English\""), std::string::npos);
  EXPECT_NE(json.find("\"name\":\"month\""), std::string::npos);
}

}  // namespace
}  // namespace wildchat
