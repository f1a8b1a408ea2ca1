#include "embed/map_store.h"

#include <simdjson.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/json_writer.h"

namespace wildchat {
namespace {

constexpr char kMagic[8] = {'W', 'C', 'M', 'A', 'P', '0', '1', '\0'};

struct Part {
  const void* data;
  size_t bytes;
};

Status WriteFileAtomically(const std::string& path, const std::vector<Part>& parts) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IOError(tmp + ": cannot create");
    for (const Part& p : parts) f.write(static_cast<const char*>(p.data), p.bytes);
    f.flush();
    if (!f) return Status::IOError(tmp + ": write failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IOError(path + ": rename failed");
  return Status::OK();
}

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(path + ": missing (run `wildchat embed`)");
  std::ostringstream s;
  s << f.rdbuf();
  *out = std::move(s).str();
  return Status::OK();
}

// Array files: magic, row count, bytes per row, then the rows.
Status WriteArray(const std::string& path, uint32_t rows, uint32_t row_bytes,
                  std::vector<Part> parts) {
  uint32_t head[2] = {rows, row_bytes};
  parts.insert(parts.begin(), {Part{kMagic, 8}, Part{head, 8}});
  return WriteFileAtomically(path, parts);
}

Status ReadArray(const std::string& path, uint32_t rows, uint32_t row_bytes, std::string* body) {
  std::string bytes;
  WILDCHAT_RETURN_IF_ERROR(ReadFile(path, &bytes));
  uint32_t head[2];
  if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    return Status::Corruption(path + ": not a map array file");
  std::memcpy(head, bytes.data() + 8, 8);
  if (head[0] != rows || head[1] != row_bytes ||
      bytes.size() != 16 + static_cast<uint64_t>(rows) * row_bytes)
    return Status::Corruption(path + ": size does not match meta.json (map being rewritten?)");
  *body = bytes.substr(16);
  return Status::OK();
}

template <typename T>
void Take(const std::string& body, size_t* at, std::vector<T>* out, size_t count) {
  out->resize(count);
  if (count) std::memcpy(out->data(), body.data() + *at, count * sizeof(T));
  *at += count * sizeof(T);
}

template <typename T>
Part PartOf(const std::vector<T>& v) {
  return Part{v.data(), v.size() * sizeof(T)};
}

void WriteBounds(JsonWriter& w, const MapBounds& b) {
  w.BeginArray().Double(b.min_x).Double(b.min_y).Double(b.max_x).Double(b.max_y).EndArray();
}

Status ReadBounds(simdjson::dom::element e, MapBounds* b) {
  simdjson::dom::array a;
  if (e.get_array().get(a) || a.size() != 4) return Status::Corruption("meta.json: bad bounds");
  double v[4];
  int i = 0;
  for (auto x : a) {
    if (x.get_double().get(v[i])) return Status::Corruption("meta.json: bad bounds");
    ++i;
  }
  *b = MapBounds{static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2]),
                 static_cast<float>(v[3])};
  return Status::OK();
}

}  // namespace

uint8_t MapAttribute::CodeOf(const std::string& value) {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<uint8_t>(i);
  if (values.size() >= kOtherCode) return kOtherCode;
  values.push_back(value);
  return static_cast<uint8_t>(values.size() - 1);
}

uint16_t MapBounds::QuantizeX(float x) const {
  const double t = (x - min_x) / std::max(1e-30, static_cast<double>(max_x - min_x));
  return static_cast<uint16_t>(std::lround(std::clamp(t, 0.0, 1.0) * 65535.0));
}
uint16_t MapBounds::QuantizeY(float y) const {
  const double t = (y - min_y) / std::max(1e-30, static_cast<double>(max_y - min_y));
  return static_cast<uint16_t>(std::lround(std::clamp(t, 0.0, 1.0) * 65535.0));
}

