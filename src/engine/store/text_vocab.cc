#include "engine/store/text_vocab.h"

#include <zstd.h>

#if defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "engine/segment/coding.h"
#include "engine/store/open_shared.h"

namespace wildchat {
namespace {

// Tokens of a vocabulary, most frequent first, have codes 1, 2, ...; code 0
// is the escape. Three bytes of end-tagged dense code reach this many codes.
constexpr uint64_t kMaxCodes = 128 + 128 * 128 + 128 * 128 * 128;
// Fewer sample texts than this train no vocabulary.
constexpr size_t kMinSamples = 8;
// The serialized vocabulary is a zstd frame; a bigger one is corrupt.
constexpr unsigned long long kMaxSerializedBytes = 64ull << 20;
constexpr int kSerializeLevel = 9;

static_assert(TextVocab::kSlack >= TextVocab::kMaxTokenBytes &&
              TextVocab::kMaxTokenBytes % 16 == 0);

Status Bad() {
  return Status::Corruption("bad stored text codes");
}

// An escape of no bytes: the next word follows the last without a space.
constexpr char kGlue[2] = {'\x80', '\0'};

enum class CharClass : uint8_t { kWord, kOther, kSingle };

bool AsciiWordByte(unsigned char b) {
  return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
}

// A code point of a script written without spaces between words: each is a
// token of its own.
bool Unspaced(uint32_t cp) {
  return (cp >= 0x0E00 && cp <= 0x0E7F) ||  // Thai
         (cp >= 0x3000 && cp <= 0x30FF) ||  // CJK punctuation, kana
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // Han
         (cp >= 0xFF00 && cp <= 0xFFEF) ||  // fullwidth forms
         (cp >= 0x20000 && cp <= 0x3FFFF);
}

// The class of the character at p (n > 0 bytes left) and its length in bytes;
// a byte that does not start a well-formed UTF-8 sequence is one kOther byte.
CharClass ClassAt(const unsigned char* p, size_t n, size_t* len) {
  const unsigned char b = *p;
  *len = 1;
  if (b < 0x80) return AsciiWordByte(b) ? CharClass::kWord : CharClass::kOther;
  size_t k;
  uint32_t cp;
  if (b >= 0xC2 && b <= 0xDF) {
    k = 2;
    cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    k = 3;
    cp = b & 0x0F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    k = 4;
    cp = b & 0x07;
  } else {
    return CharClass::kOther;
  }
  if (k > n) return CharClass::kOther;
  for (size_t i = 1; i < k; ++i) {
    if ((p[i] & 0xC0) != 0x80) return CharClass::kOther;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  *len = k;
  return Unspaced(cp) ? CharClass::kSingle : CharClass::kWord;
}

// The token starting at text[at] (at < size): its end, and whether it is a
// word.
size_t TokenEnd(std::string_view text, size_t at, bool* word) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t len;
  const CharClass c = ClassAt(p + at, n - at, &len);
  *word = c == CharClass::kWord;
  size_t end = at + len;
  if (c == CharClass::kSingle) return end;
  while (end < n) {
    // ASCII word characters and separators take the short way.
    const unsigned char b = p[end];
    if (b < 0x80) {
      if (AsciiWordByte(b) != *word) break;
      ++end;
      continue;
    }
    if (ClassAt(p + end, n - end, &len) != c) break;
    end += len;
  }
  return end;
}

bool IsWordToken(std::string_view token) {
  size_t len;
  return !token.empty() && ClassAt(reinterpret_cast<const unsigned char*>(token.data()),
                                   token.size(), &len) == CharClass::kWord;
}

// Calls fn(token, word, end, spaced) for each token of text that is coded,
// `end` being where it ends in text: a single space between two words is not
// coded (the decoder puts it back): the word after it ends the space's
// stretch and is `spaced`. *after_word says whether the token before text
// was a word, and is left saying whether text's last one is.
template <typename Fn>
void ForEachCodedToken(std::string_view text, bool* after_word, Fn&& fn) {
  size_t at = 0;
  while (at < text.size()) {
    bool word;
    size_t end = TokenEnd(text, at, &word);
    bool spaced = false;
    if (*after_word && end == at + 1 && text[at] == ' ' && end < text.size()) {
      bool next_word;
      const size_t next_end = TokenEnd(text, end, &next_word);
      if (next_word) {
        at = end;
        end = next_end;
        word = spaced = true;
      }
    }
    fn(text.substr(at, end - at), word, end, spaced);
    *after_word = word;
    at = end;
  }
}

void PutCode(std::string* out, uint64_t code) {
  char buf[4];
  int n = 0;
  buf[n++] = static_cast<char>(0x80 | (code & 0x7F));
  code >>= 7;
  while (code != 0) {
    --code;
    buf[n++] = static_cast<char>(code & 0x7F);
    code >>= 7;
  }
  while (n > 0) out->push_back(buf[--n]);
}

uint64_t HashToken(std::string_view t) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : t) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::string TextVocab::Train(const std::vector<std::string_view>& samples) {
  size_t texts = 0;
  std::unordered_map<std::string_view, uint64_t> counts;
  for (const std::string_view s : samples) {
    if (s.empty()) continue;
    ++texts;
    bool after_word = false;
    ForEachCodedToken(s, &after_word, [&](std::string_view token, bool, size_t, bool) {
      if (token.size() <= kMaxTokenBytes) ++counts[token];
    });
  }
  if (texts < kMinSamples) return {};
  std::vector<std::pair<uint64_t, std::string_view>> ranked;
  for (const auto& [token, n] : counts) {
    if (n >= 2) ranked.emplace_back(n, token);
  }
  if (ranked.empty()) return {};
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() > kMaxCodes - 1) ranked.resize(kMaxCodes - 1);
  std::string raw;
  PutVarint(&raw, ranked.size());
  for (const auto& r : ranked) PutString(&raw, r.second);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), kSerializeLevel);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

