#include "embed/map_api.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

// Even-odd rule: a ray from (x, y) towards +x crosses the boundary an odd
// number of times.
bool InPolygon(const std::vector<double>& p, double x, double y) {
  const size_t n = p.size() / 2;
  bool inside = false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

}  // namespace

Status ParseMapArea(std::string_view text, MapArea* out) {
  MapArea area;
  const size_t colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    area.layout = std::string(text.substr(0, colon));
    text.remove_prefix(colon + 1);
  }
  auto bad = [&] {
    return Status::InvalidArgument(
        "parameter 'area' must be [LANGUAGE:]x0,y0,x1,y1 or a polygon x1,y1,x2,y2,x3,y3,... of "
        "map point coordinates (0..65535)");
  };
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string item(text.substr(0, comma));
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(v)) return bad();
    area.xy.push_back(v);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return bad();
  }
  if (area.xy.size() != 4 &&
      (area.xy.size() < 6 || area.xy.size() % 2 != 0 || area.xy.size() > 2000))
    return bad();
  *out = std::move(area);
  return Status::OK();
}

Status DocsInArea(const MapStore& store, const MapArea& area, std::vector<uint32_t>* docs) {
  docs->clear();
  int layout = -1;
  if (!area.layout.empty()) {
    for (size_t l = 0; l < store.layouts.size(); ++l)
      if (store.layouts[l].language == area.layout) layout = static_cast<int>(l);
    if (layout < 0) return Status::NotFound("the map has no layout for language " + area.layout);
  }
  const std::vector<uint16_t>& xy = layout < 0 ? store.xy : store.layout_xy;
  const std::vector<double>& a = area.xy;
  const bool rect = a.size() == 4;
  const double x0 = std::min(a[0], a[2]), x1 = std::max(a[0], a[2]);
  const double y0 = std::min(a[1], a[3]), y1 = std::max(a[1], a[3]);
  for (uint32_t i = 0; i < store.size(); ++i) {
    if (layout >= 0 && store.layout_of[i] != layout) continue;
    const double x = xy[2 * i], y = xy[2 * i + 1];
    if (rect ? x >= x0 && x <= x1 && y >= y0 && y <= y1 : InPolygon(a, x, y)) docs->push_back(i);
  }
  return Status::OK();
}

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
