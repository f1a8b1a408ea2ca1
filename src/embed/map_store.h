// MapStore: everything the embedding map keeps in an index directory, under
// DIR/map/: per-document vectors (int8 with a per-vector scale), the k nearest
// neighbours of each document, 16-bit quantized coordinates for the global
// layout and for the document's language layout, small colour codes per
// attribute (language, model, …), the conversation id of each document, and
// the fitted text model (IDF + SVD basis) so that appended documents land in
// the same space. Row r of every array is the index's dense doc number r; a
// map covers docs [0, size()) and `embed --append` extends it.
//
// Save() writes each file to a temporary name and renames it, meta.json last;
// Load() checks that every file has the row count meta.json states, so a
// reader never mixes an old meta.json with new arrays of another size.
// A loaded MapStore is immutable and safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

// The colour-by attributes, in this order in every encoding.
inline constexpr int kMapAttributeCount = 6;
inline constexpr std::array<const char*, kMapAttributeCount> kMapAttributes = {
    "language", "model", "country", "toxic", "month", "dataset"};
// Attribute codes index MapAttribute::values; this code means "other".
inline constexpr uint8_t kOtherCode = 255;

struct MapAttribute {
  std::string name;
  std::vector<std::string> values;  // at most 255, most frequent first
  std::vector<uint8_t> codes;       // per doc
  // Code for a value, adding it while there is room; kOtherCode when full.
  uint8_t CodeOf(const std::string& value);
};

struct LanguageLayout {
  std::string language;
  uint32_t count = 0;
};

struct MapBounds {
  float min_x = 0, min_y = 0, max_x = 1, max_y = 1;
  uint16_t QuantizeX(float x) const;
  uint16_t QuantizeY(float y) const;
  float X(uint16_t q) const { return min_x + (max_x - min_x) * q / 65535.0f; }
  float Y(uint16_t q) const { return min_y + (max_y - min_y) * q / 65535.0f; }
  static MapBounds Of(const std::vector<float>& coords);  // n × 2, with a 1% margin
};

inline constexpr uint8_t kNoLayout = 255;

struct MapStore {
  // meta.json
  std::string method;     // "tfidf-svd" or "endpoint"
  std::string text_mode;  // "first" or "all"
  std::string embeddings_url, embeddings_model;
  uint64_t seed = 1;
  int dims = 0;      // stored vector width
  int knn_dims = 0;  // prefix used for neighbours and layout
  int k = 0;         // neighbours per doc
  MapBounds bounds;
  std::vector<LanguageLayout> layouts;  // per-language layouts
  std::vector<MapBounds> layout_bounds;

  std::vector<int64_t> ids;              // conversation id per doc
  std::vector<float> scales;             // per doc
  std::vector<int8_t> vectors;           // n × dims
  std::vector<uint32_t> neighbours;      // n × k, kNoNeighbour padded
  std::vector<float> neighbour_dists;    // n × k
  std::vector<uint16_t> xy;              // n × 2, global layout
  std::vector<uint8_t> layout_of;        // n, index into layouts or kNoLayout
  std::vector<uint16_t> layout_xy;       // n × 2, in the doc's language layout
  std::vector<MapAttribute> attributes;  // kMapAttributeCount, in kMapAttributes order
  std::string model;                     // serialized text model (offline method)

  uint32_t size() const { return static_cast<uint32_t>(ids.size()); }
  // Dequantized vector of doc `doc` (dims floats).
  void Vector(uint32_t doc, float* out) const;

  static std::string Dir(const std::string& index_dir) { return index_dir + "/map"; }
  static bool Exists(const std::string& index_dir);
  Status Save(const std::string& index_dir) const;
  // with_vectors=false skips the vectors and the text model (all a server needs).
  static Status Load(const std::string& index_dir, bool with_vectors, MapStore* out);
};

}  // namespace wildchat