Status TextVocab::Open(std::string_view serialized, std::unique_ptr<TextVocab>* out) {
  const unsigned long long size = ZSTD_getFrameContentSize(serialized.data(), serialized.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxSerializedBytes) {
    return Status::Corruption("bad text vocabulary");
  }
  std::string raw(size, '\0');
  const size_t got = ZSTD_decompress(raw.data(), raw.size(), serialized.data(), serialized.size());
  if (ZSTD_isError(got) || got != size) return Status::Corruption("bad text vocabulary");
  std::unique_ptr<TextVocab> v(new TextVocab());
  ByteReader r(raw);
  const uint64_t n = r.Varint();
  if (r.failed() || n == 0 || n >= kMaxCodes || n > raw.size()) {
    return Status::Corruption("bad text vocabulary");
  }
  v->slots_.assign(n + 2, Slot{0, false, {}});
  for (uint64_t code = 1; code <= n; ++code) {
    const std::string_view t = r.String();
    if (r.failed() || t.empty() || t.size() > kMaxTokenBytes) {
      return Status::Corruption("bad text vocabulary");
    }
    Slot& s = v->slots_[code];
    s.length = static_cast<uint8_t>(t.size());
    s.word = IsWordToken(t);
    if (t.size() <= kInline) {
      std::memcpy(s.head, t.data(), t.size());
    } else {
      const auto offset = static_cast<uint32_t>(v->bytes_.size());
      std::memcpy(s.head, &offset, 4);
      v->bytes_ += t;
    }
  }
  if (r.pos() != raw.data() + raw.size()) return Status::Corruption("bad text vocabulary");
  v->bytes_.append(kSlack, '\0');
  size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  v->table_.assign(cap, 0);
  for (uint32_t code = 1; code <= n; ++code) {
    const std::string_view t = v->Token(code);
    for (size_t h = HashToken(t) & (cap - 1);; h = (h + 1) & (cap - 1)) {
      if (v->table_[h] == 0) {
        v->table_[h] = code;
        break;
      }
      if (v->Token(v->table_[h]) == t) break;  // the first code of equal tokens wins
    }
  }
  *out = std::move(v);
  return Status::OK();
}

