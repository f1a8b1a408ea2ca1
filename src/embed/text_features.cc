#include "embed/text_features.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>

#include "io/utf8.h"

namespace wildchat {
namespace {

// Scripts written without spaces: each character is a word of its own.
bool IsUnspacedScript(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0x0E00 && c <= 0x0E7F);
}

bool IsWordChar(uint32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const uint32_t mask = U_GET_GC_MASK(static_cast<UChar32>(c));
  return (mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}

uint32_t Fold(uint32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<uint32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
}

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// FNV-1a over code points, seeded by the feature kind.
struct Hasher {
  uint64_t h;
  explicit Hasher(uint64_t kind) : h(0xcbf29ce484222325ULL ^ (kind * 0x9E3779B97F4A7C15ULL)) {}
  void Add(uint32_t c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
};

constexpr uint64_t kWord = 1, kBigram = 2, kTrigram = 3;
constexpr uint32_t kSpace = ' ';

}  // namespace

TextFeaturizer::TextFeaturizer(TextFeatureOptions options) : options_(options) {
  idf_.assign(num_columns(), 1.0f);
}

SparseRow TextFeaturizer::Counts(std::string_view text) const {
  // Folded code points with every run of non-word characters turned into one space.
  std::vector<uint32_t> seq;
  seq.reserve(std::min<size_t>(text.size(), options_.max_chars) + 2);
  seq.push_back(kSpace);
  int taken = 0;
  for (size_t i = 0; i < text.size() && taken < options_.max_chars; ++taken) {
    uint32_t c = static_cast<unsigned char>(text[i]);
    size_t n = 1;
    if (c >= 0x80) {
      n = DecodeUtf8(text, i, &c);
      if (n == 0) n = 1, c = kSpace;
    }
    i += n;
    if (!IsWordChar(c)) {
      if (seq.back() != kSpace) seq.push_back(kSpace);
      continue;
    }
    seq.push_back(Fold(c));
  }
  if (seq.back() != kSpace) seq.push_back(kSpace);

  const uint32_t mask = num_columns() - 1;
  std::vector<uint32_t> cols;
  cols.reserve(seq.size() * 2);
  auto emit = [&](const Hasher& h) { cols.push_back(static_cast<uint32_t>(Mix(h.h)) & mask); };

  // Words, and unspaced-script characters (plus their adjacent pairs).
  size_t start = 1;
  for (size_t i = 1; i < seq.size(); ++i) {
    const uint32_t c = seq[i];
    const bool unspaced = IsUnspacedScript(c);
    if (c == kSpace || unspaced) {
      if (i > start) {
        Hasher h(kWord);
        for (size_t k = start; k < i; ++k) h.Add(seq[k]);
        emit(h);
      }
      start = i + 1;
    }
    if (unspaced) {
      Hasher h(kWord);
      h.Add(c);
      emit(h);
      if (IsUnspacedScript(seq[i - 1])) {
        Hasher b(kBigram);
        b.Add(seq[i - 1]);
        b.Add(c);
        emit(b);
      }
    }
  }
  // Character 3-grams across the whole normalised sequence (word edges included).
  for (size_t i = 0; i + 3 <= seq.size(); ++i) {
    Hasher h(kTrigram);
    h.Add(seq[i]);
    h.Add(seq[i + 1]);
    h.Add(seq[i + 2]);
    emit(h);
  }

  std::sort(cols.begin(), cols.end());
  SparseRow row;
  for (size_t i = 0; i < cols.size();) {
    size_t j = i;
    while (j < cols.size() && cols[j] == cols[i]) ++j;
    row.cols.push_back(cols[i]);
    row.vals.push_back(static_cast<float>(j - i));
    i = j;
  }
  return row;
}

void TextFeaturizer::FitIdf(const std::vector<SparseRow>& counts) {
  std::vector<uint32_t> df(num_columns(), 0);
  for (const SparseRow& r : counts)
    for (uint32_t c : r.cols) ++df[c];
  const double n = static_cast<double>(counts.size());
  idf_.resize(num_columns());
  for (size_t c = 0; c < df.size(); ++c)
    idf_[c] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[c])) + 1.0);
}

SparseRow TextFeaturizer::Weight(const SparseRow& counts) const {
  SparseRow row;
  row.cols = counts.cols;
  row.vals.resize(counts.vals.size());
  double norm = 0;
  for (size_t i = 0; i < counts.vals.size(); ++i) {
    const float v = (1.0f + std::log(counts.vals[i])) * idf_[counts.cols[i]];
    row.vals[i] = v;
    norm += static_cast<double>(v) * v;
  }
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : row.vals) v *= inv;
  }
  return row;
}

}  // namespace wildchat
