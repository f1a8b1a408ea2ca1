#include "embed/text_features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wildchat {
namespace {

double Cosine(const SparseRow& a, const SparseRow& b) {
  double dot = 0;
  size_t i = 0, j = 0;
  while (i < a.cols.size() && j < b.cols.size()) {
    if (a.cols[i] < b.cols[j]) {
      ++i;
    } else if (a.cols[i] > b.cols[j]) {
      ++j;
    } else {
      dot += a.vals[i++] * b.vals[j++];
    }
  }
  return dot;
}

TEST(TextFeaturesTest, CaseAndPunctuationDoNotMatter) {
  TextFeaturizer f;
  const SparseRow a = f.Featurize("Hello, World! Привет МИР");
  const SparseRow b = f.Featurize("hello world привет мир");
  EXPECT_EQ(a.cols, b.cols);
  EXPECT_NEAR(Cosine(a, b), 1.0, 1e-5);
}

TEST(TextFeaturesTest, RowsAreSortedAndUnitLength) {
  TextFeaturizer f;
  const SparseRow r = f.Featurize("The quick brown fox jumps over the lazy dog; 狐狸跳过了懒狗。");
  ASSERT_FALSE(r.cols.empty());
  double norm = 0;
  for (size_t i = 0; i < r.cols.size(); ++i) {
    if (i) {
      EXPECT_LT(r.cols[i - 1], r.cols[i]);
    }
    EXPECT_LT(r.cols[i], f.num_columns());
    norm += r.vals[i] * r.vals[i];
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
}

TEST(TextFeaturesTest, EmptyAndSymbolOnlyTextsGiveEmptyOrTinyRows) {
  TextFeaturizer f;
  EXPECT_TRUE(f.Featurize("").cols.empty());
  EXPECT_TRUE(f.Featurize("  !!! ... ").cols.empty());
}

TEST(TextFeaturesTest, ChineseSharesFeaturesWithoutSpaces) {
  TextFeaturizer f;
  // The same words written in different sentences share character features.
  const SparseRow a = f.Featurize("我想学习机器学习");
  const SparseRow b = f.Featurize("机器学习很有意思");
  const SparseRow c = f.Featurize("今天天气很好");
  EXPECT_GT(Cosine(a, b), Cosine(a, c));
  EXPECT_GT(Cosine(a, b), 0.2);
}

TEST(TextFeaturesTest, SimilarTextsAreCloserThanUnrelatedOnes) {
  TextFeaturizer f;
  const SparseRow a = f.Featurize("write a python function to sort a list of numbers");
  const SparseRow b = f.Featurize("python function that sorts numbers in a list");
  const SparseRow c = f.Featurize("напиши стихотворение о весне и любви");
  EXPECT_GT(Cosine(a, b), 0.3);
  EXPECT_LT(Cosine(a, c), 0.05);
}

TEST(TextFeaturesTest, IdfDownweightsCommonTerms) {
  TextFeaturizer f;
  std::vector<SparseRow> counts;
  for (int i = 0; i < 20; ++i) counts.push_back(f.Counts("common words " + std::to_string(i)));
  counts.push_back(f.Counts("rare"));
  f.FitIdf(counts);
  const SparseRow common = f.Counts("common");
  const SparseRow rare = f.Counts("rare");
  EXPECT_LT(f.idf()[common.cols[0]], f.idf()[rare.cols[0]]);
}

TEST(TextFeaturesTest, MaxCharsBoundsTheWork) {
  TextFeatureOptions o;
  o.max_chars = 10;
  TextFeaturizer f(o);
  EXPECT_EQ(f.Counts("abcdefghij").cols, f.Counts("abcdefghij and much more text after").cols);
}

TEST(TextFeaturesTest, InvalidUtf8IsSeparator) {
  TextFeaturizer f;
  EXPECT_EQ(f.Counts("abc\xff\xfe"
                     "def")
                .cols,
            f.Counts("abc def").cols);
}

}  // namespace
}  // namespace wildchat
