#include "embed/map_builder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "embed/knn.h"
#include "embed/layout.h"
#include "embed/parallel_for.h"
#include "embed/svd_projection.h"

namespace wildchat {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void Progress(const MapBuildOptions& o, const std::string& stage) {
  if (o.progress) o.progress(stage);
}

// The offline text model: featurizer (with its IDF) and SVD projection.
struct TextModel {
  TextFeaturizer featurizer;
  SvdProjection projection;

  std::string Serialize() const {
    std::string out;
    const uint32_t head[2] = {static_cast<uint32_t>(featurizer.options().hash_bits),
                              static_cast<uint32_t>(featurizer.options().max_chars)};
    out.append(reinterpret_cast<const char*>(head), sizeof(head));
    const auto& idf = featurizer.idf();
    out.append(reinterpret_cast<const char*>(idf.data()), idf.size() * sizeof(float));
    out += projection.Serialize();
    return out;
  }

  static Status Deserialize(const std::string& bytes, TextModel* out) {
    uint32_t head[2];
    if (bytes.size() < sizeof(head)) return Status::Corruption("map model.bin: truncated");
    std::memcpy(head, bytes.data(), sizeof(head));
    if (head[0] < 10 || head[0] > 24) return Status::Corruption("map model.bin: bad header");
    TextFeatureOptions fo;
    fo.hash_bits = static_cast<int>(head[0]);
    fo.max_chars = static_cast<int>(head[1]);
    TextModel m{TextFeaturizer(fo), SvdProjection()};
    const size_t idf_bytes = static_cast<size_t>(m.featurizer.num_columns()) * sizeof(float);
    if (bytes.size() < sizeof(head) + idf_bytes)
      return Status::Corruption("map model.bin: truncated");
    std::vector<float> idf(m.featurizer.num_columns());
    std::memcpy(idf.data(), bytes.data() + sizeof(head), idf_bytes);
    m.featurizer.SetIdf(std::move(idf));
    WILDCHAT_RETURN_IF_ERROR(
        SvdProjection::Deserialize(bytes.substr(sizeof(head) + idf_bytes), &m.projection));
    *out = std::move(m);
    return Status::OK();
  }
};

TextModel FitTextModel(const std::vector<MapDoc>& docs, const MapBuildOptions& o) {
  TextModel m{TextFeaturizer(o.features), SvdProjection()};
  const auto n = static_cast<uint32_t>(docs.size());
  const uint32_t take = std::min(n, std::max<uint32_t>(o.fit_sample, 1));
  std::vector<SparseRow> rows(take);
  // Evenly spaced docs: deterministic, and spread over the whole collection period.
  ParallelFor(0, take, o.threads, [&](uint32_t s) {
    rows[s] = m.featurizer.Counts(docs[static_cast<uint64_t>(s) * n / take].text);
  });
  m.featurizer.FitIdf(rows);
  ParallelFor(0, take, o.threads, [&](uint32_t s) { rows[s] = m.featurizer.Weight(rows[s]); });
  SvdOptions so;
  so.dims = o.dims;
  so.seed = o.seed;
  so.threads = o.threads;
  m.projection = SvdProjection::Fit(rows, m.featurizer.num_columns(), so);
  return m;
}

// Stores vector `v` (dims floats, unit length) as doc `row` of the store and
// its renormalised leading knn_dims components in knn_row.
void StoreVector(const float* v, int dims, int knn_dims, uint32_t row, MapStore* store,
                 float* knn_row) {
  float top = 0;
  for (int d = 0; d < dims; ++d) top = std::max(top, std::fabs(v[d]));
  const float scale = top > 0 ? top / 127.0f : 0.0f;
  store->scales[row] = scale;
  int8_t* q = &store->vectors[static_cast<size_t>(row) * dims];
  for (int d = 0; d < dims; ++d)
    q[d] = scale > 0 ? static_cast<int8_t>(std::lround(v[d] / scale)) : 0;
  double norm = 0;
  for (int d = 0; d < knn_dims; ++d) norm += static_cast<double>(v[d]) * v[d];
  const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (int d = 0; d < knn_dims; ++d) knn_row[d] = v[d] * inv;
}

// Embeds docs into rows [first, first + docs.size()) of store (already sized)
// and `knn` (docs.size() × knn_dims, local rows).
Status EmbedDocs(const std::vector<MapDoc>& docs, const TextModel* model, const MapBuildOptions& o,
                 uint32_t first, MapStore* store, std::vector<float>* knn) {
  const auto n = static_cast<uint32_t>(docs.size());
  knn->assign(static_cast<size_t>(n) * store->knn_dims, 0.0f);
  if (model) {
    ParallelFor(0, n, o.threads, [&](uint32_t i) {
      std::vector<float> v(store->dims);
      model->projection.Project(model->featurizer.Featurize(docs[i].text), v.data());
      StoreVector(v.data(), store->dims, store->knn_dims, first + i, store,
                  knn->data() + static_cast<size_t>(i) * store->knn_dims);
    });
    return Status::OK();
  }
  EmbeddingsClientOptions eo = o.endpoint;
  eo.url = store->embeddings_url;
  eo.model = store->embeddings_model;
  EmbeddingsClient client(eo);
  std::vector<std::string> texts;
  texts.reserve(n);
  for (const MapDoc& d : docs) texts.push_back(d.text);
  int dim = 0;
  std::vector<float> vecs;
  WILDCHAT_RETURN_IF_ERROR(client.Embed(texts, &dim, &vecs));
  if (n == 0) return Status::OK();
  if (store->dims == 0) {
    store->dims = store->knn_dims = dim;
    store->vectors.resize(static_cast<size_t>(store->scales.size()) * dim);
    knn->assign(static_cast<size_t>(n) * dim, 0.0f);
  } else if (store->dims != dim) {
    return Status::InvalidArgument("the endpoint returns " + std::to_string(dim) +
                                   "-dimensional vectors; the map holds " +
                                   std::to_string(store->dims));
  }
  for (uint32_t i = 0; i < n; ++i)
    StoreVector(&vecs[static_cast<size_t>(i) * dim], dim, dim, first + i, store,
                knn->data() + static_cast<size_t>(i) * dim);
  return Status::OK();
}

// Value dictionaries ordered by frequency (ties by value), then codes.
void BuildAttributes(const std::vector<MapDoc>& docs, MapStore* store) {
  store->attributes.assign(kMapAttributeCount, {});
  for (int a = 0; a < kMapAttributeCount; ++a) {
    MapAttribute& attr = store->attributes[a];
    attr.name = kMapAttributes[a];
    std::map<std::string, uint32_t> counts;
    for (const MapDoc& d : docs) ++counts[d.attributes[a]];
    std::vector<std::pair<uint32_t, std::string>> order;
    for (auto& [v, c] : counts) order.emplace_back(c, v);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    for (size_t i = 0; i < order.size() && i < kOtherCode; ++i)
      attr.values.push_back(order[i].second);
    attr.codes.resize(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) attr.codes[i] = attr.CodeOf(docs[i].attributes[a]);
  }
}

std::string HnswPath(const std::string& index_dir) {
  return MapStore::Dir(index_dir) + "/hnsw.bin";
}

Status SaveHnsw(const VectorIndex& index, const std::string& index_dir) {
  const std::string path = HnswPath(index_dir);
  std::error_code ec;
  std::filesystem::create_directories(MapStore::Dir(index_dir), ec);
  if (ec) return Status::IOError(MapStore::Dir(index_dir) + ": " + ec.message());
  WILDCHAT_RETURN_IF_ERROR(index.Save(path + ".tmp"));
  if (std::rename((path + ".tmp").c_str(), path.c_str()) != 0)
    return Status::IOError(path + ": rename failed");
  return Status::OK();
}

KnnOptions KnnOptionsFor(const MapBuildOptions& o) {
  KnnOptions ko;
  ko.k = o.k;
  ko.threads = o.threads;
  ko.seed = o.seed;
  ko.exact_below = o.exact_knn_below;
  return ko;
}

}  // namespace

