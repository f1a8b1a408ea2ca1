// PatternSet: many regular expressions searched in one pass. Hyperscan (Debian
// libhyperscan) runs every pattern's prefilter over the text at once and says
// which patterns can match; only those are then run with RE2 to find exact
// spans. Text with no candidate costs one Hyperscan scan, whatever the number
// of patterns, so adding a pattern costs little.
//
// A Pattern's prefilter must match wherever its RE2 expression matches (it may
// be looser, e.g. just a literal cue). Compile errors are kInvalidArgument
// naming the pattern. A compiled PatternSet is immutable and thread-safe:
// Hyperscan scratch space is taken from an internal pool per call.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace wildchat::curate {

struct Pattern {
  std::string name;
  // RE2 syntax. When it has a capturing group, group 1 is the reported span.
  std::string regex;
  // Hyperscan (PCRE subset) prefilter; empty means "same as regex".
  std::string prefilter;
  bool caseless = false;
};

class PatternSet {
 public:
  ~PatternSet();
  static Status Compile(std::vector<Pattern> patterns, std::unique_ptr<PatternSet>* out);

  // Calls on_match(pattern_index, begin, end) for every non-overlapping
  // leftmost match of each pattern, pattern by pattern, in text order within
  // a pattern. Text may be any bytes.
  using MatchFn = std::function<void(int pattern, size_t begin, size_t end)>;
  void Scan(std::string_view text, const MatchFn& on_match) const;

  const std::vector<Pattern>& patterns() const { return patterns_; }

 private:
  PatternSet() = default;
  struct ScratchPool;
  std::vector<Pattern> patterns_;
  std::vector<std::unique_ptr<re2::RE2>> re2_;
  void* database_ = nullptr;  // hs_database_t
  std::unique_ptr<ScratchPool> pool_;
};

}  // namespace wildchat::curate
