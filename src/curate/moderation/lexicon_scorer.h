// LexiconScorer: the offline moderation model. It needs no network and no
// model files, so curation always runs. It is a multilingual keyword lexicon
// (English, Chinese, Russian, Spanish, French, German, Portuguese) with a few
// rules, NOT a trained classifier: it finds explicit insults, slurs-by-
// category, threats, sexual terms and self-harm phrases, and misses sarcasm,
// implied threats, misspellings it does not list and everything outside the
// lexicon. Scores are shaped like Detoxify's (seven floats in [0,1]) and like
// OpenAI's moderation result (18 categories, flagged), derived from weighted
// term hits per category: 1 - exp(-weight_sum). Deterministic, thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "base/status.h"
#include "curate/scan/pattern_set.h"
#include "model/conversation.h"

namespace wildchat::curate {

struct LexiconScores {
  DetoxifyModeration detoxify;
  OpenAiModeration openai;
};

class LexiconScorer {
 public:
  static Status Create(std::unique_ptr<LexiconScorer>* out);
  // Empty content gets empty (all-null) entries, as in the dataset.
  LexiconScores Score(std::string_view text) const;

 private:
  LexiconScorer() = default;
  std::unique_ptr<PatternSet> patterns_;
};

}  // namespace wildchat::curate
