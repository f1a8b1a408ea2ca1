// Facet counting: for a match Bitset, counts conversations per value of a
// facet field (docs/query.md "Facets") across all segments, merging the
// segments' dictionaries by value. Sorted by count descending, then value
// ascending (byte order). Thread-safe; FacetCounter caches per-segment month
// columns on first use.
#pragma once

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
  // Per segment: each doc's month as (year*12 + month-1) - first, -1 when null.
  struct MonthColumn {
    std::vector<int32_t> month;
    int32_t first = 0;
    int32_t span = 0;
  };
  const MonthColumn& Months(size_t segment) const;
  const SegmentSet* index_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<MonthColumn>> months_;
};

}  // namespace wildchat
