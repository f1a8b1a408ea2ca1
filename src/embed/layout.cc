#include "embed/layout.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

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

float Clip(float v) {
  return std::max(-4.0f, std::min(4.0f, v));
}

}  // namespace

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
  int epochs = options.epochs;
  if (epochs <= 0) epochs = n < 10000 ? 500 : (n < 200000 ? 200 : 100);
  std::vector<Edge> edges = FuzzyEdges(graph);
  if (edges.empty()) return;
  float top = 0;
  for (const Edge& e : edges) top = std::max(top, e.w);
  // Edges too weak to be sampled even once are dropped, as UMAP does.
  std::erase_if(edges, [&](const Edge& e) { return e.w < top / epochs; });
  const size_t m = edges.size();
  std::vector<float> per_sample(m), next_sample(m), per_negative(m), next_negative(m);
  for (size_t e = 0; e < m; ++e) {
    per_sample[e] = top / edges[e].w;
    next_sample[e] = per_sample[e];
    per_negative[e] = per_sample[e] / options.negative_samples;
    next_negative[e] = per_negative[e];
  }
  const float a = options.a, b = options.b;
  float* y = coords->data();
  auto load = [](float& f) { return std::atomic_ref<float>(f).load(std::memory_order_relaxed); };
  auto store = [](float& f, float v) {
    std::atomic_ref<float>(f).store(v, std::memory_order_relaxed);
  };
  const int threads = std::max(1, options.threads);

  for (int epoch = 0; epoch < epochs; ++epoch) {
    const float alpha = options.learning_rate * (1.0f - static_cast<float>(epoch) / epochs);
    auto work = [&](int t) {
      Rng rng{(options.seed + 1) * 0x9E3779B97F4A7C15ULL ^ (static_cast<uint64_t>(epoch) << 20) ^
              static_cast<uint64_t>(t + 1)};
      for (size_t e = t; e < m; e += threads) {
        if (next_sample[e] > epoch + 1) continue;
        const uint32_t i = edges[e].i, j = edges[e].j;
        float xi = load(y[2 * i]), yi = load(y[2 * i + 1]);
        float xj = load(y[2 * j]), yj = load(y[2 * j + 1]);
        float dx = xi - xj, dy = yi - yj;
        float d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const float coef = -2.0f * a * b * std::pow(d2, b - 1.0f) / (a * std::pow(d2, b) + 1.0f);
          const float gx = Clip(coef * dx) * alpha, gy = Clip(coef * dy) * alpha;
          xi += gx, yi += gy;
          store(y[2 * j], xj - gx);
          store(y[2 * j + 1], yj - gy);
        }
        next_sample[e] += per_sample[e];
        const int negatives = static_cast<int>((epoch + 1 - next_negative[e]) / per_negative[e]);
        for (int s = 0; s < negatives; ++s) {
          const uint32_t r = rng.Next() % n;
          if (r == i) continue;
          const float xr = load(y[2 * r]), yr = load(y[2 * r + 1]);
          dx = xi - xr, dy = yi - yr;
          d2 = dx * dx + dy * dy;
          float gx = 4, gy = 4;
          if (d2 > 0) {
            const float coef = 2.0f * b / ((0.001f + d2) * (a * std::pow(d2, b) + 1.0f));
            gx = Clip(coef * dx), gy = Clip(coef * dy);
          }
          xi += gx * alpha, yi += gy * alpha;
        }
        next_negative[e] += negatives * per_negative[e];
        store(y[2 * i], xi);
        store(y[2 * i + 1], yi);
      }
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
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
