#include "curate/pipeline/conversation_curator.h"

#include <cctype>
#include <sstream>

#include "curate/langid/language_detector.h"
#include "curate/moderation/toxic_rule.h"
#include "curate/scan/redaction.h"
#include "io/conversation_hash.h"

namespace wildchat::curate {
namespace {

constexpr std::string_view kPresidioPrefix = "<PRESIDIO_ANONYMIZED_";
constexpr std::string_view kTrufflehogPrefix = "<TRUFFLEHOG_REDACTED_";
constexpr size_t kExamplesPerEntity = 5;

// Most frequent non-null value, ties broken by first occurrence.
template <typename T>
std::optional<T> MostFrequent(const std::vector<const T*>& values) {
  std::optional<T> best;
  int best_n = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    int n = 0;
    for (size_t j = 0; j < values.size(); ++j) n += *values[j] == *values[i];
    if (n > best_n) best = *values[i], best_n = n;
  }
  return best;
}

}  // namespace

Status ParseStages(const std::string& csv, StageSet* out) {
  StageSet s;
  s.langid = s.moderation = s.pii = s.secrets = s.hash = s.release = false;
  std::stringstream in(csv);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name == "all") {
      s = StageSet();
    } else if (name == "langid") {
      s.langid = true;
    } else if (name == "moderation") {
      s.moderation = true;
    } else if (name == "pii") {
      s.pii = true;
    } else if (name == "secrets") {
      s.secrets = true;
    } else if (name == "hash") {
      s.hash = true;
    } else if (name == "release") {
      s.release = true;
    } else if (!name.empty()) {
      return Status::InvalidArgument("--stages: unknown stage '" + name +
                                     "' (langid, moderation, pii, secrets, hash, release)");
    }
  }
  *out = s;
  return Status::OK();
}

void CurateStats::Merge(const CurateStats& other) {
  for (const auto& [k, v] : other.counters) counters[k] += v;
  for (const auto& [k, v] : other.examples) {
    auto& mine = examples[k];
    for (const auto& e : v)
      if (mine.size() < kExamplesPerEntity) mine.push_back(e);
  }
}

std::string MaskValue(std::string_view value) {
  std::string out;
  bool in_run = false;
  for (char c : value) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80);
    if (!alnum) {
      out.push_back(c);
      in_run = false;
    } else if (!in_run) {
      out.push_back(c & 0x80 ? '*' : c);
      in_run = true;
    } else if ((c & 0xC0) != 0x80) {
      out.push_back('*');  // one star per character, not per byte
    }
  }
  return out;
}

Status ConversationCurator::Create(const CuratorOptions& options,
                                   std::unique_ptr<ConversationCurator>* out) {
  std::unique_ptr<ConversationCurator> c(new ConversationCurator());
  c->options_ = options;
  WILDCHAT_RETURN_IF_ERROR(PiiDetector::Create(&c->pii_));
  WILDCHAT_RETURN_IF_ERROR(SecretDetector::Create(&c->secrets_));
  WILDCHAT_RETURN_IF_ERROR(LexiconScorer::Create(&c->lexicon_));
  *out = std::move(c);
  return Status::OK();
}

void ConversationCurator::CountCandidates(const Conversation& c, uint64_t ordinal,
                                          PublicValueCounter* counter) const {
  for (const Utterance& u : c.conversation) {
    for (const Finding& f : pii_->Find(u.content)) {
      counter->Add(f.label, std::string_view(u.content).substr(f.begin, f.end - f.begin), ordinal);
    }
  }
}

bool ConversationCurator::IsPublic(const std::string& entity, std::string_view value) const {
  if (public_ == nullptr) return false;
  const uint32_t threshold =
      entity == "PERSON" ? options_.public_threshold_person : options_.public_threshold;
  return threshold > 0 && public_->Conversations(entity, value) >= threshold;
}

