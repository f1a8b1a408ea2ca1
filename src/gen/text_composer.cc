#include "gen/text_composer.h"

#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "gen/languages.h"
#include "io/utf8.h"

namespace wildchat {

namespace {

constexpr size_t kMajorVocabulary = 20000;  // languages with >= 1% of utterances
constexpr size_t kMinorVocabulary = 5000;

uint64_t HashText(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return Mix64(h);
}

// Words of a Debian list usable as prose: valid UTF-8, no possessives, 2-20 bytes.
std::vector<std::string> ReadDictionary(const std::string& path, bool keep_capitalised) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.size() < 2 || line.size() > 20) continue;
    if (line.find_first_of("'. ") != std::string::npos) continue;
    if (!keep_capitalised && line[0] >= 'A' && line[0] <= 'Z') continue;
    if (FindInvalidUtf8(line) != std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

void Capitalise(std::string* s, size_t at) {
  if (at >= s->size()) return;
  auto c = static_cast<unsigned char>((*s)[at]);
  if (c >= 'a' && c <= 'z') {
    (*s)[at] = static_cast<char>(c - 32);
  } else if (c == 0xD0 && at + 1 < s->size()) {  // Cyrillic а-п -> А-П
    auto d = static_cast<unsigned char>((*s)[at + 1]);
    if (d >= 0xB0 && d <= 0xBF) (*s)[at + 1] = static_cast<char>(d - 0x20);
  } else if (c == 0xD1 && at + 1 < s->size()) {  // Cyrillic р-я -> Р-Я
    auto d = static_cast<unsigned char>((*s)[at + 1]);
    if (d >= 0x80 && d <= 0x8F) {
      (*s)[at] = static_cast<char>(0xD0);
      (*s)[at + 1] = static_cast<char>(d + 0x20);
    }
  }
}

const std::vector<std::string_view> kCodeLanguages = {"python", "javascript", "cpp",  "java",
                                                      "sql",    "html",       "bash", "json"};
const std::vector<double> kCodeLanguageWeights = {40, 20, 8, 8, 8, 6, 5, 5};

// Code templates; ~f function name, ~a ~b identifiers, ~T a type name, ~n a
// number, ~s a short phrase.
std::string_view CodeTemplate(std::string_view lang, Rng& r) {
  static const std::vector<std::string_view> kPython = {
      "def ~f(~a, ~b=~n):\n    \"\"\"~s\"\"\"\n    result = []\n    for item in ~a:\n"
      "        if item > ~b:\n            result.append(item * ~n)\n    return result\n\n\n"
      "if __name__ == \"__main__\":\n    print(~f([1, 2, 3, ~n]))",
      "import pandas as pd\n\ndf = pd.read_csv(\"~a.csv\")\ndf[\"~b\"] = df[\"~b\"].fillna(~n)\n"
      "print(df.groupby(\"~a\")[\"~b\"].mean())",
      "class ~T:\n    def __init__(self, ~a):\n        self.~a = ~a\n        self.~b = {}\n\n"
      "    def ~f(self, key):\n        return self.~b.get(key, ~n)",
      "import requests\n\nresponse = requests.get(\"https://api.example.com/~a\", timeout=~n)\n"
      "data = response.json()\nfor ~b in data[\"items\"]:\n    print(~b[\"~a\"])"};
  static const std::vector<std::string_view> kJavaScript = {
      "function ~f(~a) {\n  const ~b = ~a.map((x) => x * ~n);\n  return ~b.filter(Boolean);\n}\n\n"
      "console.log(~f([1, 2, 3]));",
      "const ~a = document.querySelector('#~b');\n~a.addEventListener('click', async () => {\n"
      "  const res = await fetch('/api/~b?limit=~n');\n  const data = await res.json();\n"
      "  ~a.textContent = data.~f;\n});"};
  static const std::vector<std::string_view> kCpp = {
      "#include <iostream>\n#include <vector>\n\nint ~f(const std::vector<int>& ~a) {\n"
      "  int ~b = 0;\n  for (int x : ~a) ~b += x * ~n;\n  return ~b;\n}\n\nint main() {\n"
      "  std::cout << ~f({1, 2, 3}) << std::endl;\n  return 0;\n}"};
  static const std::vector<std::string_view> kJava = {
      "public class ~T {\n    private int ~a = ~n;\n\n    public int ~f(int ~b) {\n"
      "        return ~a * ~b;\n    }\n\n    public static void main(String[] args) {\n"
      "        System.out.println(new ~T().~f(~n));\n    }\n}"};
  static const std::vector<std::string_view> kSql = {
      "SELECT ~a, COUNT(*) AS ~b\nFROM ~f\nWHERE created_at >= '2023-~n-01'\nGROUP BY ~a\n"
      "ORDER BY ~b DESC\nLIMIT ~n;",
      "CREATE TABLE ~f (\n  id INTEGER PRIMARY KEY,\n  ~a TEXT NOT NULL,\n  ~b INTEGER DEFAULT "
      "~n\n);"};
  static const std::vector<std::string_view> kHtml = {
      "<!DOCTYPE html>\n<html>\n<head>\n  <title>~s</title>\n  <style>\n    .~a { color: #333; "
      "margin: ~npx; }\n  </style>\n</head>\n<body>\n  <div class=\"~a\">\n    <h1>~s</h1>\n"
      "    <button id=\"~b\">~T</button>\n  </div>\n</body>\n</html>"};
  static const std::vector<std::string_view> kBash = {
      "#!/bin/bash\nfor f in ~a/*.txt; do\n  echo \"processing $f\"\n  grep -c \"~b\" \"$f\"\n"
      "done\npip install ~f==1.~n.0"};
  static const std::vector<std::string_view> kJson = {
      "{\n  \"~a\": \"~s\",\n  \"~b\": ~n,\n  \"~f\": [\"~a\", \"~b\"],\n  \"enabled\": true,\n"
      "  \"nested\": {\"~T\": null}\n}"};
  if (lang == "python") return r.Pick(kPython);
  if (lang == "javascript") return r.Pick(kJavaScript);
  if (lang == "cpp") return r.Pick(kCpp);
  if (lang == "java") return r.Pick(kJava);
  if (lang == "sql") return r.Pick(kSql);
  if (lang == "html") return r.Pick(kHtml);
  if (lang == "bash") return r.Pick(kBash);
  return r.Pick(kJson);
}

}  // namespace

TextComposer::TextComposer(const std::string& dict_dir) {
  const auto& langs = Languages();
  vocab_.resize(langs.size());
  for (size_t l = 0; l < langs.size(); ++l) {
    const LanguageSpec& spec = langs[l];
    Vocabulary& v = vocab_[l];
    std::unordered_set<std::string> seen;
    for (auto w : spec.words) {
      if (seen.insert(std::string(w)).second) v.words.emplace_back(w);
    }
    const size_t target = spec.share >= 0.01 ? kMajorVocabulary : kMinorVocabulary;
    if (!spec.dictionary.empty() && !dict_dir.empty()) {
      auto dict =
          ReadDictionary(dict_dir + "/" + std::string(spec.dictionary), spec.name == "German");
      // A fixed pseudo-random subset, independent of the file's order.
      std::sort(dict.begin(), dict.end(), [](const std::string& a, const std::string& b) {
        const uint64_t ha = HashText(a), hb = HashText(b);
        return ha != hb ? ha < hb : a < b;
      });
      for (auto& w : dict) {
        if (v.words.size() >= target) break;
        if (seen.insert(w).second) v.words.push_back(std::move(w));
      }
    }
    Rng r(0x5EED0000 + l);
    const bool compact = !spec.spaces;
    for (int attempts = 0; v.words.size() < target && attempts < 20 * static_cast<int>(target);
         ++attempts) {
      const int n = compact ? static_cast<int>(r.Between(1, 3)) : static_cast<int>(r.Between(2, 4));
      std::string w;
      for (int k = 0; k < n; ++k) w += r.Pick(spec.syllables);
      if (seen.insert(w).second) v.words.push_back(std::move(w));
    }
    v.zipf = ZipfTable(v.words.size(), 1.0);
  }
  for (const auto& w : vocab_[0].words) {
    if (w.size() >= 3 && w.size() <= 10 &&
        std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      identifiers_.push_back(w);
    }
    if (identifiers_.size() >= 2000) break;
  }
  if (identifiers_.empty()) identifiers_.push_back("value");
}

std::string_view TextComposer::Word(size_t lang, Rng& r) const {
  const Vocabulary& v = vocab_[lang];
  return v.words[v.zipf.Sample(r)];
}

std::string_view TextComposer::Identifier(Rng& r) const {
  return r.Pick(identifiers_);
}

void TextComposer::Sentence(size_t lang, Rng& r, int words, bool question, std::string* out) const {
  const LanguageSpec& spec = Languages()[lang];
  const size_t start = out->size();
  for (int k = 0; k < words; ++k) {
    if (k > 0 && spec.spaces) out->push_back(' ');
    out->append(Word(lang, r));
    if (k + 1 < words && k > 1 && r.Chance(0.07)) out->append(spec.comma);
  }
  Capitalise(out, start);
  out->append(question ? spec.question : spec.period);
}

void TextComposer::Prose(size_t lang, Rng& r, int words, std::string* out) const {
  const LanguageSpec& spec = Languages()[lang];
  int sentences = 0;
  while (words > 0) {
    const int n = std::min(words, static_cast<int>(r.Between(5, 18)));
    if (sentences > 0) {
      if (sentences % 4 == 0 && r.Chance(0.7)) {
        out->append("\n\n");
      } else if (spec.spaces || spec.name == "Thai") {
        out->push_back(' ');
      }
    }
    Sentence(lang, r, n, r.Chance(0.08), out);
    words -= n;
    ++sentences;
  }
}

void TextComposer::CodeBlock(Rng& r, std::string_view code_language, std::string* out) const {
  out->append("```");
  out->append(code_language);
  out->push_back('\n');
  const std::string_view t = CodeTemplate(code_language, r);
  const std::string_view a = Identifier(r), b = Identifier(r);
  const std::string f = std::string(Identifier(r)) + "_" + std::string(Identifier(r));
  std::string type(Identifier(r));
  type[0] = static_cast<char>(type[0] - 32);
  const std::string n = std::to_string(r.Between(1, 99));
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '~' || i + 1 == t.size()) {
      out->push_back(t[i]);
      continue;
    }
    switch (t[++i]) {
      case 'f':
        out->append(f);
        break;
      case 'a':
        out->append(a);
        break;
      case 'b':
        out->append(b);
        break;
      case 'T':
        out->append(type);
        break;
      case 'n':
        out->append(n);
        break;
      case 's':
        out->append(Identifier(r));
        out->push_back(' ');
        out->append(Identifier(r));
        break;
      default:
        out->push_back(t[i]);
    }
  }
  out->append("\n```");
}

