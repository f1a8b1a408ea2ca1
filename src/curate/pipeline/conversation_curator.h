// ConversationCurator: every derived field of one WildChat record, computed
// in the original's order: per-utterance language (CLD2), moderation
// (existing scores kept unless rescore; missing ones from the offline
// LexiconScorer), secret redaction (TruffleHog-style placeholders), PII
// redaction (Presidio placeholders; values public by corpus-wide count are
// kept), the toxic rule, conversation_hash over the redacted text, and the
// roll-ups (turn, language, toxic, redacted, state/country/hashed_ip/header
// as most frequent over user turns). Stages can be switched off one by one.
//
// A curator is immutable after Create() and thread-safe; CurateStats are
// per caller and merged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "curate/moderation/lexicon_scorer.h"
#include "curate/pii/pii_detector.h"
#include "curate/pii/public_values.h"
#include "curate/secrets/secret_detector.h"
#include "model/conversation.h"

namespace wildchat::curate {

struct StageSet {
  bool langid = true, moderation = true, pii = true, secrets = true, hash = true, release = true;
};
// "langid,moderation,pii,secrets,hash,release" (any subset; "all").
Status ParseStages(const std::string& csv, StageSet* out);

struct CuratorOptions {
  StageSet stages;
  bool rescore = false;  // replace moderation scores present in the input
  // A PII value seen in at least this many distinct conversations is kept
  // as public (0 disables the rule).
  uint32_t public_threshold = 10;
  uint32_t public_threshold_person = 50;
};

// Flat named counters ("pii.EMAIL_ADDRESS", "language.English", ...) plus a
// few masked examples per PII entity.
struct CurateStats {
  std::map<std::string, int64_t> counters;
  std::map<std::string, std::vector<std::string>> examples;
  void Add(const std::string& key, int64_t n = 1) { counters[key] += n; }
  void Merge(const CurateStats& other);
};

// "john.smith@gmail.com" -> "j***.s****@g****.c**": first character of each
// alphanumeric run kept, the rest masked, punctuation kept.
std::string MaskValue(std::string_view value);

class ConversationCurator {
 public:
  static Status Create(const CuratorOptions& options, std::unique_ptr<ConversationCurator>* out);

  // The corpus-wide pass: adds the conversation's PII candidates.
  void CountCandidates(const Conversation& c, uint64_t ordinal, PublicValueCounter* counter) const;
  // Counts from CountCandidates over the whole input; must outlive Curate calls.
  void set_public_values(const PublicValueCounter* counts) { public_ = counts; }

  void Curate(Conversation* c, CurateStats* stats) const;

  const CuratorOptions& options() const { return options_; }

 private:
  ConversationCurator() = default;
  bool IsPublic(const std::string& entity, std::string_view value) const;

  CuratorOptions options_;
  std::unique_ptr<PiiDetector> pii_;
  std::unique_ptr<SecretDetector> secrets_;
  std::unique_ptr<LexiconScorer> lexicon_;
  const PublicValueCounter* public_ = nullptr;
};

}  // namespace wildchat::curate
