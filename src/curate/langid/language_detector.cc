#include "curate/langid/language_detector.h"

// CLD2's headers use FILE without including <cstdio>.
#include <cstdio>
// clang-format off
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>

#include "io/utf8.h"

namespace wildchat::curate {
namespace {

// WildChat spelling of a CLD2 language, or "" for CLD2's non-languages.
std::string WildChatName(CLD2::Language lang) {
  switch (lang) {
    case CLD2::CHINESE:
    case CLD2::CHINESE_T:
      return "Chinese";
    case CLD2::NORWEGIAN_N:
      return "Norwegian";
    case CLD2::UNKNOWN_LANGUAGE:
    case CLD2::TG_UNKNOWN_LANGUAGE:
      return "";
    default:
      break;
  }
  const char* raw = CLD2::LanguageName(lang);
  if (raw == nullptr || *raw < 'A' || *raw > 'Z') return "";  // unnamed slots are numbers
  std::string name;
  bool word_start = true;
  for (const char* p = raw; *p != '\0'; ++p) {
    char c = *p;
    if (c == '_') {
      name.push_back(' ');
      word_start = true;
      continue;
    }
    if (c >= 'A' && c <= 'Z' && !word_start) c = static_cast<char>(c - 'A' + 'a');
    name.push_back(c);
    word_start = false;
  }
  return name;
}

enum class Script {
  kNone,
  kLatin,
  kHan,
  kKana,
  kHangul,
  kCyrillic,
  kGreek,
  kArabic,
  kHebrew,
  kThai,
  kDevanagari,
  kOther
};

Script ScriptOf(uint32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return Script::kLatin;
  if (cp < 0xC0) return Script::kNone;
  if (cp <= 0x24F) return (cp == 0xD7 || cp == 0xF7) ? Script::kNone : Script::kLatin;
  if (cp >= 0x370 && cp <= 0x3FF) return Script::kGreek;
  if (cp >= 0x400 && cp <= 0x52F) return Script::kCyrillic;
  if (cp >= 0x590 && cp <= 0x5FF) return Script::kHebrew;
  if (cp >= 0x600 && cp <= 0x6FF) return Script::kArabic;
  if (cp >= 0x900 && cp <= 0x97F) return Script::kDevanagari;
  if (cp >= 0xE00 && cp <= 0xE7F) return Script::kThai;
  if (cp >= 0x1E00 && cp <= 0x1EFF) return Script::kLatin;
  if (cp >= 0x2000 && cp <= 0x2BFF) return Script::kNone;  // punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return Script::kNone;  // CJK punctuation
  if (cp >= 0x3040 && cp <= 0x30FF) return Script::kKana;
  if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0x20000 && cp <= 0x2FFFF))
    return Script::kHan;
  if ((cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF)) return Script::kHangul;
  if (cp >= 0xFF00 && cp <= 0xFF65) return Script::kNone;  // full-width forms
  if (cp >= 0x1F000) return Script::kNone;                 // emoji and other symbols
  return Script::kOther;
}

constexpr int kScriptCount = static_cast<int>(Script::kOther) + 1;

struct ScriptCounts {
  std::array<int, kScriptCount> n{};
  int letters = 0;
};

ScriptCounts CountScripts(std::string_view text) {
  ScriptCounts c;
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    uint32_t cp = b;
    size_t len = 1;
    if (b >= 0x80) {
      len = DecodeUtf8(text, i, &cp);
      if (len == 0) {
        ++i;
        continue;
      }
    }
    i += len;
    const Script s = ScriptOf(cp);
    if (s == Script::kNone) continue;
    ++c.n[static_cast<int>(s)];
    ++c.letters;
  }
  return c;
}

