// TextComposer: the words, prose, markdown and code of generated utterances.
// Each language gets a Zipf-distributed vocabulary (its frequent words first,
// then a long tail); user prompts mix requests, questions, pasted code, JSON
// and HTML; assistant replies use markdown lists, headings, tables and fenced
// code. Immutable after construction and thread-safe: all randomness comes
// from the caller's Rng.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gen/random.h"

namespace wildchat {

// What a prompt asked for, so the reply can match it.
struct PromptShape {
  std::string_view code_language;  // non-empty when the prompt contained code
  bool wants_story = false;
};

class TextComposer {
 public:
  explicit TextComposer(const std::string& dict_dir);

  // Appends `words` words of prose in language `lang` (index into Languages()).
  void Prose(size_t lang, Rng& r, int words, std::string* out) const;
  // A user prompt of about `words` words.
  void UserPrompt(size_t lang, Rng& r, int words, PromptShape* shape, std::string* out) const;
  // An assistant reply of about `words` words answering a prompt of `shape`.
  void AssistantReply(size_t lang, Rng& r, int words, const PromptShape& shape,
                      std::string* out) const;
  // One fenced code block ("```python\n...\n```").
  void CodeBlock(Rng& r, std::string_view code_language, std::string* out) const;

  size_t vocabulary_size(size_t lang) const { return vocab_[lang].words.size(); }

 private:
  struct Vocabulary {
    std::vector<std::string> words;
    ZipfTable zipf;
  };
  void Sentence(size_t lang, Rng& r, int words, bool question, std::string* out) const;
  std::string_view Word(size_t lang, Rng& r) const;
  std::string_view Identifier(Rng& r) const;  // an English word usable in code

  std::vector<Vocabulary> vocab_;
  std::vector<std::string> identifiers_;
};

}  // namespace wildchat
