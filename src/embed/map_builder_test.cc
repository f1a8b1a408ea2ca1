#include "embed/map_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "embed/knn.h"
#include "embed/labelled_corpus.h"

namespace wildchat {
namespace {

// Labelled real text shipped by Debian: manual pages in twelve languages plus
// English syscall pages, licence paragraphs and package changelogs.
const std::vector<LabelledText>& Corpus() {
  static const auto* corpus = [] {
    auto* c = new std::vector<LabelledText>;
    EXPECT_TRUE(LoadDebianCorpus(40, 20, c).ok());
    return c;
  }();
  return *corpus;
}

std::vector<MapDoc> Docs(const std::vector<LabelledText>& texts, int64_t first_id) {
  std::vector<MapDoc> docs;
  for (size_t i = 0; i < texts.size(); ++i) {
    MapDoc d;
    d.id = first_id + static_cast<int64_t>(i);
    d.text = texts[i].text;
    d.attributes = {texts[i].group, "gpt-4", "France", "false", "2023-05", "WildChat"};
    docs.push_back(std::move(d));
  }
  return docs;
}

// Small and fast, for tests that are not about quality.
MapBuildOptions FastOptions() {
  MapBuildOptions o;
  o.dims = 32;
  o.knn_dims = 16;
  o.features.hash_bits = 13;
  o.threads = 1;
  o.epochs = 40;
  o.min_layout_points = 20;
  return o;
}

MapBuildOptions TestOptions() {
  MapBuildOptions o;
  o.dims = 64;
  o.knn_dims = 32;
  o.features.hash_bits = 16;
  o.threads = 1;
  o.epochs = 60;
  o.min_layout_points = 20;
  return o;
}

std::string TempIndexDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/map_builder_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<int> Labels(const std::vector<LabelledText>& texts) {
  std::map<std::string, int> ids;
  std::vector<int> labels;
  for (const auto& t : texts) labels.push_back(ids.emplace(t.group, ids.size()).first->second);
  return labels;
}

TEST(MapBuilderTest, NeighboursShareTheirGroupOnLabelledText) {
  const auto& corpus = Corpus();
  ASSERT_GE(corpus.size(), 200u) << "needs Debian manual pages and licences installed";
  const std::string dir = TempIndexDir("quality");
  MapBuildStats stats;
  ASSERT_TRUE(BuildMap(dir, Docs(corpus, 1), TestOptions(), &stats).ok());
  MapStore store;
  ASSERT_TRUE(MapStore::Load(dir, true, &store).ok());
  ASSERT_EQ(store.size(), corpus.size());
  const double agreement = NeighbourAgreement(store.neighbours, store.k, 10, Labels(corpus));
  std::printf("10-NN group agreement on %zu Debian texts: %.3f\n", corpus.size(), agreement);
  EXPECT_GT(agreement, 0.85);
  // One layout per group (all have ≥ 20 texts).
  std::set<std::string> groups;
  for (const auto& t : corpus) groups.insert(t.group);
  EXPECT_EQ(store.layouts.size(), groups.size());
  for (uint32_t i = 0; i < store.size(); ++i) ASSERT_NE(store.layout_of[i], kNoLayout);
}

TEST(MapBuilderTest, MapIsTheSameForASeedWhateverTheThreadCount) {
  const auto& texts = Corpus();
  ASSERT_GE(texts.size(), 200u) << "needs Debian manual pages and licences installed";
  const std::string a = TempIndexDir("det_a"), b = TempIndexDir("det_b"), c = TempIndexDir("det_c");
  MapBuildOptions o = FastOptions();
  o.exact_knn_below = 100;  // neighbours through the HNSW graph
  MapBuildStats stats;
  ASSERT_TRUE(BuildMap(a, Docs(texts, 1), o, &stats).ok());
  o.threads = 2;
  ASSERT_TRUE(BuildMap(b, Docs(texts, 1), o, &stats).ok());
  o.seed = 2;
  ASSERT_TRUE(BuildMap(c, Docs(texts, 1), o, &stats).ok());
  const std::string va = Slurp(a + "/map/vectors.bin");
  ASSERT_GT(va.size(), texts.size() * 32);
  EXPECT_EQ(va, Slurp(b + "/map/vectors.bin"));
  EXPECT_EQ(Slurp(a + "/map/model.bin"), Slurp(b + "/map/model.bin"));
  EXPECT_EQ(Slurp(a + "/map/neighbours.bin"), Slurp(b + "/map/neighbours.bin"));
  EXPECT_EQ(Slurp(a + "/map/coords.bin"), Slurp(b + "/map/coords.bin"));
  EXPECT_EQ(Slurp(a + "/map/hnsw.bin"), Slurp(b + "/map/hnsw.bin"));
  EXPECT_NE(va, Slurp(c + "/map/vectors.bin"));
  EXPECT_NE(Slurp(a + "/map/coords.bin"), Slurp(c + "/map/coords.bin"));
}

TEST(MapBuilderTest, AppendKeepsOldPointsAndPlacesNewOnesByNeighbours) {
  // Every fourth text is held back and appended later.
  std::vector<LabelledText> first, later;
  for (size_t i = 0; i < Corpus().size(); ++i) (i % 4 == 3 ? later : first).push_back(Corpus()[i]);
  const std::string dir = TempIndexDir("append");
  MapBuildStats stats;
  ASSERT_TRUE(BuildMap(dir, Docs(first, 1), TestOptions(), &stats).ok());
  MapStore before;
  ASSERT_TRUE(MapStore::Load(dir, true, &before).ok());

  // Also append an exact copy of doc 5: it must land on doc 5.
  later.push_back(first[5]);
  std::vector<MapDoc> added = Docs(later, 100000);
  added.back().attributes[1] = "a model never seen";
  ASSERT_TRUE(AppendMap(dir, added, TestOptions(), &stats).ok());
  EXPECT_EQ(stats.added, later.size());
  EXPECT_EQ(stats.docs, first.size() + later.size());
  MapStore after;
  ASSERT_TRUE(MapStore::Load(dir, true, &after).ok());
  const uint32_t n0 = before.size();
  ASSERT_EQ(after.size(), n0 + later.size());

  // Old coordinates, vectors and model are untouched.
  EXPECT_TRUE(std::equal(before.xy.begin(), before.xy.end(), after.xy.begin()));
  EXPECT_TRUE(
      std::equal(before.layout_xy.begin(), before.layout_xy.end(), after.layout_xy.begin()));
  EXPECT_TRUE(std::equal(before.vectors.begin(), before.vectors.end(), after.vectors.begin()));
  EXPECT_EQ(before.model, after.model);
  EXPECT_EQ(after.ids[n0], 100000);

  // New docs have neighbours mostly in their own group.
  std::vector<LabelledText> all = first;
  all.insert(all.end(), later.begin(), later.end());
  const std::vector<int> labels = Labels(all);
  double same = 0, total = 0;
  for (uint32_t i = n0; i < after.size(); ++i)
    for (int r = 0; r < 10; ++r) {
      const uint32_t j = after.neighbours[static_cast<size_t>(i) * after.k + r];
      if (j == kNoNeighbour) continue;
      same += labels[j] == labels[i];
      ++total;
    }
  EXPECT_GT(same / total, 0.8);

  // The duplicate sits on (next to) the original, in both layouts.
  const uint32_t dup = after.size() - 1;
  EXPECT_EQ(after.neighbours[static_cast<size_t>(dup) * after.k], 5u);
  EXPECT_NEAR(after.xy[2 * dup], after.xy[10], 65535 * 0.05);
  EXPECT_NEAR(after.xy[2 * dup + 1], after.xy[11], 65535 * 0.05);
  EXPECT_EQ(after.layout_of[dup], after.layout_of[5]);
  // Unknown attribute values get codes; languages are counted.
  EXPECT_EQ(after.attributes[1].values[after.attributes[1].codes[dup]], "a model never seen");
  uint32_t counted = 0;
  for (const auto& l : after.layouts) counted += l.count;
  EXPECT_EQ(counted, after.size());
}

TEST(MapBuilderTest, AppendWithoutAMapIsNotFound) {
  MapBuildStats stats;
  EXPECT_EQ(AppendMap(TempIndexDir("nomap"), Docs({Corpus()[0]}, 1), FastOptions(), &stats).code(),
            Status::Code::kNotFound);
}

TEST(MapBuilderTest, TinyAndEmptyInputs) {
  MapBuildStats stats;
  const std::string dir = TempIndexDir("tiny");
  ASSERT_TRUE(BuildMap(dir, {}, FastOptions(), &stats).ok());
  MapStore s;
  ASSERT_TRUE(MapStore::Load(dir, false, &s).ok());
  EXPECT_EQ(s.size(), 0u);
  std::vector<MapDoc> two = Docs({Corpus()[0], Corpus()[1]}, 1);
  two[1].text = "";
  ASSERT_TRUE(BuildMap(dir, two, FastOptions(), &stats).ok());
  ASSERT_TRUE(MapStore::Load(dir, false, &s).ok());
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.neighbours[0], 1u);
}

}  // namespace
}  // namespace wildchat