Status BuildMap(const std::string& index_dir, const std::vector<MapDoc>& docs,
                const MapBuildOptions& o, MapBuildStats* stats) {
  if (o.k < 1 || o.k > 100) return Status::InvalidArgument("--neighbours must be in 1..100");
  const bool offline = o.endpoint.url.empty();
  if (offline && (o.dims < 2 || o.dims > 1024))
    return Status::InvalidArgument("--dims must be in 2..1024");
  const auto n = static_cast<uint32_t>(docs.size());
  MapStore store;
  store.method = offline ? "tfidf-svd" : "endpoint";
  store.text_mode = o.text_mode;
  store.embeddings_url = o.endpoint.url;
  store.embeddings_model = o.endpoint.model;
  store.seed = o.seed;
  store.k = o.k;
  store.dims = offline ? o.dims : 0;
  store.knn_dims = offline ? std::clamp(o.knn_dims, 2, o.dims) : 0;
  store.ids.resize(n);
  for (uint32_t i = 0; i < n; ++i) store.ids[i] = docs[i].id;
  store.scales.resize(n);
  store.vectors.resize(static_cast<size_t>(n) * store.dims);

  auto t = Clock::now();
  std::vector<float> knn;
  if (offline) {
    Progress(o, "fitting the text model");
    TextModel model = FitTextModel(docs, o);
    store.model = model.Serialize();
    Progress(o, "embedding " + std::to_string(n) + " texts");
    WILDCHAT_RETURN_IF_ERROR(EmbedDocs(docs, &model, o, 0, &store, &knn));
  } else {
    Progress(o, "embedding " + std::to_string(n) + " texts through " + o.endpoint.url);
    WILDCHAT_RETURN_IF_ERROR(EmbedDocs(docs, nullptr, o, 0, &store, &knn));
  }
  stats->embed_seconds = Since(t);

  t = Clock::now();
  Progress(o, "finding neighbours");
  const KnnOptions ko = KnnOptionsFor(o);
  auto index = VectorIndex::Create(store.knn_dims, n, ko);
  index->AddRange(knn.data(), 0, n, o.threads);
  const KnnGraph graph = n < o.exact_knn_below
                             ? BuildKnnGraph(knn.data(), n, store.knn_dims, ko)
                             : KnnGraphFromIndex(*index, knn.data(), n, store.knn_dims, ko);
  store.neighbours = graph.ids;
  store.neighbour_dists = graph.dists;
  stats->knn_seconds = Since(t);

  t = Clock::now();
  Progress(o, "laying out the map");
  LayoutOptions lo;
  lo.epochs = o.epochs;
  lo.threads = o.threads;
  lo.seed = o.seed;
  std::vector<float> coords = PrincipalPlane(knn.data(), n, store.knn_dims, o.seed);
  ForceLayout(graph, lo, &coords);
  store.bounds = MapBounds::Of(coords);
  store.xy.resize(static_cast<size_t>(n) * 2);
  for (uint32_t i = 0; i < n; ++i) {
    store.xy[2 * i] = store.bounds.QuantizeX(coords[2 * i]);
    store.xy[2 * i + 1] = store.bounds.QuantizeY(coords[2 * i + 1]);
  }
  BuildAttributes(docs, &store);

  // Per-language layouts, refined from the global positions.
  const MapAttribute& lang = store.attributes[0];
  store.layout_of.assign(n, kNoLayout);
  store.layout_xy.assign(static_cast<size_t>(n) * 2, 0);
  std::vector<uint32_t> per_code(256, 0);
  for (uint8_t c : lang.codes) ++per_code[c];
  for (size_t c = 0; c < lang.values.size() && store.layouts.size() < kNoLayout; ++c) {
    if (per_code[c] < std::max<uint32_t>(o.min_layout_points, 2)) continue;
    Progress(o, "laying out " + lang.values[c]);
    std::vector<uint32_t> members;
    for (uint32_t i = 0; i < n; ++i)
      if (lang.codes[i] == c) members.push_back(i);
    const KnnGraph sub = SubGraph(graph, members);
    std::vector<float> sub_coords(members.size() * 2);
    for (size_t s = 0; s < members.size(); ++s) {
      sub_coords[2 * s] = coords[2 * members[s]];
      sub_coords[2 * s + 1] = coords[2 * members[s] + 1];
    }
    LayoutOptions slo = lo;
    slo.epochs = o.epochs > 0 ? o.epochs : (members.size() < 10000 ? 250 : 60);
    ForceLayout(sub, slo, &sub_coords);
    const MapBounds b = MapBounds::Of(sub_coords);
    const auto layout = static_cast<uint8_t>(store.layouts.size());
    store.layouts.push_back({lang.values[c], static_cast<uint32_t>(members.size())});
    store.layout_bounds.push_back(b);
    for (size_t s = 0; s < members.size(); ++s) {
      const uint32_t i = members[s];
      store.layout_of[i] = layout;
      store.layout_xy[2 * i] = b.QuantizeX(sub_coords[2 * s]);
      store.layout_xy[2 * i + 1] = b.QuantizeY(sub_coords[2 * s + 1]);
    }
  }
  stats->layout_seconds = Since(t);

  t = Clock::now();
  Progress(o, "saving the map");
  WILDCHAT_RETURN_IF_ERROR(SaveHnsw(*index, index_dir));
  WILDCHAT_RETURN_IF_ERROR(store.Save(index_dir));
  stats->save_seconds = Since(t);
  stats->docs = stats->added = n;
  return Status::OK();
}

