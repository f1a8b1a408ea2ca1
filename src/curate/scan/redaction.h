// Redaction: replaces found spans of a text with placeholders. Overlapping
// findings are resolved first (the one starting earlier wins; at the same
// start, the longer one), so every byte is replaced at most once and the
// output is the input with whole spans swapped out. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wildchat::curate {

struct Finding {
  size_t begin = 0;
  size_t end = 0;     // exclusive; begin < end <= text.size()
  std::string label;  // entity or detector name, e.g. "EMAIL_ADDRESS"
  bool operator==(const Finding&) const = default;
};

// Sorts findings and drops those overlapping an earlier kept one.
std::vector<Finding> ResolveOverlaps(std::vector<Finding> findings);

// text with each (non-overlapping, sorted) finding replaced by
// prefix + label + suffix, e.g. "<PRESIDIO_ANONYMIZED_" "EMAIL_ADDRESS" ">".
std::string ApplyRedactions(std::string_view text, const std::vector<Finding>& resolved,
                            std::string_view prefix, std::string_view suffix = ">");

}  // namespace wildchat::curate
