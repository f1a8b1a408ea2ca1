// Encodings and the Thrift compact protocol against byte strings worked out
// by hand from the Parquet and Thrift specifications.
#include "io/parquet/encodings.h"

#include <gtest/gtest.h>

#include <random>

#include "io/parquet/thrift_compact.h"

namespace wildchat::parquet {
namespace {

std::vector<uint8_t> B(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int x : v) out.push_back(static_cast<uint8_t>(x));
  return out;
}

TEST(RleBitPacked, SpecBitPackedExample) {
  // Spec: values 0..7 with bit width 3 pack to 10001000 11000110 11111010.
  auto bytes = B({0x03, 0x88, 0xC6, 0xFA});
  RleBitPackedDecoder d(bytes.data(), bytes.size(), 3);
  uint32_t out[8];
  ASSERT_TRUE(d.Get(out, 8));
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
}

TEST(RleBitPacked, RleRunThenPackedRun) {
  // 10 x value 5 (width 3), then a packed group 0..7.
  auto bytes = B({0x14, 0x05, 0x03, 0x88, 0xC6, 0xFA});
  RleBitPackedDecoder d(bytes.data(), bytes.size(), 3);
  uint8_t out[18];
  ASSERT_TRUE(d.Get(out, 18));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(out[i], 5);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[10 + i], i);
  uint8_t more;
  EXPECT_FALSE(d.Get(&more, 1));
}

TEST(RleBitPacked, EncoderOutputDecodesToInput) {
  std::mt19937 rng(1);
  for (int width = 1; width <= 8; ++width) {
    std::vector<uint8_t> v;
    for (int i = 0; i < 1000; ++i) {
      uint8_t x = static_cast<uint8_t>(rng() % (1u << width));
      int run = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      for (int k = 0; k < run; ++k) v.push_back(x);
    }
    std::string enc;
    EncodeRleBitPacked(v.data(), v.size(), width, &enc);
    RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width);
    std::vector<uint8_t> got(v.size());
    ASSERT_TRUE(d.Get(got.data(), got.size()));
    EXPECT_EQ(got, v) << "width " << width;
  }
}

TEST(DeltaBinaryPacked, SpecExampleConstantDeltas) {
  // 1,2,3,4,5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, widths 0.
  auto bytes = B({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0});
  std::vector<int64_t> out;
  size_t used;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 100, &out, &used));
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(used, bytes.size());
}

TEST(DeltaBinaryPacked, SpecExampleMixedDeltas) {
  // 7,5,3,1,2,3,4,5: min delta -2, deltas-min 0,0,0,3,3,3,3 in 2 bits.
  auto bytes = B({0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 2, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0});
  std::vector<int64_t> out;
  size_t used;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 100, &out, &used));
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(used, bytes.size());
  EXPECT_FALSE(DecodeDeltaBinaryPacked(bytes.data(), bytes.size(), 7, &out, &used))
      << "count over limit";
  EXPECT_FALSE(DecodeDeltaBinaryPacked(bytes.data(), bytes.size() - 1, 100, &out, &used))
      << "truncated";
}

TEST(DeltaByteArray, SpecExample) {
  // axis, axle, babble, babyhood: prefixes 0,2,0,3; suffix lengths 4,2,6,5.
  auto bytes =
      B({0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 3, 0, 0, 0, 0x44, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 3, 0, 0, 0, 0x70, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  std::string tail = "axislebabbleyhood";
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  std::string arena;
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeDeltaByteArray(bytes.data(), bytes.size(), 10, &arena, &out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], "axis");
  EXPECT_EQ(out[1], "axle");
  EXPECT_EQ(out[2], "babble");
  EXPECT_EQ(out[3], "babyhood");
  // DELTA_LENGTH_BYTE_ARRAY is the second half on its own.
  std::vector<std::string_view> suffixes;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(bytes.data() + 22, bytes.size() - 22, 10, &suffixes));
  EXPECT_EQ(suffixes, (std::vector<std::string_view>{"axis", "le", "babble", "yhood"}));
  // A prefix longer than the previous value is corrupt.
  bytes[10] = 0x07;
  EXPECT_FALSE(DecodeDeltaByteArray(bytes.data(), bytes.size(), 10, &arena, &out));
}

TEST(ThriftCompact, HandEncodedStruct) {
  // field 1 i32 3; field 20 (long form) binary "ab"; field 21 bool true; stop.
  auto bytes = B({0x15, 0x06, 0x08, 0x28, 0x02, 'a', 'b', 0x11, 0x00});
  ThriftReader r(bytes.data(), bytes.size());
  r.BeginStruct();
  int16_t id;
  ThriftType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(r.ReadI32(), 3);
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 20);
  EXPECT_EQ(r.ReadBinary(), "ab");
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 21);
  EXPECT_TRUE(r.ReadBool(t));
  EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
  r.EndStruct();
  EXPECT_TRUE(r.ok());

  std::string out;
  ThriftWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 3);
  w.FieldBinary(20, "ab");
  w.FieldBool(21, true);
  w.EndStruct();
  EXPECT_EQ(out, std::string(bytes.begin(), bytes.end()));
}

TEST(ThriftCompact, MalformedInputSetsError) {
  auto truncated = B({0x18, 0x10, 'a'});  // binary of length 8 with 1 byte
  ThriftReader r(truncated.data(), truncated.size());
  r.BeginStruct();
  int16_t id;
  ThriftType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  r.ReadBinary();
  EXPECT_FALSE(r.ok());
  // Deeply nested structs stop at the depth limit instead of recursing forever.
  std::vector<uint8_t> deep(1000, 0x1C);
  ThriftReader d(deep.data(), deep.size());
  d.Skip(ThriftType::kStruct);
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace wildchat::parquet
