#include "embed/index_map.h"

#include <cstdio>
#include <ctime>

namespace wildchat {
namespace {

void AppendCut(std::string* out, const std::string& text, size_t max_bytes) {
  if (out->size() >= max_bytes) return;
  size_t take = std::min(text.size(), max_bytes - out->size());
  // Never end inside a UTF-8 sequence.
  while (take < text.size() && take > 0 && (static_cast<unsigned char>(text[take]) & 0xC0) == 0x80)
    --take;
  out->append(text, 0, take);
}

std::string Month(const std::optional<TimestampMicros>& t) {
  if (!t) return "unknown";
  const std::time_t secs = static_cast<std::time_t>(*t / 1000000 - (*t % 1000000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}

std::string Dataset(const Conversation& c) {
  for (const auto& [name, raw] : c.extra) {
    if (name != "dataset") continue;
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"')
      return raw.substr(1, raw.size() - 2);
    return raw;
  }
  return "WildChat";
}

}  // namespace

MapDoc MapDocOf(const Conversation& c, const std::string& text_mode, size_t max_bytes) {
  MapDoc d;
  d.id = c.id();
  if (text_mode == "all") {
    for (const Utterance& u : c.conversation) {
      if (!d.text.empty()) AppendCut(&d.text, "\n", max_bytes);
      AppendCut(&d.text, u.content, max_bytes);
    }
  } else {
    for (const Utterance& u : c.conversation) {
      if (u.role != "user") continue;
      AppendCut(&d.text, u.content, max_bytes);
      break;
    }
  }
  d.attributes = {c.language.value_or("unknown"),
                  c.model.empty() ? "unknown" : c.model,
                  c.country.value_or("unknown"),
                  IsTrue(c.toxic) ? "true" : "false",
                  Month(c.timestamp),
                  Dataset(c)};
  return d;
}

Status LoadMapFor(const Index& index, MapStore* out) {
  MapStore store;
  WILDCHAT_RETURN_IF_ERROR(MapStore::Load(index.dir(), /*with_vectors=*/false, &store));
  if (store.size() > index.NumDocs())
    return Status::Corruption(
        "the map has more points than the index has conversations; "
        "rebuild it with `wildchat embed`");
  for (uint32_t i = 0; i < store.size(); ++i)
    if (store.ids[i] != index.DocId(i))
      return Status::Corruption("the map does not match the index (doc " + std::to_string(i) +
                                "); rebuild it with `wildchat embed`");
  *out = std::move(store);
  return Status::OK();
}

Status EmbedIndex(const Index& index, const MapBuildOptions& options, bool append,
                  MapBuildStats* stats) {
  // Bytes kept per text: enough for the featurizer's max_chars code points.
  const size_t max_bytes = static_cast<size_t>(options.features.max_chars) * 4;
  std::vector<MapDoc> docs;
  if (!append) {
    docs.reserve(index.NumDocs());
    uint32_t doc = 0;
    WILDCHAT_RETURN_IF_ERROR(index.ForEachMatch("", [&](const Conversation& c) {
      docs.push_back(MapDocOf(c, options.text_mode, max_bytes));
      if (docs.back().id != index.DocId(doc))
        return Status::Internal("index order differs from doc numbers at doc " +
                                std::to_string(doc));
      ++doc;
      return Status::OK();
    }));
    return BuildMap(index.dir(), docs, options, stats);
  }
  MapStore store;
  WILDCHAT_RETURN_IF_ERROR(LoadMapFor(index, &store));
  MapBuildOptions o = options;
  o.text_mode = store.text_mode;  // the map keeps the text it was built from
  for (uint32_t doc = store.size(); doc < index.NumDocs(); ++doc) {
    Conversation c;
    WILDCHAT_RETURN_IF_ERROR(index.Get(index.DocId(doc), &c));
    docs.push_back(MapDocOf(c, o.text_mode, max_bytes));
  }
  return AppendMap(index.dir(), docs, o, stats);
}

}  // namespace wildchat
