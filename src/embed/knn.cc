#include "embed/knn.h"

// hnswlib 0.6.2's SSE path prefetches through the entry one past the end of a
// neighbour list (a load past the allocation that AddressSanitizer rightly
// reports; harmless in practice). Sanitized builds use its plain C++ path.
#if defined(__SANITIZE_ADDRESS__) && !defined(NO_MANUAL_VECTORIZATION)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <queue>
#include <tuple>

#include "embed/parallel_for.h"

namespace wildchat {

struct VectorIndex::Impl {
  explicit Impl(int d) : dim(d), space(static_cast<size_t>(d)) {}
  int dim;
  uint64_t seed = 1;
  hnswlib::InnerProductSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
};

namespace {

// hnswlib's level distribution, floor(−ln U · mult), with U drawn from a hash
// of the label so that levels do not depend on the order of insertion.
int LevelOf(uint64_t seed, uint64_t label, double mult) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + label + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  const double u = (static_cast<double>(z >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
  return static_cast<int>(-std::log(u) * mult);
}

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
  impl->seed = options.seed;
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

// Insertion in batches, each in three parallel steps whose results do not
// depend on the thread count (so neither does the graph):
//   1. every new point looks for its candidate neighbours, at each of its
//      levels, in the graph as it was before the batch (read only) and, by
//      brute force, among the batch's earlier points;
//   2. every new point links to the best of them (hnswlib's heuristic);
//   3. every point linked to gets the new back links, in point order, its
//      list pruned by the same heuristic when it overflows.
// Levels come from a hash of the label and the seed rather than a shared
// random generator.
void VectorIndex::AddRange(const float* vectors, uint32_t first, uint32_t count, int threads) {
  using hnswlib::tableint;
  using Queue =
      std::priority_queue<std::pair<float, tableint>, std::vector<std::pair<float, tableint>>,
                          hnswlib::HierarchicalNSW<float>::CompareByFirst>;
  auto& h = *impl_->hnsw;
  if (h.cur_element_count + count > h.max_elements_) h.resizeIndex(h.cur_element_count + count);
  const size_t dim = static_cast<size_t>(impl_->dim);
  auto dist = [&](tableint x, tableint y) {
    return h.fstdistfunc_(h.getDataByInternalId(x), h.getDataByInternalId(y), h.dist_func_param_);
  };
  constexpr uint32_t kBatch = 512;
  for (uint32_t b0 = 0; b0 < count; b0 += kBatch) {
    const uint32_t size = std::min(count - b0, kBatch);
    const auto base = static_cast<tableint>(h.cur_element_count);
    const bool empty = base == 0;
    for (uint32_t s = 0; s < size; ++s) {
      const tableint c = base + s;
      const hnswlib::labeltype label = first + b0 + s;
      const int level = LevelOf(impl_->seed, label, h.mult_);
      h.element_levels_[c] = level;
      std::memset(h.data_level0_memory_ + c * h.size_data_per_element_ + h.offsetLevel0_, 0,
                  h.size_data_per_element_);
      std::memcpy(h.getExternalLabeLp(c), &label, sizeof(label));
      std::memcpy(h.getDataByInternalId(c), vectors + static_cast<size_t>(b0 + s) * dim,
                  h.data_size_);
      h.linkLists_[c] = nullptr;
      if (level > 0) {
        const size_t bytes = h.size_links_per_element_ * level + 1;
        h.linkLists_[c] = static_cast<char*>(std::calloc(bytes, 1));
        if (!h.linkLists_[c]) throw std::bad_alloc();
      }
      h.label_lookup_[label] = c;
    }
    h.cur_element_count = base + size;

    // 1 and 2: candidates, then the new points' own lists.
    std::vector<std::vector<Queue>> chosen(size);
    ParallelFor(
        0, size, threads,
        [&](uint32_t s) {
          const tableint c = base + s;
          const int level = h.element_levels_[c];
          const void* q = h.getDataByInternalId(c);
          std::vector<Queue>& per_level = chosen[s];
          per_level.resize(level + 1);
          if (!empty) {
            tableint at = h.enterpoint_node_;
            float at_dist = dist(c, at);
            for (int l = h.maxlevel_; l > level; --l) {
              for (bool moved = true; moved;) {
                moved = false;
                auto* list = h.get_linklist(at, l);
                const auto* ids = reinterpret_cast<const tableint*>(list + 1);
                for (size_t r = 0; r < h.getListCount(list); ++r) {
                  const float d = dist(c, ids[r]);
                  if (d < at_dist) at_dist = d, at = ids[r], moved = true;
                }
              }
            }
            for (int l = std::min(level, h.maxlevel_); l >= 0; --l) {
              per_level[l] = h.searchBaseLayer(at, q, l);
              float best = std::numeric_limits<float>::max();
              for (Queue copy = per_level[l]; !copy.empty(); copy.pop())
                if (copy.top().first <= best) best = copy.top().first, at = copy.top().second;
            }
          }
          for (uint32_t t = 0; t < s; ++t) {
            const tableint o = base + t;
            const float d = dist(c, o);
            for (int l = std::min(level, h.element_levels_[o]); l >= 0; --l) {
              per_level[l].emplace(d, o);
              if (per_level[l].size() > h.ef_construction_) per_level[l].pop();
            }
          }
          for (int l = 0; l <= level; ++l) {
            Queue& qu = per_level[l];
            h.getNeighborsByHeuristic2(qu, h.M_);
            auto* list = l == 0 ? h.get_linklist0(c) : h.get_linklist(c, l);
            auto* ids = reinterpret_cast<tableint*>(list + 1);
            size_t r = 0;
            for (Queue copy = qu; !copy.empty(); copy.pop()) ids[r++] = copy.top().second;
            h.setListCount(list, static_cast<unsigned short>(r));
          }
        },
        16);

    // 3: back links, grouped by the point (and level) they are added to.
    struct BackLink {
      int level;
      tableint to, from;
      bool operator<(const BackLink& o) const {
        return std::tie(level, to, from) < std::tie(o.level, o.to, o.from);
      }
    };
    std::vector<BackLink> back;
    for (uint32_t s = 0; s < size; ++s)
      for (int l = 0; l < static_cast<int>(chosen[s].size()); ++l)
        for (Queue copy = chosen[s][l]; !copy.empty(); copy.pop())
          back.push_back({l, copy.top().second, base + s});
    std::sort(back.begin(), back.end());
    std::vector<uint32_t> groups;
    for (uint32_t g = 0; g < back.size(); ++g)
      if (g == 0 || back[g].to != back[g - 1].to || back[g].level != back[g - 1].level)
        groups.push_back(g);
    groups.push_back(static_cast<uint32_t>(back.size()));
    ParallelFor(
        0, static_cast<uint32_t>(groups.size() - 1), threads,
        [&](uint32_t g) {
          const BackLink& head = back[groups[g]];
          const size_t cap = head.level ? h.maxM_ : h.maxM0_;
          auto* list =
              head.level == 0 ? h.get_linklist0(head.to) : h.get_linklist(head.to, head.level);
          auto* ids = reinterpret_cast<tableint*>(list + 1);
          size_t have = h.getListCount(list);
          const size_t adding = groups[g + 1] - groups[g];
          if (have + adding <= cap) {
            for (uint32_t e = groups[g]; e < groups[g + 1]; ++e) ids[have++] = back[e].from;
            h.setListCount(list, static_cast<unsigned short>(have));
            return;
          }
          Queue keep;
          for (size_t r = 0; r < have; ++r) keep.emplace(dist(head.to, ids[r]), ids[r]);
          for (uint32_t e = groups[g]; e < groups[g + 1]; ++e)
            keep.emplace(dist(head.to, back[e].from), back[e].from);
          h.getNeighborsByHeuristic2(keep, cap);
          size_t r = 0;
          for (; !keep.empty(); keep.pop()) ids[r++] = keep.top().second;
          h.setListCount(list, static_cast<unsigned short>(r));
        },
        16);

    for (uint32_t s = 0; s < size; ++s) {
      const int level = h.element_levels_[base + s];
      if (h.enterpoint_node_ == static_cast<tableint>(-1) || level > h.maxlevel_) {
        h.enterpoint_node_ = base + s;
        h.maxlevel_ = level;
      }
    }
  }
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