void ConversationCurator::Curate(Conversation* c, CurateStats* stats) const {
  const StageSet& st = options_.stages;
  const size_t n = c->conversation.size();
  stats->Add("conversations");
  stats->Add("utterances", static_cast<int64_t>(n));
  for (const Utterance& u : c->conversation)
    stats->Add("text_bytes", static_cast<int64_t>(u.content.size()));

  // Language, on the text as written.
  if (st.langid) {
    for (Utterance& u : c->conversation) u.language = DetectLanguage(u.content);
  }

  // Moderation, on the text as written (the original scored unredacted text).
  if (st.moderation) {
    c->openai_moderation.resize(n);
    c->detoxify_moderation.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const std::string& text = c->conversation[i].content;
      OpenAiModeration& o = c->openai_moderation[i];
      DetoxifyModeration& d = c->detoxify_moderation[i];
      const bool need_o = options_.rescore || o.empty();
      const bool need_d = options_.rescore || d.empty();
      if (!need_o && !need_d) continue;
      if (text.empty()) {
        if (need_o) o = OpenAiModeration();
        if (need_d) d = DetoxifyModeration();
        continue;
      }
      LexiconScores s = lexicon_->Score(text);
      if (need_o) o = s.openai;
      if (need_d) d = s.detoxify;
      stats->Add("moderation.scored_offline");
    }
  }

  // Secrets first (a key inside a URL is a secret, not a URL), then PII.
  bool any_redacted = false;
  for (Utterance& u : c->conversation) {
    bool redacted = IsTrue(u.redacted);
    if (st.secrets) {
      auto found = ResolveOverlaps(secrets_->Find(u.content));
      if (!found.empty()) {
        for (const auto& f : found) stats->Add("secrets." + f.label);
        u.content = ApplyRedactions(u.content, found, kTrufflehogPrefix);
        redacted = true;
      }
    }
    if (st.pii) {
      std::vector<Finding> found;
      for (Finding& f : pii_->Find(u.content)) {
        const std::string_view value = std::string_view(u.content).substr(f.begin, f.end - f.begin);
        if (IsPublic(f.label, value)) {
          stats->Add("pii_public_kept." + f.label);
          continue;
        }
        found.push_back(std::move(f));
      }
      found = ResolveOverlaps(std::move(found));
      if (!found.empty()) {
        for (const auto& f : found) {
          stats->Add("pii." + f.label);
          auto& ex = stats->examples[f.label];
          if (ex.size() < kExamplesPerEntity)
            ex.push_back(MaskValue(std::string_view(u.content).substr(f.begin, f.end - f.begin)));
        }
        u.content = ApplyRedactions(u.content, found, kPresidioPrefix);
        redacted = true;
      }
    }
    if (st.pii || st.secrets) u.redacted = ToTriBool(redacted);
    any_redacted |= redacted;
    if (redacted) stats->Add("utterances_redacted");
  }

  ApplyToxicRule(c);
  if (st.hash) c->conversation_hash = ConversationHash(*c);

  // Roll-ups.
  int64_t turns = 0;
  std::vector<std::string> langs;
  std::vector<const std::string*> states, countries, ips;
  std::vector<const Header*> headers;
  for (const Utterance& u : c->conversation) {
    if (u.language) langs.push_back(*u.language);
    if (u.role != "user") continue;
    ++turns;
    if (u.state) states.push_back(&*u.state);
    if (u.country) countries.push_back(&*u.country);
    if (u.hashed_ip) ips.push_back(&*u.hashed_ip);
    if (u.header) headers.push_back(&*u.header);
  }
  c->turn = turns;
  if (!langs.empty()) c->language = MostFrequentLanguage(langs);
  if (st.pii || st.secrets) c->redacted = ToTriBool(any_redacted);
  if (!states.empty()) c->state = MostFrequent(states);
  if (!countries.empty()) c->country = MostFrequent(countries);
  if (!ips.empty()) c->hashed_ip = MostFrequent(ips);
  if (!headers.empty()) c->header = MostFrequent(headers);

  if (IsTrue(c->toxic)) stats->Add("toxic");
  if (IsTrue(c->redacted)) stats->Add("redacted");
  if (c->language) stats->Add("language." + *c->language);
  stats->Add("model." + c->model);
  stats->Add("country." + c->country.value_or("(null)"));
}

}  // namespace wildchat::curate