MapBounds MapBounds::Of(const std::vector<float>& coords) {
  if (coords.size() < 2) return MapBounds{};
  MapBounds b{coords[0], coords[1], coords[0], coords[1]};
  for (size_t i = 0; i + 1 < coords.size(); i += 2) {
    b.min_x = std::min(b.min_x, coords[i]), b.max_x = std::max(b.max_x, coords[i]);
    b.min_y = std::min(b.min_y, coords[i + 1]), b.max_y = std::max(b.max_y, coords[i + 1]);
  }
  const float mx = std::max(1e-3f, (b.max_x - b.min_x) * 0.01f);
  const float my = std::max(1e-3f, (b.max_y - b.min_y) * 0.01f);
  b.min_x -= mx, b.max_x += mx, b.min_y -= my, b.max_y += my;
  return b;
}

void MapStore::Vector(uint32_t doc, float* out) const {
  const int8_t* v = &vectors[static_cast<size_t>(doc) * dims];
  for (int d = 0; d < dims; ++d) out[d] = scales[doc] * v[d];
}

bool MapStore::Exists(const std::string& index_dir) {
  struct stat st;
  return ::stat((Dir(index_dir) + "/meta.json").c_str(), &st) == 0;
}

Status MapStore::Save(const std::string& index_dir) const {
  const std::string dir = Dir(index_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  const uint32_t n = size();
  WILDCHAT_RETURN_IF_ERROR(WriteArray(dir + "/ids.bin", n, 8, {PartOf(ids)}));
  if (!vectors.empty() || n == 0) {
    WILDCHAT_RETURN_IF_ERROR(
        WriteArray(dir + "/vectors.bin", n, 4 + dims, {PartOf(scales), PartOf(vectors)}));
  }
  WILDCHAT_RETURN_IF_ERROR(
      WriteArray(dir + "/neighbours.bin", n, 8 * k, {PartOf(neighbours), PartOf(neighbour_dists)}));
  WILDCHAT_RETURN_IF_ERROR(
      WriteArray(dir + "/coords.bin", n, 9, {PartOf(xy), PartOf(layout_of), PartOf(layout_xy)}));
  std::vector<Part> attr_parts;
  for (const MapAttribute& a : attributes) attr_parts.push_back(PartOf(a.codes));
  WILDCHAT_RETURN_IF_ERROR(
      WriteArray(dir + "/attributes.bin", n, kMapAttributeCount, std::move(attr_parts)));
  if (!model.empty())
    WILDCHAT_RETURN_IF_ERROR(
        WriteFileAtomically(dir + "/model.bin", {Part{model.data(), model.size()}}));

  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.Key("version").Int(1);
  w.Key("docs").UInt(n);
  w.Key("method").String(method);
  w.Key("text").String(text_mode);
  w.Key("embeddings_url").String(embeddings_url);
  w.Key("embeddings_model").String(embeddings_model);
  w.Key("seed").UInt(seed);
  w.Key("dims").Int(dims);
  w.Key("knn_dims").Int(knn_dims);
  w.Key("k").Int(k);
  w.Key("bounds");
  WriteBounds(w, bounds);
  w.Key("layouts").BeginArray();
  for (size_t i = 0; i < layouts.size(); ++i) {
    w.BeginObject().Key("language").String(layouts[i].language);
    w.Key("count").UInt(layouts[i].count).Key("bounds");
    WriteBounds(w, layout_bounds[i]);
    w.EndObject();
  }
  w.EndArray();
  w.Key("attributes").BeginArray();
  for (const MapAttribute& a : attributes) {
    w.BeginObject().Key("name").String(a.name).Key("values").BeginArray();
    for (const std::string& v : a.values) w.String(v);
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.EndObject();
  json += "\n";
  return WriteFileAtomically(dir + "/meta.json", {Part{json.data(), json.size()}});
}

Status MapStore::Load(const std::string& index_dir, bool with_vectors, MapStore* out) {
  const std::string dir = Dir(index_dir);
  std::string meta;
  WILDCHAT_RETURN_IF_ERROR(ReadFile(dir + "/meta.json", &meta));
  MapStore s;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(meta).get(root)) return Status::Corruption(dir + "/meta.json: not JSON");
  uint64_t n = 0, dims = 0, knn_dims = 0, k = 0, version = 0;
  std::string_view method, text, url, model_name;
  if (root["version"].get(version) || version != 1 || root["docs"].get(n) ||
      root["dims"].get(dims) || root["knn_dims"].get(knn_dims) || root["k"].get(k) ||
      root["method"].get(method) || root["text"].get(text) || root["embeddings_url"].get(url) ||
      root["embeddings_model"].get(model_name) || root["seed"].get(s.seed) || n > 0xFFFFFFF0ull ||
      dims > 65536 || k > 1024)
    return Status::Corruption(dir + "/meta.json: missing or bad fields");
  s.dims = static_cast<int>(dims);
  s.knn_dims = static_cast<int>(knn_dims);
  s.k = static_cast<int>(k);
  s.method = method, s.text_mode = text, s.embeddings_url = url, s.embeddings_model = model_name;
  WILDCHAT_RETURN_IF_ERROR(ReadBounds(root["bounds"], &s.bounds));
  simdjson::dom::array layouts, attributes;
  if (root["layouts"].get(layouts) || root["attributes"].get(attributes))
    return Status::Corruption(dir + "/meta.json: missing layouts or attributes");
  for (auto l : layouts) {
    LanguageLayout layout;
    std::string_view lang;
    uint64_t count;
    MapBounds b;
    if (l["language"].get(lang) || l["count"].get(count))
      return Status::Corruption(dir + "/meta.json: bad layout");
    WILDCHAT_RETURN_IF_ERROR(ReadBounds(l["bounds"], &b));
    layout.language = lang;
    layout.count = static_cast<uint32_t>(count);
    s.layouts.push_back(layout);
    s.layout_bounds.push_back(b);
  }
  for (auto a : attributes) {
    MapAttribute attr;
    std::string_view name;
    simdjson::dom::array values;
    if (a["name"].get(name) || a["values"].get(values))
      return Status::Corruption(dir + "/meta.json: bad attribute");
    attr.name = name;
    for (auto v : values) {
      std::string_view sv;
      if (v.get(sv)) return Status::Corruption(dir + "/meta.json: bad attribute value");
      attr.values.emplace_back(sv);
    }
    s.attributes.push_back(std::move(attr));
  }
  if (s.attributes.size() != kMapAttributeCount)
    return Status::Corruption(dir + "/meta.json: wrong attribute count");

  const auto rows = static_cast<uint32_t>(n);
  std::string body;
  size_t at = 0;
  WILDCHAT_RETURN_IF_ERROR(ReadArray(dir + "/ids.bin", rows, 8, &body));
  Take(body, &at, &s.ids, rows);
  at = 0;
  WILDCHAT_RETURN_IF_ERROR(ReadArray(dir + "/neighbours.bin", rows, 8 * s.k, &body));
  Take(body, &at, &s.neighbours, static_cast<size_t>(rows) * s.k);
  Take(body, &at, &s.neighbour_dists, static_cast<size_t>(rows) * s.k);
  at = 0;
  WILDCHAT_RETURN_IF_ERROR(ReadArray(dir + "/coords.bin", rows, 9, &body));
  Take(body, &at, &s.xy, static_cast<size_t>(rows) * 2);
  Take(body, &at, &s.layout_of, rows);
  Take(body, &at, &s.layout_xy, static_cast<size_t>(rows) * 2);
  at = 0;
  WILDCHAT_RETURN_IF_ERROR(ReadArray(dir + "/attributes.bin", rows, kMapAttributeCount, &body));
  for (MapAttribute& a : s.attributes) Take(body, &at, &a.codes, rows);
  for (uint32_t i = 0; i < rows; ++i)
    if (s.layout_of[i] != kNoLayout && s.layout_of[i] >= s.layouts.size())
      return Status::Corruption(dir + "/coords.bin: bad layout number");
  if (with_vectors) {
    at = 0;
    WILDCHAT_RETURN_IF_ERROR(ReadArray(dir + "/vectors.bin", rows, 4 + s.dims, &body));
    Take(body, &at, &s.scales, rows);
    Take(body, &at, &s.vectors, static_cast<size_t>(rows) * s.dims);
    if (s.method == "tfidf-svd") WILDCHAT_RETURN_IF_ERROR(ReadFile(dir + "/model.bin", &s.model));
  }
  *out = std::move(s);
  return Status::OK();
}

}  // namespace wildchat
