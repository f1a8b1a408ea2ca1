#include "curate/scan/redaction.h"

#include <algorithm>

namespace wildchat::curate {

std::vector<Finding> ResolveOverlaps(std::vector<Finding> findings) {
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end > b.end;
  });
  std::vector<Finding> kept;
  size_t covered = 0;
  for (auto& f : findings) {
    if (f.begin >= f.end) continue;
    if (!kept.empty() && f.begin < covered) continue;
    covered = f.end;
    kept.push_back(std::move(f));
  }
  return kept;
}

std::string ApplyRedactions(std::string_view text, const std::vector<Finding>& resolved,
                            std::string_view prefix, std::string_view suffix) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const Finding& f : resolved) {
    if (f.begin < pos || f.end > text.size()) continue;  // defensive: never emit twice
    out.append(text.substr(pos, f.begin - pos));
    out.append(prefix).append(f.label).append(suffix);
    pos = f.end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace wildchat::curate
