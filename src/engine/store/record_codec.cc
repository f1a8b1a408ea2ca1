#include "engine/store/record_codec.h"

#include "engine/segment/coding.h"

namespace wildchat {
namespace {

constexpr uint8_t kFormatVersion = 1;

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
  explicit Decoder(std::string_view bytes) : r_(bytes) {}
  bool failed() const { return r_.failed() || bad_; }
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

 private:
  ByteReader r_;
  bool bad_ = false;
};

}  // namespace

void EncodeConversation(const Conversation& c, std::string* out) {
  out->push_back(static_cast<char>(kFormatVersion));
  PutString(out, c.conversation_hash);
  PutString(out, c.model);
  out->push_back(c.timestamp ? 1 : 0);
  if (c.timestamp) PutFixed64(out, static_cast<uint64_t>(*c.timestamp));
  PutVarint(out, c.conversation.size());
  for (const Utterance& u : c.conversation) {
    PutString(out, u.content);
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
  for (const OpenAiModeration& m : c.openai_moderation) {
    for (TriBool t : m.categories) out->push_back(static_cast<char>(t));
    out->push_back(static_cast<char>(m.flagged));
    out->push_back(static_cast<char>((m.categories_null ? 1 : 0) | (m.scores_null ? 2 : 0)));
    for (double d : m.category_scores) PutDouble(out, d);
  }
  PutVarint(out, c.detoxify_moderation.size());
  for (const DetoxifyModeration& d : c.detoxify_moderation) {
    for (double v : d.scores) PutDouble(out, v);
  }
  out->push_back(static_cast<char>(c.toxic));
  out->push_back(static_cast<char>(c.redacted));
  PutOptString(out, c.state);
  PutOptString(out, c.country);
  PutOptString(out, c.hashed_ip);
  PutOptHeader(out, c.header);
  PutExtra(out, c.extra);
}

Status DecodeConversation(std::string_view bytes, Conversation* out) {
  Decoder d(bytes);
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
    u.content = d.Str();
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
  for (OpenAiModeration& m : c.openai_moderation) {
    if (d.failed()) break;
    for (TriBool& t : m.categories) t = d.Tri();
    m.flagged = d.Tri();
    const uint8_t nulls = r.Byte();
    m.categories_null = nulls & 1;
    m.scores_null = nulls & 2;
    for (double& s : m.category_scores) s = r.Double();
  }
  const size_t n_detox = d.Count();
  c.detoxify_moderation.resize(n_detox);
  for (DetoxifyModeration& m : c.detoxify_moderation) {
    if (d.failed()) break;
    for (double& s : m.scores) s = r.Double();
  }
  c.toxic = d.Tri();
  c.redacted = d.Tri();
  c.state = d.OptStr();
  c.country = d.OptStr();
  c.hashed_ip = d.OptStr();
  c.header = d.OptHeader();
  c.extra = d.Extra();
  if (d.failed() || !r.done()) return Status::Corruption("stored record: malformed bytes");
  *out = std::move(c);
  return Status::OK();
}

}  // namespace wildchat
