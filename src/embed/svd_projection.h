// SvdProjection: maps sparse TF-IDF rows to dense unit vectors of `dims`
// components, the top right singular vectors of a training matrix found by
// randomized SVD (Halko, Martinsson & Tropp 2011: a Gaussian sketch, power
// iterations, then an exact eigen-decomposition of the small projected
// problem). Components are ordered by singular value, so a prefix of a vector
// is itself the best lower-dimensional projection.
//
// Fit() is deterministic for a seed. The basis is kept quantized (int8 per
// column row with a float scale), exactly as stored on disk, so vectors
// computed before and after a save/load are identical. Project() is const and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "embed/text_features.h"

namespace wildchat {

struct SvdOptions {
  int dims = 256;
  int oversample = 10;
  int power_iterations = 2;
  uint64_t seed = 1;
  int threads = 1;  // the result is the same for any count
};

class SvdProjection {
 public:
  SvdProjection() = default;

  // rows: the training matrix (num_columns wide). Fewer independent rows than
  // dims leaves the trailing components zero.
  static SvdProjection Fit(const std::vector<SparseRow>& rows, uint32_t num_columns,
                           const SvdOptions& options);

  int dims() const { return dims_; }
  uint32_t num_columns() const { return num_columns_; }
  // Singular values of the training matrix, descending (dims entries).
  const std::vector<float>& singular_values() const { return singular_values_; }

  // out[0..dims) = row · basis, L2-normalised (all zero for an empty row).
  void Project(const SparseRow& row, float* out) const;

  // Serialised form: header, scales, quantized rows, singular values.
  std::string Serialize() const;
  static Status Deserialize(const std::string& bytes, SvdProjection* out);

 private:
  int dims_ = 0;
  uint32_t num_columns_ = 0;
  std::vector<float> scales_;  // per column
  std::vector<int8_t> basis_;  // num_columns × dims
  std::vector<float> singular_values_;
};

// Deterministic standard normal numbers for a seed (platform-independent).
class GaussianStream {
 public:
  explicit GaussianStream(uint64_t seed) : state_(seed) {}
  double Next();

 private:
  uint64_t NextBits();
  uint64_t state_;
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace wildchat
