// libFuzzer target: snippets of untrusted conversation text. The input is a
// query (up to the first newline) and then utterances split at NUL bytes,
// their roles alternating user/assistant; contents are well-formed UTF-8, as
// every stored text is (ingestion rejects the rest). For any such input the
// snippets must not crash, must equal those of whole-utterance tokenization
// (the oracle of the windowed search for matches), and must hold no markup
// but their own <mark> tags: every other & < > " ' arrives escaped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/query/query_parser.h"
#include "engine/snippet/snippet.h"
#include "io/utf8.h"

namespace {

bool HoldsOnlyMarkTags(std::string text) {
  for (std::string_view tag : {"<mark>", "</mark>"}) {
    for (size_t at; (at = text.find(tag)) != std::string::npos;) text.erase(at, tag.size());
  }
  return text.find_first_of("<>\"'") == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t newline = in.find('\n');
  if (newline == std::string_view::npos || newline > 200) return 0;
  const std::string_view rest = in.substr(newline + 1);
  if (wildchat::FindInvalidUtf8(rest) != std::string_view::npos) return 0;
  std::unique_ptr<wildchat::QueryNode> root;
  if (!wildchat::ParseQuery(std::string(in.substr(0, newline)), &root).ok()) return 0;
  std::vector<const wildchat::QueryNode*> terms;
  wildchat::CollectPositiveTerms(*root, &terms);
  std::vector<wildchat::UtteranceText> utterances;
  for (size_t from = 0; from <= rest.size();) {
    size_t end = rest.find('\0', from);
    if (end == std::string_view::npos) end = rest.size();
    utterances.push_back(
        {utterances.size() % 2 ? "assistant" : "user", rest.substr(from, end - from)});
    from = end + 1;
  }
  const auto windowed = wildchat::MakeSnippets(utterances, terms);
  const auto whole = wildchat::MakeSnippets(utterances, terms, 3, /*whole_utterances=*/true);
  if (windowed.size() != whole.size()) std::abort();
  for (size_t i = 0; i < whole.size(); ++i) {
    if (windowed[i].turn != whole[i].turn || windowed[i].text != whole[i].text) std::abort();
    if (!HoldsOnlyMarkTags(whole[i].text)) std::abort();
  }
  return 0;
}
