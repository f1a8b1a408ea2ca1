#include "embed/layout.h"

#include <algorithm>
#include <cmath>

#include "embed/parallel_for.h"
#include "embed/svd_projection.h"

namespace wildchat {
namespace {

struct Edge {
  uint32_t i, j;
  float w;
};

// UMAP's smooth kNN bandwidths and symmetrised fuzzy union w = a + b − ab.
std::vector<Edge> FuzzyEdges(const KnnGraph& g) {
  const uint32_t n = g.size();
  const int k = g.k;
  std::vector<Edge> directed;
  directed.reserve(static_cast<size_t>(n) * k);
  const double target = std::log2(static_cast<double>(std::max(k, 2)));
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t* ids = &g.ids[static_cast<size_t>(i) * k];
    const float* d = &g.dists[static_cast<size_t>(i) * k];
    int count = 0;
    double rho = 0;
    for (int r = 0; r < k && ids[r] != kNoNeighbour; ++r, ++count) {
      const double dist = std::max(0.0f, d[r]);
      if (dist > 0 && (rho == 0 || dist < rho)) rho = dist;
    }
    if (count == 0) continue;
    double lo = 0, hi = 1e300, sigma = 1;
    for (int it = 0; it < 64; ++it) {
      double sum = 0;
      for (int r = 0; r < count; ++r) {
        const double x = std::max(0.0f, d[r]) - rho;
        sum += x > 0 ? std::exp(-x / sigma) : 1.0;
      }
      if (std::fabs(sum - target) < 1e-5) break;
      if (sum > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi >= 1e300 ? sigma * 2 : (lo + hi) / 2;
      }
    }
    sigma = std::max(sigma, 1e-3 * rho + 1e-12);
    for (int r = 0; r < count; ++r) {
      const double x = std::max(0.0f, d[r]) - rho;
      const float w = static_cast<float>(x > 0 ? std::exp(-x / sigma) : 1.0);
      const uint32_t j = ids[r];
      if (j == i || j >= n) continue;
      directed.push_back(i < j ? Edge{i, j, w} : Edge{j, i, w});
    }
  }
  std::sort(directed.begin(), directed.end(), [](const Edge& a, const Edge& b) {
    return a.i != b.i ? a.i < b.i : (a.j != b.j ? a.j < b.j : a.w < b.w);
  });
  std::vector<Edge> edges;
  for (size_t s = 0; s < directed.size();) {
    size_t e = s + 1;
    while (e < directed.size() && directed[e].i == directed[s].i && directed[e].j == directed[s].j)
      ++e;
    float w = directed[s].w;
    if (e - s > 1) w = w + directed[s + 1].w - w * directed[s + 1].w;
    edges.push_back({directed[s].i, directed[s].j, w});
    s = e;
  }
  return edges;
}

struct Rng {
  uint64_t s;
  uint32_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<uint32_t>(s >> 32);
  }
};

// A well-mixed xorshift state for (seed, epoch, point): each point's negative
// samples are the same whichever thread draws them.
uint64_t StreamSeed(uint64_t seed, int epoch, uint32_t point) {
  uint64_t z = (seed + 1) * 0x9E3779B97F4A7C15ULL ^ (static_cast<uint64_t>(epoch) << 32 | point);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z ? z : 1;
}

float Clip(float v) {
  return std::max(-4.0f, std::min(4.0f, v));
}

}  // namespace

int DefaultEpochs(uint32_t n) {
  return n < 10000 ? 500 : (n < 200000 ? 200 : 100);
}

