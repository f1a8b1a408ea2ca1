#include "embed/svd_projection.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "embed/parallel_for.h"

namespace wildchat {
namespace {

using Mat = Eigen::MatrixXf;
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr uint32_t kUnused = 0xFFFFFFFFu;

// Compressed sparse rows.
struct Csr {
  std::vector<size_t> start;  // rows + 1
  std::vector<uint32_t> col;
  std::vector<float> val;
  uint32_t rows() const { return static_cast<uint32_t>(start.size() - 1); }
};

Csr Transpose(const Csr& a, uint32_t columns) {
  Csr t;
  t.start.assign(columns + 1, 0);
  for (uint32_t c : a.col) ++t.start[c + 1];
  for (uint32_t c = 0; c < columns; ++c) t.start[c + 1] += t.start[c];
  t.col.resize(a.col.size());
  t.val.resize(a.val.size());
  std::vector<size_t> at(t.start.begin(), t.start.end() - 1);
  for (uint32_t r = 0; r < a.rows(); ++r)
    for (size_t k = a.start[r]; k < a.start[r + 1]; ++k) {
      t.col[at[a.col[k]]] = r;
      t.val[at[a.col[k]]++] = a.val[k];
    }
  return t;
}

// a × x. Each output row is summed by one thread in a fixed order, so the
// result does not depend on the thread count.
RowMat Multiply(const Csr& a, const RowMat& x, int threads) {
  RowMat out = RowMat::Zero(a.rows(), x.cols());
  ParallelFor(
      0, a.rows(), threads,
      [&](uint32_t r) {
        auto row = out.row(r);
        for (size_t k = a.start[r]; k < a.start[r + 1]; ++k) row += a.val[k] * x.row(a.col[k]);
      },
      64);
  return out;
}

// Orthonormal columns spanning Y (zero columns where Y is rank-deficient),
// by an eigen-decomposition of the Gram matrix, applied twice for accuracy.
RowMat Orthonormalize(const RowMat& y) {
  RowMat q = y;
  for (int pass = 0; pass < 2; ++pass) {
    const Eigen::MatrixXd g = (q.transpose() * q).cast<double>();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(g);
    const Eigen::VectorXd& lambda = eig.eigenvalues();
    const double top = lambda.size() ? std::max(lambda.maxCoeff(), 0.0) : 0.0;
    Eigen::MatrixXd t = eig.eigenvectors();
    for (int c = 0; c < t.cols(); ++c) {
      const double l = lambda(c);
      t.col(c) *= (l > top * 1e-10 && l > 0) ? 1.0 / std::sqrt(l) : 0.0;
    }
    q = q * t.cast<float>();
  }
  return q;
}

void PutU32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), 4);
}

}  // namespace

