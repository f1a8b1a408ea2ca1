#include "engine/store/record_codec.h"

#include <array>
#include <cstring>

#include "engine/segment/coding.h"

namespace wildchat {
namespace {

constexpr uint8_t kFormatVersion = 2;

// For each OpenAI category, the index of the earlier category that is the same
// category under the other spelling ("self-harm/intent" and "self_harm_intent"),
// or -1. The two usually carry the same score; the second is then not stored.
struct SpellingPairs {
  std::array<int8_t, kModerationCategoryCount> earlier;
  SpellingPairs() {
    auto canonical = [](std::string_view name) {
      std::string s(name);
      for (char& ch : s) {
        if (ch == '/' || ch == '-') ch = '_';
      }
      return s;
    };
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      earlier[i] = -1;
      for (int j = 0; j < i && earlier[i] < 0; ++j) {
        if (canonical(kModerationCategories[i]) == canonical(kModerationCategories[j])) {
          earlier[i] = static_cast<int8_t>(j);
        }
      }
    }
  }
};
const SpellingPairs& Pairs() {
  static const SpellingPairs pairs;
  return pairs;
}

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

// Writes n <= 32 scores: meta gets a varint whose bit i says that value i is a
// float widened to double (as moderation models report them), stored in 4
// bytes; the others take 8. NaN, -0.0 and denormals round-trip bit for bit.
void PutScores(const double* values, int n, RecordParts* parts) {
  uint32_t floats = 0;
  for (int i = 0; i < n; ++i) {
    if (SameBits(static_cast<double>(static_cast<float>(values[i])), values[i])) {
      floats |= 1u << i;
    }
  }
  PutVarint(&parts->meta, floats);
  for (int i = 0; i < n; ++i) {
    if (floats >> i & 1) {
      const float f = static_cast<float>(values[i]);
      uint32_t u;
      std::memcpy(&u, &f, 4);
      PutFixed32(&parts->scores, u);
    } else {
      PutDouble(&parts->scores, values[i]);
    }
  }
}

void PutOptString(std::string* out, const std::optional<std::string>& s) {
  out->push_back(s ? 1 : 0);
  if (s) PutString(out, *s);
}
void PutOptHeader(std::string* out, const std::optional<Header>& h) {
  out->push_back(h ? 1 : 0);
  if (h) {
    PutOptString(out, h->accept_language);
    PutOptString(out, h->user_agent);
  }
}
void PutExtra(std::string* out, const ExtraFields& extra) {
  PutVarint(out, extra.size());
  for (const auto& [k, v] : extra) {
    PutString(out, k);
    PutString(out, v);
  }
}

class Decoder {
 public:
  Decoder(std::string_view meta, std::string_view scores, std::string_view text)
      : r_(meta), scores_(scores), text_(text) {}
  bool failed() const { return r_.failed() || scores_.failed() || bad_; }
  bool done() const { return r_.done() && scores_.done() && text_.empty(); }
  ByteReader& r() { return r_; }

  bool Flag() {
    const uint8_t b = r_.Byte();
    if (b > 1) bad_ = true;
    return b == 1;
  }
  TriBool Tri() {
    const uint8_t b = r_.Byte();
    if (b > 2) bad_ = true;
    return static_cast<TriBool>(b > 2 ? 0 : b);
  }
  std::string Str() { return std::string(r_.String()); }
  std::optional<std::string> OptStr() {
    if (!Flag()) return std::nullopt;
    return Str();
  }
  std::optional<Header> OptHeader() {
    if (!Flag()) return std::nullopt;
    Header h;
    h.accept_language = OptStr();
    h.user_agent = OptStr();
    return h;
  }
  // Counts are bounded by the bytes left so corrupt input cannot force huge allocations.
  size_t Count() {
    const uint64_t n = r_.Varint();
    if (n > r_.remaining()) {
      bad_ = true;
      return 0;
    }
    return static_cast<size_t>(n);
  }
  ExtraFields Extra() {
    ExtraFields out;
    const size_t n = Count();
    for (size_t i = 0; i < n && !failed(); ++i) {
      std::string k = Str();
      std::string v = Str();
      out.emplace_back(std::move(k), std::move(v));
    }
    return out;
  }
  // Reads n scores written by PutScores.
  void Scores(int n, double* out) {
    const uint64_t floats = r_.Varint();
    if (floats >> n) bad_ = true;
    for (int i = 0; i < n; ++i) {
      if (floats >> i & 1) {
        const uint32_t u = scores_.Fixed32();
        float f;
        std::memcpy(&f, &u, 4);
        out[i] = static_cast<double>(f);
      } else {
        out[i] = scores_.Double();
      }
    }
  }
  // A count of entries of `n` scores each, bounded by the scores left.
  size_t ScoreCount(size_t n) {
    const uint64_t count = r_.Varint();
    if (count > scores_.remaining() / (4 * n)) {
      bad_ = true;
      return 0;
    }
    return static_cast<size_t>(count);
  }
  // Skipping without copying (UtteranceTexts).
  void SkipOptStr() {
    if (Flag()) r_.String();
  }
  void SkipOptHeader() {
    if (!Flag()) return;
    SkipOptStr();
    SkipOptStr();
  }
  void SkipExtra() {
    const size_t n = Count();
    for (size_t i = 0; i < n && !failed(); ++i) {
      r_.String();
      r_.String();
    }
  }
  std::string_view TextView(uint64_t n) {
    if (n > text_.size()) {
      bad_ = true;
      return {};
    }
    const std::string_view s = text_.substr(0, n);
    text_.remove_prefix(n);
    return s;
  }
  // The next n bytes of the text part.
  std::string Text(uint64_t n) {
    if (n > text_.size()) {
      bad_ = true;
      return {};
    }
    std::string s(text_.substr(0, n));
    text_.remove_prefix(n);
    return s;
  }

