// The languages the generator writes, with WildChat's language names, their
// share of utterances, how their words are built (a hand-written list of
// frequent words, then a tail synthesised from the script's syllables or read
// from a Debian word list), and who speaks them: accept-language headers and
// countries with states. Static data, immutable, thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace wildchat {

struct CountrySpec {
  std::string_view name;  // GeoLite2 country.names.en
  double weight;
  std::vector<std::string_view> states;  // most specific subdivision names
};

struct LanguageSpec {
  std::string_view name;  // as WildChat labels it: "English", "Chinese", ...
  double share;           // of utterances
  bool spaces = true;     // words separated by spaces (false: Chinese, Japanese, Thai)
  std::string_view period = ".", question = "?", comma = ",";
  std::vector<std::string_view> words;      // frequent words, most frequent first
  std::vector<std::string_view> syllables;  // pieces for synthesised tail words
  std::string_view dictionary;              // /usr/share/dict file name, or empty
  std::vector<std::string_view> accept_languages;
  std::vector<CountrySpec> countries;
  // Openers that make a user prompt read as a request ("Write", "Напиши").
  std::vector<std::string_view> requests;
};

const std::vector<LanguageSpec>& Languages();

}  // namespace wildchat
