#include "embed/map_api.h"

#include <algorithm>
#include <cstring>

#include "io/json_writer.h"

namespace wildchat {
namespace {

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

template <typename T>
void PutArray(std::string* out, const T* data, size_t count) {
  if (count == 0) return;
  out->append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

}  // namespace

std::string EncodePoints(const MapStore& store, int layout) {
  const uint32_t n = store.size();
  std::vector<uint32_t> docs;
  if (layout >= 0) {
    for (uint32_t i = 0; i < n; ++i)
      if (store.layout_of[i] == layout) docs.push_back(i);
  }
  const uint32_t count = layout >= 0 ? static_cast<uint32_t>(docs.size()) : n;
  std::string out;
  out.reserve(24 + static_cast<size_t>(count) * (4 + 4 + kMapAttributeCount));
  Put<uint32_t>(&out, kPointsMagic);
  Put<uint32_t>(&out, 1);
  Put<uint32_t>(&out, count);
  Put<uint32_t>(&out, layout >= 0 ? 1 : 0);
  Put<uint32_t>(&out, kMapAttributeCount);
  Put<uint32_t>(&out, 0);
  if (layout < 0) {
    PutArray(&out, store.xy.data(), store.xy.size());
    for (const MapAttribute& a : store.attributes) PutArray(&out, a.codes.data(), a.codes.size());
    return out;
  }
  PutArray(&out, docs.data(), docs.size());
  for (uint32_t d : docs) {
    Put<uint16_t>(&out, store.layout_xy[2 * d]);
    Put<uint16_t>(&out, store.layout_xy[2 * d + 1]);
  }
  for (const MapAttribute& a : store.attributes)
    for (uint32_t d : docs) out += static_cast<char>(a.codes[d]);
  return out;
}

std::string EncodeMatches(const std::vector<uint32_t>& docs, uint32_t map_docs) {
  const auto in_map =
      static_cast<uint32_t>(std::lower_bound(docs.begin(), docs.end(), map_docs) - docs.begin());
  const size_t bitmap_bytes = (static_cast<size_t>(map_docs) + 7) / 8;
  const bool bitmap = bitmap_bytes < static_cast<size_t>(in_map) * 4;
  std::string out;
  Put<uint32_t>(&out, kMatchesMagic);
  Put<uint32_t>(&out, map_docs);
  Put<uint32_t>(&out, in_map);
  Put<uint32_t>(&out, bitmap ? 1 : 0);
  Put<uint64_t>(&out, docs.size());
  if (!bitmap) {
    PutArray(&out, docs.data(), in_map);
    return out;
  }
  const size_t at = out.size();
  out.resize(at + bitmap_bytes, '\0');
  for (uint32_t i = 0; i < in_map; ++i)
    out[at + docs[i] / 8] = static_cast<char>(out[at + docs[i] / 8] | (1 << (docs[i] % 8)));
  return out;
}

Status DecodeMatches(std::string_view bytes, uint32_t* map_docs, uint64_t* total,
                     std::vector<uint32_t>* docs) {
  uint32_t head[4];
  if (bytes.size() < 24) return Status::Corruption("matches: truncated header");
  std::memcpy(head, bytes.data(), 16);
  std::memcpy(total, bytes.data() + 16, 8);
  if (head[0] != kMatchesMagic) return Status::Corruption("matches: bad magic");
  *map_docs = head[1];
  const uint32_t count = head[2];
  docs->clear();
  const std::string_view body = bytes.substr(24);
  if (head[3] == 0) {
    if (body.size() != static_cast<size_t>(count) * 4) return Status::Corruption("matches: size");
    docs->resize(count);
    if (count) std::memcpy(docs->data(), body.data(), body.size());
  } else if (head[3] == 1) {
    if (body.size() != (static_cast<size_t>(head[1]) + 7) / 8)
      return Status::Corruption("matches: bitmap size");
    for (uint32_t i = 0; i < head[1]; ++i)
      if (static_cast<unsigned char>(body[i / 8]) & (1u << (i % 8))) docs->push_back(i);
    if (docs->size() != count) return Status::Corruption("matches: count");
  } else {
    return Status::Corruption("matches: unknown encoding");
  }
  return Status::OK();
}

std::string MapMetaJson(const MapStore& store, uint32_t index_docs) {
  std::string json;
  JsonWriter w(&json);
  auto bounds = [&](const MapBounds& b) {
    w.BeginArray().Double(b.min_x).Double(b.min_y).Double(b.max_x).Double(b.max_y).EndArray();
  };
  w.BeginObject();
  w.Key("docs").UInt(store.size());
  w.Key("index_docs").UInt(index_docs);
  w.Key("method").String(store.method);
  w.Key("text").String(store.text_mode);
  w.Key("dims").Int(store.dims);
  w.Key("neighbours").Int(store.k);
  w.Key("bounds");
  bounds(store.bounds);
  w.Key("layouts").BeginArray();
  for (size_t i = 0; i < store.layouts.size(); ++i) {
    w.BeginObject().Key("index").UInt(i).Key("language").String(store.layouts[i].language);
    w.Key("count").UInt(store.layouts[i].count).Key("bounds");
    bounds(store.layout_bounds[i]);
    w.EndObject();
  }
  w.EndArray();
  w.Key("attributes").BeginArray();
  for (const MapAttribute& a : store.attributes) {
    w.BeginObject().Key("name").String(a.name).Key("values").BeginArray();
    for (const std::string& v : a.values) w.String(v);
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json;
}

}  // namespace wildchat