uint64_t GaussianStream::NextBits() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double GaussianStream::Next() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Box–Muller on two uniforms in (0, 1].
  const double u1 = (static_cast<double>(NextBits() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(NextBits() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2 * M_PI * u2);
  has_spare_ = true;
  return r * std::cos(2 * M_PI * u2);
}

SvdProjection SvdProjection::Fit(const std::vector<SparseRow>& rows, uint32_t num_columns,
                                 const SvdOptions& options) {
  const int dims = options.dims;
  const int l = dims + options.oversample;
  const auto m = static_cast<uint32_t>(rows.size());

  // A (m × num_columns) and its transpose over the columns that occur at all:
  // everything dense below is m × l or used-columns × l, never num_columns × l.
  Csr a;
  a.start.push_back(0);
  std::vector<uint32_t> used;
  {
    std::vector<uint32_t> compact(num_columns, kUnused);
    for (const SparseRow& row : rows) {
      for (size_t k = 0; k < row.cols.size(); ++k) {
        const uint32_t c = row.cols[k];
        if (c >= num_columns) continue;
        if (compact[c] == kUnused) compact[c] = 0;
        a.col.push_back(c);
        a.val.push_back(row.vals[k]);
      }
      a.start.push_back(a.col.size());
    }
    for (uint32_t c = 0; c < num_columns; ++c)
      if (compact[c] != kUnused) compact[c] = static_cast<uint32_t>(used.size()), used.push_back(c);
    for (uint32_t& c : a.col) c = compact[c];
  }
  const auto u = static_cast<uint32_t>(used.size());
  const Csr at = Transpose(a, u);
  const int threads = std::max(1, options.threads);

  // Range of A: Q = orth(A Aᵀ Ω), Ω a Gaussian m × l matrix, then power
  // iterations Q ← orth(A Aᵀ Q).
  RowMat q(m, l);
  GaussianStream gauss(options.seed);
  for (uint32_t r = 0; r < m; ++r)
    for (int c = 0; c < l; ++c) q(r, c) = static_cast<float>(gauss.Next());
  for (int it = 0; it <= options.power_iterations; ++it)
    q = Orthonormalize(Multiply(a, Multiply(at, q, threads), threads));
  // A ≈ Q B with B = Qᵀ A; B Bᵀ = (Aᵀ Q)ᵀ (Aᵀ Q) = W Λ Wᵀ gives the right
  // singular vectors V = Bᵀ W Λ^-1/2 = Aᵀ (Q W Λ^-1/2).
  const RowMat z = Multiply(at, q, threads);
  const Mat g = q.transpose() * Multiply(a, z, threads);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(g.cast<double>());
  const Eigen::MatrixXd& w = eig.eigenvectors();  // ascending eigenvalues
  SvdProjection p;
  p.dims_ = dims;
  p.num_columns_ = num_columns;
  Mat wd(l, dims);
  const double top = std::max(eig.eigenvalues()(l - 1), 0.0);
  for (int c = 0; c < dims; ++c) {
    const int src = l - 1 - c;
    const double lambda = std::max(eig.eigenvalues()(src), 0.0);
    p.singular_values_.push_back(static_cast<float>(std::sqrt(lambda)));
    const double inv = lambda > top * 1e-10 && lambda > 0 ? 1.0 / std::sqrt(lambda) : 0.0;
    wd.col(c) = (w.col(src) * inv).cast<float>();
  }
  RowMat v = Multiply(at, RowMat(q * wd), threads);  // used columns × dims
  // Sign convention for determinism: the largest-magnitude entry is positive.
  for (int c = 0; c < dims; ++c) {
    float peak = 0;
    for (uint32_t r = 0; r < u; ++r)
      if (std::fabs(v(r, c)) > std::fabs(peak)) peak = v(r, c);
    if (peak < 0) v.col(c) *= -1;
  }
  p.scales_.assign(num_columns, 0.0f);
  p.basis_.assign(static_cast<size_t>(num_columns) * dims, 0);
  for (uint32_t r = 0; r < u; ++r) {
    const float peak = v.row(r).cwiseAbs().maxCoeff();
    if (peak <= 0) continue;
    const float scale = peak / 127.0f;
    p.scales_[used[r]] = scale;
    int8_t* dst = &p.basis_[static_cast<size_t>(used[r]) * dims];
    for (int c = 0; c < dims; ++c) dst[c] = static_cast<int8_t>(std::lround(v(r, c) / scale));
  }
  return p;
}

void SvdProjection::Project(const SparseRow& row, float* out) const {
  std::fill(out, out + dims_, 0.0f);
  for (size_t k = 0; k < row.cols.size(); ++k) {
    const uint32_t c = row.cols[k];
    if (c >= num_columns_) continue;
    const float f = row.vals[k] * scales_[c];
    if (f == 0) continue;
    const int8_t* src = &basis_[static_cast<size_t>(c) * dims_];
    for (int d = 0; d < dims_; ++d) out[d] += f * static_cast<float>(src[d]);
  }
  double norm = 0;
  for (int d = 0; d < dims_; ++d) norm += static_cast<double>(out[d]) * out[d];
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (int d = 0; d < dims_; ++d) out[d] *= inv;
  }
}

constexpr uint32_t kSvdMagic = 0x31445653;  // "SVD1"

std::string SvdProjection::Serialize() const {
  std::string out;
  PutU32(&out, kSvdMagic);
  PutU32(&out, static_cast<uint32_t>(dims_));
  PutU32(&out, num_columns_);
  out.append(reinterpret_cast<const char*>(scales_.data()), scales_.size() * sizeof(float));
  out.append(reinterpret_cast<const char*>(basis_.data()), basis_.size());
  out.append(reinterpret_cast<const char*>(singular_values_.data()),
             singular_values_.size() * sizeof(float));
  return out;
}

Status SvdProjection::Deserialize(const std::string& bytes, SvdProjection* out) {
  uint32_t head[3];
  if (bytes.size() < sizeof(head)) return Status::Corruption("projection: truncated header");
  std::memcpy(head, bytes.data(), sizeof(head));
  if (head[0] != kSvdMagic) return Status::Corruption("projection: bad magic");
  const uint64_t dims = head[1], cols = head[2];
  if (dims == 0 || dims > 4096 || cols == 0 || cols > (1u << 26))
    return Status::Corruption("projection: bad shape");
  const uint64_t want = sizeof(head) + cols * 4 + cols * dims + dims * 4;
  if (bytes.size() != want) return Status::Corruption("projection: wrong size");
  SvdProjection p;
  p.dims_ = static_cast<int>(dims);
  p.num_columns_ = static_cast<uint32_t>(cols);
  const char* at = bytes.data() + sizeof(head);
  p.scales_.resize(cols);
  std::memcpy(p.scales_.data(), at, cols * 4);
  at += cols * 4;
  p.basis_.resize(cols * dims);
  std::memcpy(p.basis_.data(), at, cols * dims);
  at += cols * dims;
  p.singular_values_.resize(dims);
  std::memcpy(p.singular_values_.data(), at, dims * 4);
  *out = std::move(p);
  return Status::OK();
}

}  // namespace wildchat
