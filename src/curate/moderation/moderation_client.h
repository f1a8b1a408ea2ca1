// ModerationClient: OpenAI-compatible /v1/moderations over HTTP(S), for the
// openai_moderation column. Texts are sent in batches ({"input": [...]});
// failed requests (connection errors, 429, 5xx) are retried with exponential
// backoff; a text longer than max_chars is split at UTF-8 boundaries, each
// piece moderated, and the results merged (flagged and categories ORed,
// scores maxed). Every result is cached on disk under cache_dir by the
// SHA-256 of the text, so a re-run sends nothing for text already seen.
//
// Both category spellings of the schema are filled ("self-harm/intent" and
// "self_harm_intent"). Errors name the URL and the HTTP status. One client
// may be used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat::curate {

struct ModerationClientOptions {
  std::string url;        // e.g. https://api.openai.com/v1/moderations
  std::string api_key;    // sent as "Authorization: Bearer ..." when non-empty
  std::string model;      // "model" field of the request when non-empty
  std::string cache_dir;  // empty: no cache
  size_t batch_size = 32;
  size_t max_chars = 8000;  // bytes per request input, longer texts are split
  int max_retries = 4;
  int initial_backoff_ms = 200;
  int timeout_seconds = 60;
};

struct ModerationClientStats {
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t cache_hits = 0;
};

class ModerationClient {
 public:
  static Status Create(const ModerationClientOptions& options,
                       std::unique_ptr<ModerationClient>* out);
  ~ModerationClient();

  // One result per text, in order. Empty texts get empty (all-null) results
  // without a request.
  Status Moderate(const std::vector<std::string_view>& texts, std::vector<OpenAiModeration>* out);

  const ModerationClientStats& stats() const { return stats_; }

 private:
  ModerationClient() = default;
  Status Post(const std::vector<std::string_view>& inputs, std::vector<OpenAiModeration>* out);
  bool ReadCache(const std::string& key, OpenAiModeration* out) const;
  void WriteCache(const std::string& key, const OpenAiModeration& m) const;

  ModerationClientOptions options_;
  std::string base_, path_;
  ModerationClientStats stats_;
};

// Parses one result object of a /v1/moderations response (or a cache entry).
Status ParseModerationResult(std::string_view json, OpenAiModeration* out);
// The merge used for split texts: flagged/categories ORed, scores maxed.
void MergeModeration(const OpenAiModeration& piece, OpenAiModeration* into);

}  // namespace wildchat::curate