void TextComposer::UserPrompt(size_t lang, Rng& r, int words, PromptShape* shape,
                              std::string* out) const {
  const LanguageSpec& spec = Languages()[lang];
  static const WeightedChoice kCodeChoice(kCodeLanguageWeights);
  const std::string_view sep = spec.spaces ? " " : "";
  const double form = r.Uniform();
  *shape = PromptShape();
  if (form < 0.5) {  // a request
    out->append(r.Pick(spec.requests));
    out->append(sep);
    Prose(lang, r, words, out);
  } else if (form < 0.65) {  // a question
    Sentence(lang, r, std::max(3, words), true, out);
  } else if (form < 0.77) {  // code with a question about it
    shape->code_language = kCodeLanguages[kCodeChoice.Sample(r)];
    out->append(r.Pick(spec.requests));
    out->append(sep);
    Prose(lang, r, std::max(4, words / 3), out);
    out->append("\n\n");
    CodeBlock(r, shape->code_language, out);
    if (r.Chance(0.3)) {
      out->append("\n\nTraceback (most recent call last):\n  File \"main.py\", line ");
      out->append(std::to_string(r.Between(2, 300)));
      out->append(", in <module>\nTypeError: unsupported operand type(s) for +: 'int' and 'str'");
    }
  } else if (form < 0.85) {  // a story or role-play
    shape->wants_story = true;
    out->append(r.Pick(spec.requests));
    out->append(sep);
    Prose(lang, r, words, out);
  } else if (form < 0.9) {  // raw JSON pasted after a request
    Prose(lang, r, std::max(4, words / 3), out);
    out->append("\n");
    std::string block;
    CodeBlock(r, "json", &block);
    out->append(block.substr(8, block.size() - 12));  // without the fence
  } else if (form < 0.93) {                           // raw HTML
    Prose(lang, r, std::max(4, words / 3), out);
    out->append("\n");
    std::string block;
    CodeBlock(r, "html", &block);
    out->append(block.substr(8, block.size() - 12));
  } else {  // a long pasted text
    Prose(lang, r, words * 3, out);
  }
}

