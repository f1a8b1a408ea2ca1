// Facet counting: for a match Bitset, counts conversations per value of a
// facet field (docs/query.md "Facets") across all segments, merging the
// segments' dictionaries by value. Sorted by count descending, then value
// ascending (byte order). Thread-safe; FacetCounter builds, on first use,
// a compact column per segment and field (one or two bytes per doc: the bin
// each doc counts in), so that counting reads a quarter of the bytes the
// stored columns would take; fields of a few bins also get a bitset per bin,
// and a broad match set is counted against those 64 docs at a time.
#pragma once

#include <array>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/collect/bitset.h"
#include "engine/index.h"
#include "engine/query/executor.h"

namespace wildchat {

inline constexpr const char* kFacetFields[] = {"model", "language", "country", "state",
                                               "toxic", "redacted", "turns",   "month"};

bool IsFacetField(const std::string& name);

class FacetCounter {
 public:
  explicit FacetCounter(const SegmentSet* index) : index_(index) {}
  // (*out)[i] = the counts of fields[i]; one walk of the matches for all of
  // them. kInvalidArgument for an unknown field (out is then unspecified).
  Status Count(const std::vector<std::string>& fields, const Bitset& matches,
               std::vector<FacetCounts>* out) const;

 private:
  // One field of one segment as the histogram bin of each doc: dictionary
  // code (0: null), 0/1 for false/true, turn bucket (8: none), or month −
  // first_month (bins − 1: null). u8 when bins <= 256, else u16 when bins <=
  // 65,536, else u32 (the segment's own code column, or `own`).
  struct BinColumn {
    const uint8_t* u8 = nullptr;  // own8, or the segment's narrow codes (narrow_columns.h)
    std::vector<uint8_t> own8;
    std::vector<uint16_t> u16;
    std::vector<uint32_t> own;
    const uint32_t* u32 = nullptr;
    uint32_t bins = 0;
    std::vector<uint64_t> totals;  // docs per bin over the whole segment
    int32_t first_month = 0;
    // With at most kBitsetBins bins, also a bitset of each bin's docs in the
    // words of the global doc numbering (the match Bitset's): word
    // first_word + i of bin b is bin_words[b * words + i]. A broad match set
    // is then counted by AND and popcount, 64 docs at a time.
    std::vector<uint64_t> bin_words;
    size_t first_word = 0, words = 0;
  };
  static constexpr uint32_t kBitsetBins = 16;
  const BinColumn& Bins(size_t segment, size_t field) const;
  const SegmentSet* index_;
  mutable std::mutex mu_;
  // [segment][field index in kFacetFields]
  mutable std::vector<std::array<std::unique_ptr<BinColumn>, std::size(kFacetFields)>> bins_;
};

}  // namespace wildchat