 private:
  ByteReader r_, scores_;
  std::string_view text_;
  bool bad_ = false;
};

}  // namespace

void EncodeConversationParts(const Conversation& c, RecordParts* parts) {
  std::string* out = &parts->meta;
  out->push_back(static_cast<char>(kFormatVersion));
  PutString(out, c.conversation_hash);
  PutString(out, c.model);
  out->push_back(c.timestamp ? 1 : 0);
  if (c.timestamp) PutFixed64(out, static_cast<uint64_t>(*c.timestamp));
  PutVarint(out, c.conversation.size());
  parts->utterance_ends.clear();
  const size_t text_at = parts->text.size();
  for (const Utterance& u : c.conversation) {
    PutVarint(out, u.content.size());
    parts->text += u.content;
    parts->utterance_ends.push_back(parts->text.size() - text_at);
    PutOptString(out, u.country);
    PutOptString(out, u.hashed_ip);
    PutOptHeader(out, u.header);
    PutOptString(out, u.language);
    out->push_back(static_cast<char>(u.redacted));
    PutString(out, u.role);
    PutOptString(out, u.state);
    out->push_back(u.timestamp ? 1 : 0);
    if (u.timestamp) PutFixed64(out, static_cast<uint64_t>(*u.timestamp));
    out->push_back(static_cast<char>(u.toxic));
    PutFixed64(out, static_cast<uint64_t>(u.turn_identifier));
    PutExtra(out, u.extra);
  }
  PutFixed64(out, static_cast<uint64_t>(c.turn));
  PutOptString(out, c.language);
  PutVarint(out, c.openai_moderation.size());
  const SpellingPairs& pairs = Pairs();
  for (const OpenAiModeration& m : c.openai_moderation) {
    for (TriBool t : m.categories) out->push_back(static_cast<char>(t));
    out->push_back(static_cast<char>(m.flagged));
    out->push_back(static_cast<char>((m.categories_null ? 1 : 0) | (m.scores_null ? 2 : 0)));
    // Bit k: the k-th category with an earlier spelling repeats that score.
    uint32_t repeats = 0;
    int k = 0;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      const int j = pairs.earlier[i];
      if (j < 0) continue;
      if (SameBits(m.category_scores[i], m.category_scores[j])) repeats |= 1u << k;
      ++k;
    }
    PutVarint(out, repeats);
    std::array<double, kModerationCategoryCount> stored;
    int n = 0;
    k = 0;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      const int j = pairs.earlier[i];
      if (j >= 0 && (repeats >> k++ & 1)) continue;
      stored[n++] = m.category_scores[i];
    }
    PutScores(stored.data(), n, parts);
  }
  PutVarint(out, c.detoxify_moderation.size());
  for (const DetoxifyModeration& d : c.detoxify_moderation) {
    PutScores(d.scores.data(), kDetoxifyFieldCount, parts);
  }
  out->push_back(static_cast<char>(c.toxic));
  out->push_back(static_cast<char>(c.redacted));
  PutOptString(out, c.state);
  PutOptString(out, c.country);
  PutOptString(out, c.hashed_ip);
  PutOptHeader(out, c.header);
  PutExtra(out, c.extra);
}

void JoinRecordParts(std::string_view meta, std::string_view scores, std::string_view text,
                     std::string* out) {
  PutString(out, meta);
  PutString(out, scores);
  out->append(text);
}