Status TextVocab::OpenShared(std::string_view serialized, std::shared_ptr<const TextVocab>* out) {
  return wildchat::OpenShared<TextVocab>(
      serialized,
      [](std::string_view bytes, std::unique_ptr<TextVocab>* v) {
        WILDCHAT_RETURN_IF_ERROR(Open(bytes, v));
        (*v)->serialized_ = bytes;
        return Status::OK();
      },
      [](const TextVocab& v) -> std::string_view { return v.serialized_; }, out);
}

std::string_view TextVocab::Token(uint32_t code) const {
  const Slot& s = slots_[code];
  if (s.length <= kInline) return {s.head, s.length};
  uint32_t offset;
  std::memcpy(&offset, s.head, 4);
  return {bytes_.data() + offset, s.length};
}

uint32_t TextVocab::Find(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return 0;
  const size_t mask = table_.size() - 1;
  for (size_t h = HashToken(token) & mask;; h = (h + 1) & mask) {
    const uint32_t code = table_[h];
    if (code == 0 || Token(code) == token) return code;
  }
}

void TextVocab::Encode(std::string_view text, const std::vector<uint64_t>& breaks, std::string* out,
                       std::vector<uint64_t>* coded_breaks) const {
  const size_t start = out->size();
  bool after_word = false;
  auto code = [&](std::string_view token, bool word, size_t, bool spaced) {
    // Two words with nothing between them meet only across a break: the
    // glue (an empty escape) keeps the decoder from putting a space there.
    if (word && after_word && !spaced) out->append(kGlue, 2);
    const uint32_t c = Find(token);
    PutCode(out, c);
    if (c == 0) PutString(out, token);
  };
  // Tokens end at each break, so that decoding the codes through a coded
  // break gives the text through the break exactly.
  uint64_t from = 0;
  for (const uint64_t b : breaks) {
    if (b <= from || b >= text.size()) continue;
    ForEachCodedToken(text.substr(from, b - from), &after_word, code);
    from = b;
    if (coded_breaks) coded_breaks->push_back(out->size() - start);
  }
  ForEachCodedToken(text.substr(from), &after_word, code);
}

namespace {

// Bit k set where byte k of the 32 at p has its high bit: where a code ends.
uint32_t CodeEnds(const unsigned char* p) {
#if defined(__AVX2__)
  return static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))));
#elif defined(__SSE2__)
  const uint32_t lo = static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  const uint32_t hi = static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16))));
  return lo | hi << 16;
#else
  uint32_t m = 0;
  for (int k = 0; k < 32; ++k) m |= static_cast<uint32_t>(p[k] >> 7) << k;
  return m;
#endif
}

}  // namespace

