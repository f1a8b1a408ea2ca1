// EmbeddingsClient: vectors from any OpenAI-compatible `/v1/embeddings`
// endpoint, for teams that run a neural embedding model of their own. Texts
// are sent in batches; connection failures, 429 and 5xx answers are retried
// with exponential back-off; every vector is cached on disk keyed by the
// SHA-256 of (model, text), so a re-run or an append only sends new texts.
//
// The cache file is append-only (a torn last record after a crash is ignored).
// An Authorization bearer token is read from the environment variable named
// in options (none by default). Not thread-safe; one client per run.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace wildchat {

struct EmbeddingsClientOptions {
  std::string url;    // "http://host:port" or ".../v1/embeddings"
  std::string model;  // sent as "model"
  int batch = 64;
  int retries = 4;
  int initial_backoff_ms = 200;
  int timeout_seconds = 120;
  std::string cache_path;  // empty: no cache
  std::string api_key_env;
};

class EmbeddingsClient {
 public:
  explicit EmbeddingsClient(EmbeddingsClientOptions options);

  // Vectors for `texts`, row-major (texts.size() × *dim), L2-normalised.
  // Fails when the endpoint disagrees on the dimension or keeps failing.
  Status Embed(const std::vector<std::string>& texts, int* dim, std::vector<float>* out);

  uint64_t requests() const { return requests_; }
  uint64_t cache_hits() const { return cache_hits_; }

 private:
  Status LoadCache();
  Status Request(const std::vector<const std::string*>& batch,
                 std::vector<std::vector<float>>* vectors);

  EmbeddingsClientOptions options_;
  bool cache_loaded_ = false;
  std::unordered_map<std::string, std::vector<float>> cache_;  // key: raw digest
  uint64_t requests_ = 0, cache_hits_ = 0;
};

}  // namespace wildchat
