// The WildChat record: one Conversation per row, exactly the columns and field
// order of the released WildChat-1M Parquet schema (docs: ../../docs/schema.md).
//
// Nullability is preserved. Optional<> members are null in the source when
// empty; floating-point scores use NaN for null and TriBool for nullable bools,
// which keeps an utterance small (moderation is 18 bools + 18 doubles).
// Unknown fields met in JSONL input are kept verbatim (raw JSON text) in
// `extra` and written back by the JSONL writer, so nothing is silently lost.
// Types are plain values: copyable, movable, no internal pointers.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wildchat {

// Microseconds since the Unix epoch, UTC (Parquet TIMESTAMP(MICROS, UTC)).
using TimestampMicros = int64_t;

// A nullable bool stored in one byte.
enum class TriBool : uint8_t { kNull = 0, kFalse = 1, kTrue = 2 };
inline TriBool ToTriBool(bool b) { return b ? TriBool::kTrue : TriBool::kFalse; }
inline bool IsTrue(TriBool t) { return t == TriBool::kTrue; }

inline constexpr double kNullScore = std::numeric_limits<double>::quiet_NaN();
inline bool IsNullScore(double v) { return std::isnan(v); }

// Raw JSON for fields the schema does not know: (name, JSON text) in input order.
using ExtraFields = std::vector<std::pair<std::string, std::string>>;

struct Header {
  std::optional<std::string> accept_language;  // "accept-language"
  std::optional<std::string> user_agent;       // "user-agent"
  bool operator==(const Header&) const = default;
};

// The 18 OpenAI moderation categories, in schema order. Index into
// OpenAiModeration::categories / category_scores with these.
inline constexpr int kModerationCategoryCount = 18;
inline constexpr std::array<std::string_view, kModerationCategoryCount> kModerationCategories = {
    "harassment",         "harassment/threatening", "harassment_threatening",
    "hate",               "hate/threatening",       "hate_threatening",
    "self-harm",          "self-harm/instructions", "self-harm/intent",
    "self_harm",          "self_harm_instructions", "self_harm_intent",
    "sexual",             "sexual/minors",          "sexual_minors",
    "violence",           "violence/graphic",       "violence_graphic"};
// Index of a category name (either spelling as listed), or -1.
int ModerationCategoryIndex(std::string_view name);

struct OpenAiModeration {
  std::array<TriBool, kModerationCategoryCount> categories{};
  std::array<double, kModerationCategoryCount> category_scores;
  TriBool flagged = TriBool::kNull;
  // The JSON had "categories": null / "category_scores": null (as for empty
  // utterances) rather than an object.
  bool categories_null = true;
  bool scores_null = true;
  OpenAiModeration() { category_scores.fill(kNullScore); }
  // True when nothing at all is set: the "empty dictionary" of the dataset card.
  bool empty() const { return categories_null && scores_null && flagged == TriBool::kNull; }
  bool operator==(const OpenAiModeration& o) const;
};

inline constexpr int kDetoxifyFieldCount = 7;
inline constexpr std::array<std::string_view, kDetoxifyFieldCount> kDetoxifyFields = {
    "identity_attack", "insult", "obscene", "severe_toxicity",
    "sexual_explicit", "threat", "toxicity"};
inline constexpr int kDetoxifyToxicity = 6;

struct DetoxifyModeration {
  std::array<double, kDetoxifyFieldCount> scores;  // NaN = null
  DetoxifyModeration() { scores.fill(kNullScore); }
  bool empty() const;
  bool operator==(const DetoxifyModeration& o) const;
};

struct Utterance {
  std::string content;
  std::optional<std::string> country;
  std::optional<std::string> hashed_ip;
  std::optional<Header> header;
  std::optional<std::string> language;
  TriBool redacted = TriBool::kNull;
  std::string role;  // "user" or "assistant"
  std::optional<std::string> state;
  std::optional<TimestampMicros> timestamp;
  TriBool toxic = TriBool::kNull;
  int64_t turn_identifier = 0;
  ExtraFields extra;
  bool operator==(const Utterance&) const = default;
};

struct Conversation {
  std::string conversation_hash;
  std::string model;
  std::optional<TimestampMicros> timestamp;
  std::vector<Utterance> conversation;
  int64_t turn = 0;
  std::optional<std::string> language;
  std::vector<OpenAiModeration> openai_moderation;
  std::vector<DetoxifyModeration> detoxify_moderation;
  TriBool toxic = TriBool::kNull;
  TriBool redacted = TriBool::kNull;
  std::optional<std::string> state;
  std::optional<std::string> country;
  std::optional<std::string> hashed_ip;
  std::optional<Header> header;
  ExtraFields extra;
  bool operator==(const Conversation&) const = default;

  // External id: the turn_identifier of the first utterance (0 when empty).
  int64_t id() const { return conversation.empty() ? 0 : conversation.front().turn_identifier; }
};

// Top-level column names in Parquet order.
inline constexpr std::array<std::string_view, 14> kConversationColumns = {
    "conversation_hash", "model",   "timestamp",  "conversation", "turn",
    "language",          "openai_moderation",     "detoxify_moderation",
    "toxic",             "redacted", "state",     "country",      "hashed_ip", "header"};

// Utterance struct field names in Parquet order.
inline constexpr std::array<std::string_view, 11> kUtteranceFields = {
    "content", "country", "hashed_ip", "header", "language", "redacted",
    "role",    "state",   "timestamp", "toxic",  "turn_identifier"};

}  // namespace wildchat
