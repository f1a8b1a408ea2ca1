#include "embed/index_map.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/index_builder.h"
#include "gen/corpus_generator.h"

namespace wildchat {
namespace {

std::vector<Conversation> Generate(uint64_t first, uint64_t count) {
  GenOptions options;
  options.conversations = first + count;
  options.seed = 11;
  CorpusGenerator gen(options);
  std::vector<Conversation> out;
  for (uint64_t i = first; i < first + count; ++i) out.push_back(gen.Generate(i));
  return out;
}

MapBuildOptions SmallOptions() {
  MapBuildOptions o;
  o.dims = 32;
  o.knn_dims = 16;
  o.features.hash_bits = 14;
  o.epochs = 30;
  o.min_layout_points = 30;
  return o;
}

TEST(IndexMapTest, MapDocTakesFirstUserUtteranceOrAll) {
  Conversation c;
  c.model = "gpt-4-0314";
  c.language = "German";
  c.timestamp = 1684108800LL * 1000000;  // 2023-05-15
  Utterance a, b;
  a.content = "Hallo Welt";
  a.role = "user";
  a.turn_identifier = 77;
  b.content = "Guten Tag";
  b.role = "assistant";
  b.turn_identifier = 77;
  c.conversation = {a, b};
  const MapDoc first = MapDocOf(c, "first", 1000);
  EXPECT_EQ(first.id, 77);
  EXPECT_EQ(first.text, "Hallo Welt");
  EXPECT_EQ(first.attributes[0], "German");
  EXPECT_EQ(first.attributes[1], "gpt-4-0314");
  EXPECT_EQ(first.attributes[2], "unknown");
  EXPECT_EQ(first.attributes[3], "false");
  EXPECT_EQ(first.attributes[4], "2023-05");
  EXPECT_EQ(MapDocOf(c, "all", 1000).text, "Hallo Welt\nGuten Tag");
  // Cut on a character boundary.
  c.conversation[0].content = "aé";
  EXPECT_EQ(MapDocOf(c, "first", 2).text, "a");
}

TEST(IndexMapTest, EmbedsAnIndexAndAppendsToIt) {
  const std::string dir = ::testing::TempDir() + "/index_map_test";
  std::filesystem::remove_all(dir);
  IndexBuildStats build;
  ASSERT_TRUE(BuildIndexFromRecords(dir, Generate(0, 300), {}, &build).ok());
  {
    std::unique_ptr<Index> index;
    ASSERT_TRUE(Index::Open(dir, &index).ok());
    MapStore none;
    EXPECT_EQ(LoadMapFor(*index, &none).code(), Status::Code::kNotFound);
    MapBuildStats stats;
    EXPECT_EQ(EmbedIndex(*index, SmallOptions(), true, &stats).code(), Status::Code::kNotFound);
    ASSERT_TRUE(EmbedIndex(*index, SmallOptions(), false, &stats).ok());
    EXPECT_EQ(stats.docs, 300u);
  }
  MapStore before;
  {
    std::unique_ptr<Index> index;
    ASSERT_TRUE(Index::Open(dir, &index).ok());
    ASSERT_TRUE(LoadMapFor(*index, &before).ok());
    EXPECT_EQ(before.size(), index->NumDocs());
  }
  IndexBuildOptions more;
  more.append = true;
  ASSERT_TRUE(BuildIndexFromRecords(dir, Generate(300, 40), more, &build).ok());
  std::unique_ptr<Index> index;
  ASSERT_TRUE(Index::Open(dir, &index).ok());
  ASSERT_EQ(index->NumDocs(), 340u);
  MapBuildStats stats;
  ASSERT_TRUE(EmbedIndex(*index, SmallOptions(), true, &stats).ok());
  EXPECT_EQ(stats.added, 40u);
  MapStore after;
  ASSERT_TRUE(LoadMapFor(*index, &after).ok());
  ASSERT_EQ(after.size(), 340u);
  EXPECT_TRUE(std::equal(before.xy.begin(), before.xy.end(), after.xy.begin()));
  // Appending again finds nothing new.
  ASSERT_TRUE(EmbedIndex(*index, SmallOptions(), true, &stats).ok());
  EXPECT_EQ(stats.added, 0u);
}

}  // namespace
}  // namespace wildchat
