#include "curate/release/release_card.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "io/json_writer.h"

namespace wildchat::curate {
namespace {

int64_t Get(const CurateStats& s, const std::string& k) {
  auto it = s.counters.find(k);
  return it == s.counters.end() ? 0 : it->second;
}

// (name, count) for counters "prefix.name", largest first.
std::vector<std::pair<std::string, int64_t>> WithPrefix(const CurateStats& s,
                                                        const std::string& prefix) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [k, v] : s.counters)
    if (k.rfind(prefix, 0) == 0) out.emplace_back(k.substr(prefix.size()), v);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string Percent(int64_t part, int64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", whole ? 100.0 * part / whole : 0.0);
  return buf;
}

}  // namespace

std::string ReportJson(const CurateStats& stats, int full_shards, int public_shards) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("counters").BeginObject();
  for (const auto& [k, v] : stats.counters) w.Key(k).Int(v);
  w.EndObject();
  w.Key("pii_examples").BeginObject();
  for (const auto& [k, v] : stats.examples) {
    w.Key(k).BeginArray();
    for (const auto& e : v) w.String(e);
    w.EndArray();
  }
  w.EndObject();
  w.Key("shards").BeginObject().Key("full").Int(full_shards).Key("public").Int(public_shards);
  w.EndObject();
  w.EndObject();
  out.push_back('\n');
  return out;
}

std::string DatasetCard(const CurateStats& stats, int full_shards, int public_shards) {
  const int64_t n = Get(stats, "conversations");
  std::string md;
  md += "# Curated conversation release\n\n";
  md +=
      "Produced by `wildchat curate` in the WildChat-1M schema. `full/` holds every\n"
      "conversation except those with any sexual/minors moderation category; `public/`\n"
      "additionally leaves out toxic conversations.\n\n";
  md += "| split | conversations | shards |\n|---|---|---|\n";
  md += "| full | " + std::to_string(Get(stats, "release.full")) + " | " +
        std::to_string(full_shards) + " |\n";
  md += "| public | " + std::to_string(Get(stats, "release.public")) + " | " +
        std::to_string(public_shards) + " |\n\n";
  md += "Input conversations: " + std::to_string(n) +
        "; utterances: " + std::to_string(Get(stats, "utterances")) +
        "; rejected records: " + std::to_string(Get(stats, "rejected")) +
        "; conversations repeating an earlier " +
        "conversation_hash (kept): " + std::to_string(Get(stats, "duplicate_hashes")) + ".\n\n";
  md += "Toxic conversations: " + std::to_string(Get(stats, "toxic")) + " (" +
        Percent(Get(stats, "toxic"), n) +
        "). Redacted conversations: " + std::to_string(Get(stats, "redacted")) + " (" +
        Percent(Get(stats, "redacted"), n) +
        "). Excluded for sexual/minors: " + std::to_string(Get(stats, "release.sexual_minors")) +
        ".\n\n";
  auto table = [&](const std::string& title, const std::string& prefix, size_t limit) {
    md += "## " + title + "\n\n| value | count | share |\n|---|---|---|\n";
    size_t i = 0;
    for (const auto& [k, v] : WithPrefix(stats, prefix)) {
      if (i++ == limit) break;
      md += "| " + k + " | " + std::to_string(v) + " | " + Percent(v, n) + " |\n";
    }
    md += "\n";
  };
  table("Languages (conversation language)", "language.", 30);
  table("Models", "model.", 20);
  table("Countries", "country.", 20);
  md += "## PII and secrets redacted (spans)\n\n| entity | count |\n|---|---|\n";
  for (const auto& [k, v] : WithPrefix(stats, "pii."))
    md += "| " + k + " | " + std::to_string(v) + " |\n";
  for (const auto& [k, v] : WithPrefix(stats, "secrets."))
    md += "| " + k + " (secret) | " + std::to_string(v) + " |\n";
  md += "\nValues seen in many distinct conversations were kept as public:\n\n";
  for (const auto& [k, v] : WithPrefix(stats, "pii_public_kept."))
    md += "- " + k + ": " + std::to_string(v) + "\n";
  md +=
      "\nModeration scores not present in the input come from the offline lexicon scorer\n"
      "(see docs/curate.md); they are keyword-based estimates, not a trained model.\n";
  return md;
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::IOError(tmp + ": cannot open for writing");
  const bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return Status::IOError(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IOError(path + ": rename failed");
  return Status::OK();
}

}  // namespace wildchat::curate
