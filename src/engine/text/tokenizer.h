// Tokenizer: splits UTF-8 text into case-folded tokens exactly as
// docs/query.md defines them (runs of L*/M*/Nd code points; every Han,
// Hiragana, Katakana and Thai code point a token by itself; ICU simple case
// folding). Indexing, query parsing and snippets all use this one function, so
// what is indexed is what a query can name. Stateless and thread-safe;
// malformed UTF-8 bytes act as separators (U+FFFD).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wildchat {

struct Token {
  std::string_view folded;  // valid until the next token is produced
  uint32_t begin = 0;       // byte span in the original text
  uint32_t end = 0;
};

// Calls fn(const Token&) for each token of text in order.
template <typename Fn>
void Tokenize(std::string_view text, Fn&& fn);

// Case-folds one token-producing run; exposed for tests.
std::string FoldText(std::string_view text);

// Number of code points in UTF-8 text (malformed bytes count one each).
size_t CodePointCount(std::string_view text);

namespace text_internal {
// Classifies code point c: 0 separator, 1 run character, 2 single-character token.
int ClassifyCodePoint(int32_t c);
void AppendFolded(std::string* out, int32_t c);
int32_t DecodeUtf8(std::string_view s, size_t* i);  // advances *i; U+FFFD on error
}  // namespace text_internal

template <typename Fn>
void Tokenize(std::string_view text, Fn&& fn) {
  std::string buf;
  size_t i = 0;
  size_t run_begin = 0;
  bool in_run = false;
  const size_t n = text.size();
  auto flush = [&](size_t end) {
    if (!in_run) return;
    Token t;
    t.folded = buf;
    t.begin = static_cast<uint32_t>(run_begin);
    t.end = static_cast<uint32_t>(end);
    fn(t);
    in_run = false;
    buf.clear();
  };
  while (i < n) {
    const size_t start = i;
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      ++i;
      const bool alnum = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
      const bool upper = b >= 'A' && b <= 'Z';
      if (alnum || upper) {
        if (!in_run) {
          in_run = true;
          run_begin = start;
        }
        buf.push_back(upper ? static_cast<char>(b + 32) : static_cast<char>(b));
      } else {
        flush(start);
      }
      continue;
    }
    const int32_t c = text_internal::DecodeUtf8(text, &i);
    const int cls = text_internal::ClassifyCodePoint(c);
    if (cls == 0) {
      flush(start);
    } else if (cls == 2) {
      flush(start);
      in_run = true;
      run_begin = start;
      text_internal::AppendFolded(&buf, c);
      flush(i);
    } else {
      if (!in_run) {
        in_run = true;
        run_begin = start;
      }
      text_internal::AppendFolded(&buf, c);
    }
  }
  flush(n);
}

}  // namespace wildchat
