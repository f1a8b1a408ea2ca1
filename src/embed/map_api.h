// Binary encodings the map page reads (all little-endian, fixed-size
// headers, arrays aligned for typed-array views in the browser):
//
// Points (GET /api/map/points): a 24-byte header of u32 magic "WCPT", u32
// version (1), u32 count, u32 flags (bit 0: doc numbers present), u32
// attribute count, u32 zero; then u32 doc[count] when flagged (a language
// layout; the global layout lists every doc in order and omits them); then
// u16 xy[2 × count] (x, y quantized to 0..65535 over the layout's bounds);
// then for each attribute u8 code[count] (kMapAttributes order, 255 = other).
//
// Matches (GET /api/map/matches): a 24-byte header of u32 magic "WCMT", u32
// docs in the map, u32 count (matches among them), u32 encoding (0: u32 doc
// numbers ascending, 1: bitmap of ceil(docs/8) bytes, bit i%8 of byte i/8),
// u64 total matches in the index (may exceed count when the map lags an
// append); then the payload, whichever encoding is smaller.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "embed/map_store.h"

namespace wildchat {

inline constexpr uint32_t kPointsMagic = 0x54504357;   // "WCPT"
inline constexpr uint32_t kMatchesMagic = 0x544D4357;  // "WCMT"

// layout: -1 for the global layout, else an index into store.layouts.
std::string EncodePoints(const MapStore& store, int layout);

// docs: ascending doc numbers of all matches in the index.
std::string EncodeMatches(const std::vector<uint32_t>& docs, uint32_t map_docs);
Status DecodeMatches(std::string_view bytes, uint32_t* map_docs, uint64_t* total,
                     std::vector<uint32_t>* docs);

// An area of a layout (the `area` request parameter, docs/map.md):
// "[LANGUAGE:]x0,y0,x1,y1", a rectangle (bounds included), or
// "[LANGUAGE:]x1,y1,x2,y2,x3,y3[,...]", a polygon of three or more vertices
// (even-odd rule), in the 0..65535 point coordinates of the global layout or
// of that language's layout.
struct MapArea {
  std::string layout;      // empty: the global layout
  std::vector<double> xy;  // 4 numbers: rectangle; 6 or more: polygon
};
// kInvalidArgument (naming the parameter) for a malformed area.
Status ParseMapArea(std::string_view text, MapArea* out);
// Ascending doc numbers of the map's points inside `area`; kNotFound when the
// map has no layout of that name.
Status DocsInArea(const MapStore& store, const MapArea& area, std::vector<uint32_t>* docs);

// meta.json's content for the page: docs, method, bounds, layouts, attributes.
std::string MapMetaJson(const MapStore& store, uint32_t index_docs);

}  // namespace wildchat
