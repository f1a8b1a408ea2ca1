#include "embed/knn.h"

// hnswlib 0.6.2's SSE path prefetches through the entry one past the end of a
// neighbour list (a load past the allocation that AddressSanitizer rightly
// reports; harmless in practice). Sanitized builds use its plain C++ path.
#if defined(__SANITIZE_ADDRESS__) && !defined(NO_MANUAL_VECTORIZATION)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>

#include "embed/parallel_for.h"

namespace wildchat {

struct VectorIndex::Impl {
  explicit Impl(int d) : dim(d), space(static_cast<size_t>(d)) {}
  int dim;
  hnswlib::InnerProductSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
};

namespace {

float Dot(const float* a, const float* b, int dim) {
  float s = 0;
  for (int d = 0; d < dim; ++d) s += a[d] * b[d];
  return s;
}

}  // namespace

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;

std::unique_ptr<VectorIndex> VectorIndex::Create(int dim, uint32_t capacity,
                                                 const KnnOptions& options) {
  auto impl = std::make_unique<Impl>(dim);
  impl->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      &impl->space, std::max<uint32_t>(capacity, 1), options.hnsw_m, options.ef_construction,
      options.seed);
  impl->hnsw->setEf(std::max(options.ef_search, options.k + 1));
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

Status VectorIndex::Load(const std::string& path, int dim, uint32_t extra_capacity, int ef_search,
                         std::unique_ptr<VectorIndex>* out) {
  auto impl = std::make_unique<Impl>(dim);
  try {
    impl->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, path);
    if (impl->hnsw->data_size_ != dim * sizeof(float))
      return Status::Corruption(path + ": vector size does not match the map");
    impl->hnsw->resizeIndex(impl->hnsw->cur_element_count + extra_capacity + 1);
    impl->hnsw->setEf(static_cast<size_t>(ef_search));
  } catch (const std::exception& e) {
    return Status::IOError(path + ": " + e.what());
  }
  *out = std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
  return Status::OK();
}

void VectorIndex::AddRange(const float* vectors, uint32_t first, uint32_t count, int threads) {
  auto& h = *impl_->hnsw;
  if (h.cur_element_count + count > h.max_elements_) h.resizeIndex(h.cur_element_count + count);
  const size_t dim = static_cast<size_t>(impl_->dim);
  ParallelFor(first, first + count, threads,
              [&](uint32_t i) { h.addPoint(vectors + (i - first) * dim, i); });
}

void VectorIndex::Search(const float* query, int k, uint32_t exclude, std::vector<uint32_t>* ids,
                         std::vector<float>* dists) const {
  ids->clear();
  dists->clear();
  auto& h = *impl_->hnsw;
  const size_t want = static_cast<size_t>(k) + 1;
  // searchKnn reads ef_ without locking; it is set once before any search.
  auto result = h.searchKnn(query, want);
  std::vector<std::pair<float, uint32_t>> found;
  while (!result.empty()) {
    found.emplace_back(result.top().first, static_cast<uint32_t>(result.top().second));
    result.pop();
  }
  std::sort(found.begin(), found.end());
  for (const auto& [d, id] : found) {
    if (id == exclude) continue;
    if (static_cast<int>(ids->size()) == k) break;
    ids->push_back(id);
    dists->push_back(d);
  }
}

uint32_t VectorIndex::size() const {
  return static_cast<uint32_t>(impl_->hnsw->cur_element_count);
}

Status VectorIndex::Save(const std::string& path) const {
  try {
    impl_->hnsw->saveIndex(path);
  } catch (const std::exception& e) {
    return Status::IOError(path + ": " + e.what());
  }
  return Status::OK();
}

KnnGraph KnnGraphFromIndex(const VectorIndex& index, const float* vectors, uint32_t n, int dim,
                           const KnnOptions& options) {
  KnnGraph g;
  g.k = options.k;
  g.ids.assign(static_cast<size_t>(n) * g.k, kNoNeighbour);
  g.dists.assign(static_cast<size_t>(n) * g.k, 2.0f);
  ParallelFor(0, n, options.threads, [&](uint32_t i) {
    std::vector<uint32_t> ids;
    std::vector<float> dists;
    index.Search(vectors + static_cast<size_t>(i) * dim, g.k, i, &ids, &dists);
    std::copy(ids.begin(), ids.end(), g.ids.begin() + static_cast<size_t>(i) * g.k);
    std::copy(dists.begin(), dists.end(), g.dists.begin() + static_cast<size_t>(i) * g.k);
  });
  return g;
}

KnnGraph BuildKnnGraph(const float* vectors, uint32_t n, int dim, const KnnOptions& options) {
  if (n >= options.exact_below) {
    auto index = VectorIndex::Create(dim, n, options);
    index->AddRange(vectors, 0, n, options.threads);
    return KnnGraphFromIndex(*index, vectors, n, dim, options);
  }
  KnnGraph g;
  g.k = options.k;
  g.ids.assign(static_cast<size_t>(n) * g.k, kNoNeighbour);
  g.dists.assign(static_cast<size_t>(n) * g.k, 2.0f);
  ParallelFor(0, n, options.threads, [&](uint32_t i) {
    std::vector<std::pair<float, uint32_t>> all;
    all.reserve(n);
    const float* a = vectors + static_cast<size_t>(i) * dim;
    for (uint32_t j = 0; j < n; ++j)
      if (j != i) all.emplace_back(1.0f - Dot(a, vectors + static_cast<size_t>(j) * dim, dim), j);
    const size_t take = std::min<size_t>(g.k, all.size());
    std::partial_sort(all.begin(), all.begin() + take, all.end());
    for (size_t r = 0; r < take; ++r) {
      g.ids[static_cast<size_t>(i) * g.k + r] = all[r].second;
      g.dists[static_cast<size_t>(i) * g.k + r] = all[r].first;
    }
  });
  return g;
}

}  // namespace wildchat
