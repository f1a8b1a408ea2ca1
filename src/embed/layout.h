// Two-dimensional layout of a kNN graph in the manner of UMAP (McInnes et al.
// 2018): fuzzy neighbour weights with a per-point bandwidth, symmetrised, then
// stochastic gradient descent that pulls neighbours together and pushes random
// points apart (negative sampling). Initial positions are the points'
// projection on their top two principal axes, so large-scale structure is
// kept and a layout seeded from an earlier one stays recognisable.
//
// A layout is deterministic for a seed whatever the thread count: within an
// epoch every point moves only itself, against the positions all points had
// when the epoch began, drawing its negative samples from its own random
// stream. Coordinates are n × 2 floats, x then y.
#pragma once

#include <cstdint>
#include <vector>

#include "embed/knn.h"

namespace wildchat {

struct LayoutOptions {
  int epochs = 0;  // 0: chosen from the number of points
  int negative_samples = 5;
  float a = 1.577f, b = 0.895f;  // min_dist 0.1, spread 1
  float learning_rate = 1.0f;
  int threads = 2;
  uint64_t seed = 1;
};

// Projection of unit vectors (n × dim) on their top two principal axes,
// scaled into [-10, 10].
std::vector<float> PrincipalPlane(const float* vectors, uint32_t n, int dim, uint64_t seed);

// UMAP's choice: fewer epochs for more points.
int DefaultEpochs(uint32_t n);

// Optimises `coords` (n × 2, the starting positions) in place.
void ForceLayout(const KnnGraph& graph, const LayoutOptions& options, std::vector<float>* coords);

// The graph among `members` (ascending point numbers), renumbered 0..m-1;
// edges to non-members are dropped.
KnnGraph SubGraph(const KnnGraph& graph, const std::vector<uint32_t>& members);

// Position of a new point from its neighbours' positions (ids into coords,
// distances ascending): their mean weighted by a kernel on the distance.
// Returns false when no neighbour is usable.
bool PlaceFromNeighbours(const uint32_t* ids, const float* dists, int k,
                         const std::vector<float>& coords, float* x, float* y);

}  // namespace wildchat
