// The release's report.json and README.md dataset card, both written from
// the merged CurateStats of a run. Files are written to a temporary name and
// renamed into place.
#pragma once

#include <string>

#include "base/status.h"
#include "curate/pipeline/conversation_curator.h"

namespace wildchat::curate {

// report.json: {"counters": {...}, "pii_examples": {...}, "shards": {...}}.
std::string ReportJson(const CurateStats& stats, int full_shards, int public_shards);
// README.md: counts, languages, models, countries, toxic/redacted shares, PII by entity.
std::string DatasetCard(const CurateStats& stats, int full_shards, int public_shards);

// Writes contents to path via path + ".tmp" and rename.
Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace wildchat::curate
