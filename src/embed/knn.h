// Nearest neighbours among unit vectors under cosine distance (1 − dot).
// BuildKnnGraph gives every point its k nearest other points: exactly by
// brute force for small sets, else through an HNSW graph (hnswlib) whose
// recall is high but not perfect. VectorIndex is the HNSW graph itself, kept
// on disk so that points appended later find their neighbours without a
// rebuild. hnswlib stays behind this header.
//
// Graphs, exact or HNSW, are deterministic for a seed whatever the thread
// count (HNSW insertion runs in batches whose parallel steps do not depend on
// it, see knn.cc). VectorIndex::Search is thread-safe; AddRange and Save must
// not run concurrently with anything else on the same index.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

inline constexpr uint32_t kNoNeighbour = 0xFFFFFFFFu;

// Row i holds point i's neighbours, nearest first; missing ones are
// kNoNeighbour with distance 2 (only when there are fewer than k+1 points).
struct KnnGraph {
  int k = 0;
  std::vector<uint32_t> ids;  // n × k
  std::vector<float> dists;   // n × k
  uint32_t size() const { return k ? static_cast<uint32_t>(ids.size() / k) : 0; }
};

struct KnnOptions {
  int k = 15;
  int threads = 2;
  uint32_t exact_below = 4000;  // brute force under this many points
  int hnsw_m = 16;
  int ef_construction = 80;
  int ef_search = 64;
  uint64_t seed = 1;
};

class VectorIndex {
 public:
  static std::unique_ptr<VectorIndex> Create(int dim, uint32_t capacity, const KnnOptions& options);
  static Status Load(const std::string& path, int dim, uint32_t extra_capacity, int ef_search,
                     std::unique_ptr<VectorIndex>* out);
  ~VectorIndex();

  // Adds rows first..first+count of `vectors` (dim floats each) with labels
  // first.., in parallel on `threads` threads. Grows capacity as needed.
  void AddRange(const float* vectors, uint32_t first, uint32_t count, int threads);
  // Up to k nearest labels, nearest first, skipping `exclude`.
  void Search(const float* query, int k, uint32_t exclude, std::vector<uint32_t>* ids,
              std::vector<float>* dists) const;
  uint32_t size() const;
  Status Save(const std::string& path) const;

  struct Impl;

 private:
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// vectors: n × dim floats, rows of unit length (or zero).
KnnGraph BuildKnnGraph(const float* vectors, uint32_t n, int dim, const KnnOptions& options);
// The same, reusing an already-built index over exactly these vectors.
KnnGraph KnnGraphFromIndex(const VectorIndex& index, const float* vectors, uint32_t n, int dim,
                           const KnnOptions& options);

}  // namespace wildchat
