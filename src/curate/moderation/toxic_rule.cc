#include "curate/moderation/toxic_rule.h"

namespace wildchat::curate {

bool UtteranceToxic(std::string_view content, const OpenAiModeration& openai,
                    const DetoxifyModeration& detoxify) {
  if (content.empty()) return false;
  if (IsTrue(openai.flagged)) return true;
  const double tox = detoxify.scores[kDetoxifyToxicity];
  return !IsNullScore(tox) && tox > kToxicityThreshold;
}

void ApplyToxicRule(Conversation* c) {
  const OpenAiModeration empty_openai;
  const DetoxifyModeration empty_detox;
  bool any = false;
  for (size_t i = 0; i < c->conversation.size(); ++i) {
    Utterance& u = c->conversation[i];
    const auto& o = i < c->openai_moderation.size() ? c->openai_moderation[i] : empty_openai;
    const auto& d = i < c->detoxify_moderation.size() ? c->detoxify_moderation[i] : empty_detox;
    const bool t = UtteranceToxic(u.content, o, d);
    u.toxic = ToTriBool(t);
    any |= t;
  }
  c->toxic = ToTriBool(any);
}

bool HasSexualMinors(const Conversation& c) {
  const int a = ModerationCategoryIndex("sexual/minors");
  const int b = ModerationCategoryIndex("sexual_minors");
  for (const auto& m : c.openai_moderation) {
    if ((a >= 0 && IsTrue(m.categories[a])) || (b >= 0 && IsTrue(m.categories[b]))) return true;
  }
  return false;
}

}  // namespace wildchat::curate