void TextComposer::AssistantReply(size_t lang, Rng& r, int words, const PromptShape& shape,
                                  std::string* out) const {
  const int intro = std::min(words, static_cast<int>(r.Between(8, 25)));
  Prose(lang, r, intro, out);
  words -= intro;
  if (!shape.code_language.empty()) {
    out->append("\n\n");
    CodeBlock(r, shape.code_language, out);
    out->append("\n\n");
    const int items = static_cast<int>(r.Between(2, 5));
    for (int k = 0; k < items && words > 0; ++k) {
      out->append("- `");
      out->append(Identifier(r));
      out->append("`: ");
      const int n = std::min(words, static_cast<int>(r.Between(8, 30)));
      Prose(lang, r, n, out);
      out->push_back('\n');
      words -= n;
    }
    return;
  }
  if (shape.wants_story) {
    if (r.Chance(0.4)) {
      out->insert(0,
                  "**" + std::string(Word(lang, r)) + " " + std::string(Word(lang, r)) + "**\n\n");
    }
    while (words > 0) {
      out->append("\n\n");
      const int n = std::min(words, static_cast<int>(r.Between(40, 120)));
      Prose(lang, r, n, out);
      words -= n;
    }
    return;
  }
  const double form = r.Uniform();
  if (form < 0.35 || form >= 0.9) {  // numbered or bulleted list
    const bool numbered = form < 0.35;
    out->append("\n\n");
    int k = 1;
    while (words > 0) {
      if (numbered) {
        out->append(std::to_string(k++));
        out->append(". **");
      } else {
        out->append("- **");
      }
      out->append(Word(lang, r));
      out->push_back(' ');
      out->append(Word(lang, r));
      out->append("**: ");
      const int n = std::min(words, static_cast<int>(r.Between(10, 40)));
      Prose(lang, r, n, out);
      out->push_back('\n');
      words -= n;
    }
    if (r.Chance(0.5)) {
      out->push_back('\n');
      Prose(lang, r, static_cast<int>(r.Between(8, 30)), out);
    }
  } else if (form < 0.55) {  // sections with headings
    while (words > 0) {
      out->append("\n\n## ");
      out->append(Word(lang, r));
      out->push_back(' ');
      out->append(Word(lang, r));
      out->append("\n\n");
      const int n = std::min(words, static_cast<int>(r.Between(30, 90)));
      Prose(lang, r, n, out);
      words -= n;
    }
  } else if (form < 0.75) {  // plain paragraphs
    while (words > 0) {
      out->append("\n\n");
      const int n = std::min(words, static_cast<int>(r.Between(30, 100)));
      Prose(lang, r, n, out);
      words -= n;
    }
  } else if (form < 0.8) {  // a table
    out->append("\n\n| ");
    out->append(Word(lang, r));
    out->append(" | ");
    out->append(Word(lang, r));
    out->append(" | ");
    out->append(Word(lang, r));
    out->append(" |\n|---|---|---|\n");
    const int rows = std::max(2, std::min(12, words / 12));
    for (int k = 0; k < rows; ++k) {
      out->append("| ");
      out->append(Word(lang, r));
      out->append(" | ");
      out->append(std::to_string(r.Between(1, 5000)));
      out->append(" | ");
      Sentence(lang, r, static_cast<int>(r.Between(3, 8)), false, out);
      out->append(" |\n");
    }
  } else {  // unrequested code or JSON
    out->append("\n\n");
    CodeBlock(r, r.Chance(0.5) ? "json" : (r.Chance(0.5) ? "python" : "javascript"), out);
    out->append("\n\n");
    Prose(lang, r, std::max(5, words / 2), out);
  }
}

}  // namespace wildchat