std::vector<float> PrincipalPlane(const float* vectors, uint32_t n, int dim, uint64_t seed) {
  std::vector<float> coords(static_cast<size_t>(n) * 2, 0.0f);
  if (n == 0 || dim == 0) return coords;
  std::vector<double> mean(dim, 0.0);
  for (uint32_t i = 0; i < n; ++i)
    for (int d = 0; d < dim; ++d) mean[d] += vectors[static_cast<size_t>(i) * dim + d];
  for (double& m : mean) m /= n;
  // Block power iteration on the covariance for two axes.
  std::vector<double> q(static_cast<size_t>(dim) * 2);
  GaussianStream gauss(seed);
  for (double& v : q) v = gauss.Next();
  auto orthonormalize = [&] {
    double n0 = 0, dot = 0, n1 = 0;
    for (int d = 0; d < dim; ++d) n0 += q[d] * q[d];
    n0 = std::sqrt(n0) + 1e-300;
    for (int d = 0; d < dim; ++d) q[d] /= n0;
    for (int d = 0; d < dim; ++d) dot += q[d] * q[dim + d];
    for (int d = 0; d < dim; ++d) q[dim + d] -= dot * q[d];
    for (int d = 0; d < dim; ++d) n1 += q[dim + d] * q[dim + d];
    n1 = std::sqrt(n1) + 1e-300;
    for (int d = 0; d < dim; ++d) q[dim + d] /= n1;
  };
  orthonormalize();
  std::vector<double> next(q.size());
  for (int it = 0; it < 12; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    for (uint32_t i = 0; i < n; ++i) {
      const float* v = vectors + static_cast<size_t>(i) * dim;
      double p0 = 0, p1 = 0;
      for (int d = 0; d < dim; ++d) {
        const double x = v[d] - mean[d];
        p0 += x * q[d];
        p1 += x * q[dim + d];
      }
      for (int d = 0; d < dim; ++d) {
        const double x = v[d] - mean[d];
        next[d] += p0 * x;
        next[dim + d] += p1 * x;
      }
    }
    q.swap(next);
    orthonormalize();
  }
  float top = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const float* v = vectors + static_cast<size_t>(i) * dim;
    double p0 = 0, p1 = 0;
    for (int d = 0; d < dim; ++d) {
      const double x = v[d] - mean[d];
      p0 += x * q[d];
      p1 += x * q[dim + d];
    }
    coords[2 * i] = static_cast<float>(p0);
    coords[2 * i + 1] = static_cast<float>(p1);
    top = std::max({top, std::fabs(coords[2 * i]), std::fabs(coords[2 * i + 1])});
  }
  // Scale into [-10, 10] with a tiny deterministic jitter so that identical
  // vectors do not start (and, without repulsion between them, stay) stacked.
  Rng rng{seed * 0x9E3779B97F4A7C15ULL + 1};
  const float scale = top > 0 ? 10.0f / top : 1.0f;
  for (float& c : coords)
    c = c * scale + (static_cast<float>(rng.Next() >> 8) / 16777216.0f - 0.5f) * 1e-3f;
  return coords;
}

