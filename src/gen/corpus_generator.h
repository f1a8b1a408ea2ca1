// CorpusGenerator: realistic synthetic WildChat corpora for demos, tests and
// benchmarks, in the exact record schema (docs/gen.md lists what it produces
// and at which rates). Conversation i is a pure function of (options, i): the
// generator is immutable after construction, Generate() is const and
// thread-safe, so callers may generate in parallel and write in order.
// Construction reads optional Debian word lists (GenOptions::dict_dir); a
// missing list falls back to synthesised words, never to an error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/conversation.h"

namespace wildchat {

// Per-conversation probabilities of planted content, each independent and
// placed in one non-empty user utterance, so later features (PII redaction,
// secret scanning, toxicity) can be measured against known rates.
struct PlantRates {
  double email = 0.02;         // "my email is john.smith42@gmail.com"
  double phone = 0.015;        // "+1 (415) 555-0132", "+7 912 345-67-89", ...
  double credit_card = 0.005;  // 16 digits, valid Luhn, grouped by 4
  double ipv4 = 0.01;          // "my server is at 203.0.113.57"
  double api_key = 0.01;       // sk-..., AKIA..., ghp_... (one of the three)
  double person_name = 0.02;   // "My name is Maria Garcia."
  double toxic_phrase = 0.04;  // an insult; the utterance scores as toxic
  double redaction = 0.015;    // an <PRESIDIO_ANONYMIZED_...> placeholder; redacted=true
};

struct GenOptions {
  uint64_t conversations = 1000;
  uint64_t seed = 1;
  // Distinct users; 0 = about 0.205 per conversation, as in WildChat-1M.
  uint64_t users = 0;
  PlantRates plant;
  // Folder of Debian word lists (american-english, french, ngerman, spanish)
  // used for the long tail of those vocabularies; "" = synthesise all words.
  std::string dict_dir = "/usr/share/dict";
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(const GenOptions& options);
  ~CorpusGenerator();
  CorpusGenerator(const CorpusGenerator&) = delete;
  CorpusGenerator& operator=(const CorpusGenerator&) = delete;

  // Conversation number i in [0, options.conversations): deterministic for
  // (options, i); const and thread-safe, so callers may generate in parallel.
  Conversation Generate(uint64_t i) const;

  const GenOptions& options() const { return options_; }
  // Size of the user population users are drawn from (>= distinct users seen).
  uint64_t user_population() const;

 private:
  struct Tables;
  GenOptions options_;
  std::unique_ptr<Tables> tables_;
};

}  // namespace wildchat
