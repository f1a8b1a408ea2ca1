// TextFeaturizer: turns text in any language into a sparse TF-IDF vector over
// hashed word and character n-gram features, the offline representation the
// map is built from. Words are runs of letters and digits after Unicode case
// folding; every Han, Hiragana, Katakana and Hangul character is also a word
// and adjacent pairs of them are bigram words, so Chinese, Japanese and Korean
// need no dictionary; character 3-grams catch morphology and scripts alike.
//
// Features are hashed into 2^hash_bits columns (the hashing trick), so there
// is no vocabulary and appended texts map to the same columns. Inverse document frequencies are
// fitted once (FitIdf) and then frozen. Featurize() is const and thread-safe after fitting.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace wildchat {

// One row of a sparse matrix: ascending column ids, matching values.
struct SparseRow {
  std::vector<uint32_t> cols;
  std::vector<float> vals;
};

struct TextFeatureOptions {
  int hash_bits = 18;    // columns = 2^hash_bits
  int max_chars = 2000;  // code points of each text looked at
};

class TextFeaturizer {
 public:
  explicit TextFeaturizer(TextFeatureOptions options = {});

  uint32_t num_columns() const { return 1u << options_.hash_bits; }
  const TextFeatureOptions& options() const { return options_; }

  // Raw term counts of one text, merged per hashed column.
  SparseRow Counts(std::string_view text) const;

  // Fits idf = ln((1 + n) / (1 + df)) + 1 from these texts' counts.
  void FitIdf(const std::vector<SparseRow>& counts);
  // Uses a previously fitted table (num_columns() entries).
  void SetIdf(std::vector<float> idf) { idf_ = std::move(idf); }
  const std::vector<float>& idf() const { return idf_; }

  // Sublinear tf (1 + ln tf) times idf, L2-normalised; empty text → empty row.
  SparseRow Weight(const SparseRow& counts) const;
  SparseRow Featurize(std::string_view text) const { return Weight(Counts(text)); }

 private:
  TextFeatureOptions options_;
  std::vector<float> idf_;
};

}  // namespace wildchat
