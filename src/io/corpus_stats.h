// CorpusStats: the summary `wildchat stats` prints: counts of conversations,
// utterances, distinct users (hashed_ip), languages, models, countries, toxic
// and redacted conversations, empty user inputs, a turns histogram and the
// time range. Needs only metadata (read with ReadOptions{need_text=false}
// except for empty-input counting, which is skipped then). Not thread-safe;
// Merge() combines per-thread instances.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

#include "io/json_writer.h"
#include "model/conversation.h"

namespace wildchat {

class CorpusStats {
 public:
  explicit CorpusStats(bool count_empty_inputs = true) : count_empty_(count_empty_inputs) {}

  void Add(const Conversation& c);
  void Merge(const CorpusStats& other);

  uint64_t conversations() const { return conversations_; }
  uint64_t utterances() const { return utterances_; }
  uint64_t users() const { return users_.size(); }
  uint64_t toxic() const { return toxic_; }
  uint64_t redacted() const { return redacted_; }
  const std::map<std::string, uint64_t>& languages() const { return languages_; }
  const std::map<std::string, uint64_t>& models() const { return models_; }
  const std::map<std::string, uint64_t>& countries() const { return countries_; }
  // Buckets "1".."10", "11-20", "21-50", "51+".
  const std::map<std::string, uint64_t>& turns_histogram() const { return turns_; }

  // One JSON object (field names in docs/schema.md, "stats" section).
  void AppendJson(std::string* out) const;
  // The human-readable report.
  std::string ToText() const;

 private:
  bool count_empty_;
  uint64_t conversations_ = 0, utterances_ = 0, user_utterances_ = 0, toxic_ = 0, redacted_ = 0;
  uint64_t empty_user_inputs_ = 0, turns_total_ = 0;
  std::optional<TimestampMicros> first_, last_;
  std::unordered_set<std::string> users_;
  std::map<std::string, uint64_t> languages_, models_, countries_, turns_;
};

}  // namespace wildchat