Status TextVocab::Decoder::Feed(std::string_view codes, size_t* used) {
  const auto* p = reinterpret_cast<const unsigned char*>(codes.data());
  const size_t n = codes.size();
  const Slot* slots = v_.slots_.data();
  const char* bytes = v_.bytes_.data();
  const uint64_t num_codes = v_.slots_.size() - 1;
  // The state in locals: stores through `out` may alias any member, which
  // would otherwise be reloaded after each.
  char* const out = out_;
  const uint64_t size = size_;
  // Tokens are copied 16 bytes at a time while done < fast_limit, that is
  // while a space and kSlack bytes fit in the room left.
  const uint64_t fast_limit = room_ >= 1 + kSlack ? room_ - kSlack : 0;
  uint64_t done = done_;
  bool after_word = after_word_;
  // Writes the vocabulary token `code` names; false if it does not fit.
  auto put = [&](uint64_t code) {
    const Slot& s = slots[code];
    const size_t length = s.length;
    const bool word = s.word;
    const bool space = word & after_word;
    if (length + space > size - done) return false;
    const char* token = s.head;
    if (length > kInline) {
      uint32_t offset;
      std::memcpy(&offset, s.head, 4);
      token = bytes + offset;
    }
    char* dst = out + done;
    if (done < fast_limit) {
      // A token is at most kSlack bytes; 16 bytes from its slot stay in the
      // slots (the last pads), and from bytes_ in its kSlack padding: the
      // 16-byte copies stay in bounds on both sides.
      *dst = ' ';
      dst += space;
      std::memcpy(dst, token, 16);
      for (size_t c = 16; c < length; c += 16) std::memcpy(dst + c, token + c, 16);
    } else {
      if (space) *dst++ = ' ';
      std::memcpy(dst, token, length);
    }
    done += space + length;
    after_word = word;
    return true;
  };
  size_t i = 0;
  while (i < n) {
    // Where 35 bytes are left, the ends of 32 bytes' codes come from their
    // high bits at once: a token's code no longer waits on the last one's
    // length (which varies too much for a branch to guess).
    if (n - i >= 35) {
      uint32_t ends = CodeEnds(p + i);
      if ((ends & 7) == 0) return Bad();  // a code of four bytes or more
      size_t start = i;
      bool escape = false;
      while (ends != 0) {
        const size_t end = i + static_cast<size_t>(__builtin_ctz(ends)) + 1;
        ends &= ends - 1;
        const size_t length = end - start;
        if (length > 3) return Bad();
        const uint64_t b0 = p[start], b1 = p[start + 1], b2 = p[start + 2];
        const uint64_t two = ((b0 + 1) << 7) + (b1 & 0x7F);
        // Selected by masks, not branches (the length is as unpredictable).
        const uint64_t two_or_more = 0 - static_cast<uint64_t>(length >= 2);
        const uint64_t three = 0 - static_cast<uint64_t>(length >= 3);
        const uint64_t code = ((b0 & 0x7F) & ~two_or_more) | (two & two_or_more & ~three) |
                              ((((two + 1) << 7) + (b2 & 0x7F)) & three);
        if (code == 0) {
          escape = true;
          break;
        }
        if (code >= num_codes || !put(code)) return Bad();
        start = end;
      }
      i = start;
      if (!escape) continue;
    }
    // One token at i: the end of the codes, or an escape.
    uint64_t code;
    size_t j = i;
    if (p[j] >= 0x80) {
      code = p[j++] & 0x7F;
    } else {
      uint64_t acc = 0;
      while (j < n && p[j] < 0x80) {
        if (j - i == 2) return Bad();
        acc = (acc + p[j] + 1) << 7;
        ++j;
      }
      if (j == n) break;  // cut
      code = acc + (p[j++] & 0x7F);
    }
    if (code != 0) {
      if (code >= num_codes || !put(code)) return Bad();
      i = j;
      continue;
    }
    // An escape: code 0, a varint length, the token's bytes.
    uint64_t len = 0;
    int shift = 0;
    bool whole = false;
    while (j < n) {
      const unsigned char b = p[j++];
      if (shift > 56) return Bad();
      len |= static_cast<uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if (b < 0x80) {
        whole = true;
        break;
      }
    }
    if (!whole) break;  // cut
    if (len == 0) {     // glue
      after_word = false;
      i = j;
      continue;
    }
    if (len > size - done) return Bad();
    if (len > n - j) break;  // cut
    const std::string_view token(codes.data() + j, len);
    const bool word = IsWordToken(token);
    const bool space = word && after_word;
    if (len + space > size - done) return Bad();
    if (space) out[done++] = ' ';
    std::memcpy(out + done, token.data(), len);
    done += len;
    after_word = word;
    i = j + len;
  }
  done_ = done;
  after_word_ = after_word;
  *used = i;
  return Status::OK();
}

Status TextVocab::DecodeAll(std::string_view codes, char* out, uint64_t size) const {
  Decoder d(*this, out, size);
  size_t used = 0;
  WILDCHAT_RETURN_IF_ERROR(d.Feed(codes, &used));
  if (used != codes.size() || d.written() != size) return Bad();
  return Status::OK();
}

}  // namespace wildchat
