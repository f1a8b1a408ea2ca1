// LanguageDetector: the language of one utterance, named as WildChat names it
// ("English", "Chinese", "Russian", ...), using CLD2 (Debian libcld2) with a
// script-based fallback for text too short or too mixed for CLD2 to decide.
//
// Rules: content that is empty or has no letters (whitespace, digits,
// punctuation only) is "Nolang". Han, Kana, Hangul, Cyrillic, Greek, Arabic,
// Hebrew, Thai, Devanagari text that CLD2 cannot call falls back to the
// dominant script's main language; Latin-script text CLD2 cannot call is
// "English" (CLD2's own default). Traditional and simplified Chinese are both
// "Chinese". Invalid UTF-8 is detected on its valid prefix. Texts over 1.5 KB
// are judged on three 384-byte windows (start, middle, end). Stateless and
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wildchat::curate {

inline constexpr std::string_view kNoLanguage = "Nolang";

// The WildChat name of the language of `text`.
std::string DetectLanguage(std::string_view text);

// The conversation language: the most frequent of `utterance_languages`, ties
// broken by first occurrence; "Nolang" when the list is empty.
std::string MostFrequentLanguage(const std::vector<std::string>& utterance_languages);

// Every name DetectLanguage can return, sorted (for documentation and tests).
std::vector<std::string> NameableLanguages();

}  // namespace wildchat::curate