std::string FallbackByScript(const ScriptCounts& c) {
  // Japanese text mixes Kana with Han; any notable Kana share means Japanese.
  const int kana = c.n[static_cast<int>(Script::kKana)];
  const int han = c.n[static_cast<int>(Script::kHan)];
  if (kana > 0 && kana * 10 >= han) return "Japanese";
  int best = static_cast<int>(Script::kLatin);
  for (int s = 1; s < kScriptCount; ++s)
    if (c.n[s] > c.n[best]) best = s;
  switch (static_cast<Script>(best)) {
    case Script::kHan:
      return "Chinese";
    case Script::kKana:
      return "Japanese";
    case Script::kHangul:
      return "Korean";
    case Script::kCyrillic:
      return "Russian";
    case Script::kGreek:
      return "Greek";
    case Script::kArabic:
      return "Arabic";
    case Script::kHebrew:
      return "Hebrew";
    case Script::kThai:
      return "Thai";
    case Script::kDevanagari:
      return "Hindi";
    default:
      return "English";
  }
}

// Whether text has any letter; stops at the first one (usually byte 0).
bool HasLetter(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    uint32_t cp = b;
    size_t len = 1;
    if (b >= 0x80) {
      len = DecodeUtf8(text, i, &cp);
      if (len == 0) {
        ++i;
        continue;
      }
    }
    if (ScriptOf(cp) != Script::kNone) return true;
    i += len;
  }
  return false;
}

// Long texts are judged on three windows (start, middle, end): CLD2's cost is
// linear in the bytes it sees, and three spread-out samples keep a code block
// at the start from deciding alone.
constexpr size_t kSampleAbove = 1536;
constexpr size_t kWindow = 384;

size_t CharStart(std::string_view s, size_t i) {
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

std::string Sample(std::string_view text) {
  std::string out;
  for (size_t at : {size_t{0}, text.size() / 2 - kWindow / 2, text.size() - kWindow}) {
    const size_t b = CharStart(text, at);
    size_t e = std::min(text.size(), at + kWindow);
    if (e < text.size()) e = CharStart(text, e);
    out.append(text.substr(b, e - b));
    out.push_back('\n');
  }
  return out;
}

}  // namespace

std::string DetectLanguage(std::string_view full_text) {
  if (!HasLetter(full_text)) return std::string(kNoLanguage);
  std::string sample;
  if (full_text.size() > kSampleAbove) sample = Sample(full_text);
  const std::string_view text = sample.empty() ? full_text : std::string_view(sample);

  CLD2::Language lang3[3];
  int percent3[3];
  double score3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  const int len = static_cast<int>(std::min<size_t>(text.size(), 1 << 30));
  CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), len, /*is_plain_text=*/true, /*cld_hints=*/nullptr, /*flags=*/0, lang3, percent3,
      score3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix);
  if (valid_prefix < len) {
    lang = CLD2::ExtDetectLanguageSummary(text.data(), valid_prefix, true, lang3, percent3,
                                          &text_bytes, &reliable);
  }
  std::string name = WildChatName(lang);
  if (!name.empty() && reliable) return name;
  // Very short text: CLD2 defaults Latin text to English itself, but for other
  // scripts an unreliable guess is worse than the script's main language.
  const ScriptCounts scripts = CountScripts(text);
  if (name.empty() ||
      (scripts.letters < 12 && scripts.n[static_cast<int>(Script::kLatin)] * 2 < scripts.letters)) {
    return FallbackByScript(scripts);
  }
  return name;
}

std::string MostFrequentLanguage(const std::vector<std::string>& langs) {
  if (langs.empty()) return std::string(kNoLanguage);
  std::unordered_map<std::string_view, int> count;
  for (const auto& l : langs) ++count[l];
  const std::string* best = &langs.front();
  int best_n = 0;
  for (const auto& l : langs) {  // first seen wins ties: only a strictly larger count replaces
    const int n = count[l];
    if (n > best_n) best = &l, best_n = n;
  }
  return *best;
}

std::vector<std::string> NameableLanguages() {
  std::vector<std::string> out = {std::string(kNoLanguage)};
  for (int i = 0; i < CLD2::NUM_LANGUAGES; ++i) {
    std::string n = WildChatName(static_cast<CLD2::Language>(i));
    if (!n.empty()) out.push_back(std::move(n));
  }
  for (const char* extra : {"Greek", "Arabic", "Hebrew", "Thai", "Hindi", "Russian", "Korean"})
    out.emplace_back(extra);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wildchat::curate
