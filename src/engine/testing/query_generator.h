// QueryGenerator: seeded random queries in the language of docs/query.md,
// built from what a corpus actually contains, for agreement tests and
// benchmark mixes.
//
// Words come from the corpus vocabulary by document-frequency band (frequent,
// middle, rare) in case variants; phrases and CJK substrings are cut from real
// utterances; prefixes from real tokens; field values are sampled from the
// records (present) or made up (absent). Next() mixes every operator, filter,
// scope and sort-relevant shape with nesting and a share of malformed queries.
// The generator only emits queries whose meaning the contract settles: it
// avoids shapes the contract leaves open (a `)` glued to a bare field value,
// `--x`, quoted prefixes, backslashes in phrases). Same corpus and seed, same
// sequence. Not thread-safe; the records must outlive it.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/conversation.h"

namespace wildchat::reference {

struct GeneratedQuery {
  std::string text;
  std::string kind;  // what it exercises, e.g. "phrase", "filter:date", "malformed"
};

class QueryGenerator {
 public:
  QueryGenerator(const std::vector<Conversation>* records, uint64_t seed);

  // A random query of any kind (about 8% malformed).
  GeneratedQuery Next();
  // Hand-written edge cases from docs/query.md, valid and malformed.
  static std::vector<GeneratedQuery> EdgeCases();

  // Building blocks, also used by benchmark mixes.
  enum class Band { kFrequent, kMiddle, kRare };
  std::string Word(Band band);  // a token as spelled in the corpus
  std::string CaseVariant(const std::string& word);
  std::string Phrase();                   // "…" cut from an utterance, 2–4 tokens
  std::string CjkRun();                   // 2–4 adjacent Han/Kana/Thai characters
  std::string Prefix();                   // w* from a real token
  std::string Regex(bool cheap_literal);  // /…/
  std::string TextCut();                  // 3–16 code points of an utterance, any characters
  std::string Filter();                   // any field filter, present or absent value
  std::string FilterOf(const std::string& field);
  std::string Malformed();
  uint64_t Below(uint64_t n);

 private:
  std::string Term();
  std::string Expr(int depth);

  const std::vector<Conversation>* records_;
  std::mt19937_64 rng_;
  // Vocabulary by descending document frequency: spelling as first seen.
  std::vector<std::string> vocabulary_;
  std::vector<uint32_t> document_frequency_;
  bool last_was_filter_ = false;
};

}  // namespace wildchat::reference