void EncodeConversation(const Conversation& c, std::string* out) {
  RecordParts parts;
  EncodeConversationParts(c, &parts);
  JoinRecordParts(parts.meta, parts.scores, parts.text, out);
}

Status DecodeConversation(std::string_view joined, Conversation* out) {
  ByteReader parts(joined);
  const std::string_view meta = parts.String();
  const std::string_view scores = parts.String();
  if (parts.failed()) return Status::Corruption("stored record: malformed bytes");
  Decoder d(meta, scores, joined.substr(static_cast<size_t>(parts.pos() - joined.data())));
  ByteReader& r = d.r();
  if (r.Byte() != kFormatVersion)
    return Status::Corruption("stored record: unknown format version");
  Conversation c;
  c.conversation_hash = d.Str();
  c.model = d.Str();
  if (d.Flag()) c.timestamp = static_cast<int64_t>(r.Fixed64());
  const size_t n_utt = d.Count();
  c.conversation.resize(n_utt);
  for (Utterance& u : c.conversation) {
    if (d.failed()) break;
    u.content = d.Text(r.Varint());
    u.country = d.OptStr();
    u.hashed_ip = d.OptStr();
    u.header = d.OptHeader();
    u.language = d.OptStr();
    u.redacted = d.Tri();
    u.role = d.Str();
    u.state = d.OptStr();
    if (d.Flag()) u.timestamp = static_cast<int64_t>(r.Fixed64());
    u.toxic = d.Tri();
    u.turn_identifier = static_cast<int64_t>(r.Fixed64());
    u.extra = d.Extra();
  }
  c.turn = static_cast<int64_t>(r.Fixed64());
  c.language = d.OptStr();
  const size_t n_mod = d.Count();
  c.openai_moderation.resize(n_mod);
  const SpellingPairs& pairs = Pairs();
  for (OpenAiModeration& m : c.openai_moderation) {
    if (d.failed()) break;
    for (TriBool& t : m.categories) t = d.Tri();
    m.flagged = d.Tri();
    const uint8_t nulls = r.Byte();
    if (nulls > 3) return Status::Corruption("stored record: malformed bytes");
    m.categories_null = nulls & 1;
    m.scores_null = nulls & 2;
    const uint64_t repeats = r.Varint();
    int k = 0, n = 0;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      const int j = pairs.earlier[i];
      if (!(j >= 0 && (repeats >> k++ & 1))) ++n;
    }
    if (repeats >> k) return Status::Corruption("stored record: malformed bytes");
    std::array<double, kModerationCategoryCount> stored;
    d.Scores(n, stored.data());
    n = k = 0;
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      const int j = pairs.earlier[i];
      m.category_scores[i] = j >= 0 && (repeats >> k++ & 1) ? m.category_scores[j] : stored[n++];
    }
  }
  const size_t n_detox = d.ScoreCount(kDetoxifyFieldCount);
  c.detoxify_moderation.resize(n_detox);
  for (DetoxifyModeration& m : c.detoxify_moderation) {
    if (d.failed()) break;
    d.Scores(kDetoxifyFieldCount, m.scores.data());
  }
  c.toxic = d.Tri();
  c.redacted = d.Tri();
  c.state = d.OptStr();
  c.country = d.OptStr();
  c.hashed_ip = d.OptStr();
  c.header = d.OptHeader();
  c.extra = d.Extra();
  if (d.failed() || !d.done()) return Status::Corruption("stored record: malformed bytes");
  *out = std::move(c);
  return Status::OK();
}

Status UtteranceTexts(std::string_view meta, std::string_view text,
                      std::vector<std::string_view>* out, std::vector<std::string_view>* roles) {
  out->clear();
  if (roles) roles->clear();
  Decoder d(meta, {}, text);
  ByteReader& r = d.r();
  if (r.Byte() != kFormatVersion)
    return Status::Corruption("stored record: unknown format version");
  r.String();  // conversation_hash
  r.String();  // model
  if (d.Flag()) r.Fixed64();
  const size_t n_utt = d.Count();
  for (size_t u = 0; u < n_utt && !d.failed(); ++u) {
    out->push_back(d.TextView(r.Varint()));
    d.SkipOptStr();     // country
    d.SkipOptStr();     // hashed_ip
    d.SkipOptHeader();  // header
    d.SkipOptStr();     // language
    d.Tri();            // redacted
    const std::string_view role = r.String();
    if (roles) roles->push_back(role);
    d.SkipOptStr();  // state
    if (d.Flag()) r.Fixed64();
    d.Tri();      // toxic
    r.Fixed64();  // turn_identifier
    d.SkipExtra();
  }
  if (d.failed()) return Status::Corruption("stored record: malformed bytes");
  return Status::OK();
}

}  // namespace wildchat