Status AppendMap(const std::string& index_dir, const std::vector<MapDoc>& docs,
                 const MapBuildOptions& o, MapBuildStats* stats) {
  MapStore store;
  WILDCHAT_RETURN_IF_ERROR(MapStore::Load(index_dir, /*with_vectors=*/true, &store));
  const uint32_t n0 = store.size();
  const auto m = static_cast<uint32_t>(docs.size());
  stats->docs = n0 + m;
  stats->added = m;
  if (m == 0) return Status::OK();
  if (static_cast<uint64_t>(n0) + m >= kNoNeighbour)
    return Status::InvalidArgument("map too large");
  const uint32_t n = n0 + m;

  auto t = Clock::now();
  Progress(o, "embedding " + std::to_string(m) + " new texts");
  store.ids.resize(n);
  for (uint32_t i = 0; i < m; ++i) store.ids[n0 + i] = docs[i].id;
  store.scales.resize(n);
  store.vectors.resize(static_cast<size_t>(n) * store.dims);
  std::vector<float> knn;
  if (store.method == "tfidf-svd") {
    TextModel model;
    WILDCHAT_RETURN_IF_ERROR(TextModel::Deserialize(store.model, &model));
    if (model.projection.dims() != store.dims)
      return Status::Corruption("map model.bin does not match meta.json");
    WILDCHAT_RETURN_IF_ERROR(EmbedDocs(docs, &model, o, n0, &store, &knn));
  } else {
    WILDCHAT_RETURN_IF_ERROR(EmbedDocs(docs, nullptr, o, n0, &store, &knn));
  }
  stats->embed_seconds = Since(t);

  t = Clock::now();
  Progress(o, "finding neighbours");
  std::unique_ptr<VectorIndex> index;
  KnnOptions ko = KnnOptionsFor(o);
  ko.k = store.k;
  WILDCHAT_RETURN_IF_ERROR(VectorIndex::Load(HnswPath(index_dir), store.knn_dims, m,
                                             std::max(ko.ef_search, 2 * ko.k), &index));
  if (index->size() != n0) return Status::Corruption("map hnsw.bin does not match meta.json");
  index->AddRange(knn.data(), n0, m, o.threads);
  const int k = store.k;
  store.neighbours.resize(static_cast<size_t>(n) * k, kNoNeighbour);
  store.neighbour_dists.resize(static_cast<size_t>(n) * k, 2.0f);
  ParallelFor(0, m, o.threads, [&](uint32_t i) {
    std::vector<uint32_t> ids;
    std::vector<float> dists;
    index->Search(&knn[static_cast<size_t>(i) * store.knn_dims], k, n0 + i, &ids, &dists);
    std::copy(ids.begin(), ids.end(), store.neighbours.begin() + static_cast<size_t>(n0 + i) * k);
    std::copy(dists.begin(), dists.end(),
              store.neighbour_dists.begin() + static_cast<size_t>(n0 + i) * k);
  });
  // Old docs adopt a new doc as neighbour when it is nearer than their farthest.
  for (uint32_t i = n0; i < n; ++i) {
    for (int r = 0; r < k; ++r) {
      const uint32_t j = store.neighbours[static_cast<size_t>(i) * k + r];
      if (j == kNoNeighbour || j >= i) continue;
      const float d = store.neighbour_dists[static_cast<size_t>(i) * k + r];
      uint32_t* ids = &store.neighbours[static_cast<size_t>(j) * k];
      float* dists = &store.neighbour_dists[static_cast<size_t>(j) * k];
      if (!(d < dists[k - 1]) || std::find(ids, ids + k, i) != ids + k) continue;
      int pos = k - 1;
      while (pos > 0 && dists[pos - 1] > d) {
        ids[pos] = ids[pos - 1];
        dists[pos] = dists[pos - 1];
        --pos;
      }
      ids[pos] = i;
      dists[pos] = d;
    }
  }
  stats->knn_seconds = Since(t);

  t = Clock::now();
  Progress(o, "placing new points");
  // Positions of placed docs (old ones dequantized; new ones as they are placed).
  std::vector<float> coords(static_cast<size_t>(n0) * 2),
      layout_coords(static_cast<size_t>(n0) * 2);
  for (uint32_t i = 0; i < n0; ++i) {
    coords[2 * i] = store.bounds.X(store.xy[2 * i]);
    coords[2 * i + 1] = store.bounds.Y(store.xy[2 * i + 1]);
    if (store.layout_of[i] != kNoLayout) {
      const MapBounds& b = store.layout_bounds[store.layout_of[i]];
      layout_coords[2 * i] = b.X(store.layout_xy[2 * i]);
      layout_coords[2 * i + 1] = b.Y(store.layout_xy[2 * i + 1]);
    }
  }
  for (int a = 0; a < kMapAttributeCount; ++a) store.attributes[a].codes.resize(n);
  store.xy.resize(static_cast<size_t>(n) * 2);
  store.layout_of.resize(n, kNoLayout);
  store.layout_xy.resize(static_cast<size_t>(n) * 2, 0);
  for (uint32_t i = n0; i < n; ++i) {
    const MapDoc& doc = docs[i - n0];
    for (int a = 0; a < kMapAttributeCount; ++a)
      store.attributes[a].codes[i] = store.attributes[a].CodeOf(doc.attributes[a]);
    const uint32_t* ids = &store.neighbours[static_cast<size_t>(i) * k];
    const float* dists = &store.neighbour_dists[static_cast<size_t>(i) * k];
    float x = (store.bounds.min_x + store.bounds.max_x) / 2;
    float y = (store.bounds.min_y + store.bounds.max_y) / 2;
    PlaceFromNeighbours(ids, dists, k, coords, &x, &y);
    coords.push_back(x);
    coords.push_back(y);
    store.xy[2 * i] = store.bounds.QuantizeX(x);
    store.xy[2 * i + 1] = store.bounds.QuantizeY(y);

    // The language layout, from neighbours already in it.
    uint8_t layout = kNoLayout;
    for (size_t l = 0; l < store.layouts.size(); ++l)
      if (store.layouts[l].language == doc.attributes[0]) layout = static_cast<uint8_t>(l);
    float lx = 0, ly = 0;
    if (layout != kNoLayout) {
      const MapBounds& b = store.layout_bounds[layout];
      std::vector<uint32_t> same;
      std::vector<float> same_d;
      for (int r = 0; r < k; ++r)
        if (ids[r] != kNoNeighbour && ids[r] < i && store.layout_of[ids[r]] == layout)
          same.push_back(ids[r]), same_d.push_back(dists[r]);
      lx = (b.min_x + b.max_x) / 2, ly = (b.min_y + b.max_y) / 2;
      PlaceFromNeighbours(same.data(), same_d.data(), static_cast<int>(same.size()), layout_coords,
                          &lx, &ly);
      store.layout_of[i] = layout;
      store.layout_xy[2 * i] = b.QuantizeX(lx);
      store.layout_xy[2 * i + 1] = b.QuantizeY(ly);
      ++store.layouts[layout].count;
    }
    layout_coords.push_back(lx);
    layout_coords.push_back(ly);
  }
  stats->layout_seconds = Since(t);

  t = Clock::now();
  Progress(o, "saving the map");
  WILDCHAT_RETURN_IF_ERROR(SaveHnsw(*index, index_dir));
  WILDCHAT_RETURN_IF_ERROR(store.Save(index_dir));
  stats->save_seconds = Since(t);
  return Status::OK();
}

}  // namespace wildchat