void ForceLayout(const KnnGraph& graph, const LayoutOptions& options, std::vector<float>* coords) {
  const uint32_t n = graph.size();
  if (n < 2) return;
  const int epochs = options.epochs > 0 ? options.epochs : DefaultEpochs(n);
  std::vector<Edge> edges = FuzzyEdges(graph);
  if (edges.empty()) return;
  float top = 0;
  for (const Edge& e : edges) top = std::max(top, e.w);
  // Edges too weak to be sampled even once are dropped, as UMAP does.
  std::erase_if(edges, [&](const Edge& e) { return e.w < top / epochs; });

  // Each edge twice, once from each end, grouped by the end that moves.
  std::vector<uint32_t> start(n + 1, 0);
  for (const Edge& e : edges) ++start[e.i + 1], ++start[e.j + 1];
  for (uint32_t i = 0; i < n; ++i) start[i + 1] += start[i];
  const size_t m = start[n];
  std::vector<uint32_t> other(m);
  std::vector<float> per_sample(m), next_sample(m), per_negative(m), next_negative(m);
  {
    std::vector<uint32_t> at(start.begin(), start.end() - 1);
    for (const Edge& e : edges) {
      for (const auto& [from, to] : {std::pair{e.i, e.j}, std::pair{e.j, e.i}}) {
        const uint32_t s = at[from]++;
        other[s] = to;
        per_sample[s] = next_sample[s] = top / e.w;
        // Each end takes half of the edge's negative samples.
        per_negative[s] = next_negative[s] = per_sample[s] * 2 / options.negative_samples;
      }
    }
  }
  const float a = options.a, b = options.b;
  std::vector<float> before(coords->size());
  float* y = coords->data();
  const float* old = before.data();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const float alpha = options.learning_rate * (1.0f - static_cast<float>(epoch) / epochs);
    std::copy(coords->begin(), coords->end(), before.begin());
    ParallelFor(
        0, n, options.threads,
        [&](uint32_t i) {
          Rng rng{StreamSeed(options.seed, epoch, i)};
          float xi = y[2 * i], yi = y[2 * i + 1];
          for (uint32_t s = start[i]; s < start[i + 1]; ++s) {
            if (next_sample[s] > epoch + 1) continue;
            const uint32_t j = other[s];
            float dx = xi - old[2 * j], dy = yi - old[2 * j + 1];
            float d2 = dx * dx + dy * dy;
            if (d2 > 0) {
              const float p = std::pow(d2, b - 1.0f);
              const float coef = -2.0f * a * b * p / (a * p * d2 + 1.0f);
              xi += Clip(coef * dx) * alpha, yi += Clip(coef * dy) * alpha;
            }
            next_sample[s] += per_sample[s];
            const int negatives =
                static_cast<int>((epoch + 1 - next_negative[s]) / per_negative[s]);
            for (int k = 0; k < negatives; ++k) {
              const uint32_t r = rng.Next() % n;
              if (r == i) continue;
              dx = xi - old[2 * r], dy = yi - old[2 * r + 1];
              d2 = dx * dx + dy * dy;
              float gx = 4, gy = 4;
              if (d2 > 0) {
                const float coef = 2.0f * b / ((0.001f + d2) * (a * std::pow(d2, b) + 1.0f));
                gx = Clip(coef * dx), gy = Clip(coef * dy);
              }
              xi += gx * alpha, yi += gy * alpha;
            }
            next_negative[s] += negatives * per_negative[s];
          }
          y[2 * i] = xi;
          y[2 * i + 1] = yi;
        },
        64);
  }
}

KnnGraph SubGraph(const KnnGraph& graph, const std::vector<uint32_t>& members) {
  KnnGraph sub;
  sub.k = graph.k;
  sub.ids.assign(members.size() * graph.k, kNoNeighbour);
  sub.dists.assign(members.size() * graph.k, 2.0f);
  for (size_t s = 0; s < members.size(); ++s) {
    const size_t row = static_cast<size_t>(members[s]) * graph.k;
    int out = 0;
    for (int r = 0; r < graph.k; ++r) {
      const uint32_t id = graph.ids[row + r];
      if (id == kNoNeighbour) break;
      auto it = std::lower_bound(members.begin(), members.end(), id);
      if (it == members.end() || *it != id) continue;
      sub.ids[s * graph.k + out] = static_cast<uint32_t>(it - members.begin());
      sub.dists[s * graph.k + out] = graph.dists[row + r];
      ++out;
    }
  }
  return sub;
}

bool PlaceFromNeighbours(const uint32_t* ids, const float* dists, int k,
                         const std::vector<float>& coords, float* x, float* y) {
  const uint32_t n = static_cast<uint32_t>(coords.size() / 2);
  int count = 0;
  double d0 = 0, mean = 0;
  for (int r = 0; r < k && ids[r] != kNoNeighbour; ++r) {
    if (ids[r] >= n) continue;
    if (count == 0) d0 = dists[r];
    mean += dists[r];
    ++count;
  }
  if (count == 0) return false;
  mean /= count;
  const double width = std::max(mean - d0, 1e-6);
  double sx = 0, sy = 0, sw = 0;
  for (int r = 0; r < k && ids[r] != kNoNeighbour; ++r) {
    if (ids[r] >= n) continue;
    const double w = std::exp(-(dists[r] - d0) / width);
    sx += w * coords[2 * ids[r]];
    sy += w * coords[2 * ids[r] + 1];
    sw += w;
  }
  *x = static_cast<float>(sx / sw);
  *y = static_cast<float>(sy / sw);
  return true;
}

}  // namespace wildchat
