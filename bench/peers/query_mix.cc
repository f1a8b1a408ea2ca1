#include "peers/query_mix.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "engine/testing/reference_search.h"
#include "io/json_writer.h"

namespace wildchat::bench {

namespace {

bool IsAsciiWord(const std::string& s) {
  if (s.size() < 2) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::string SqlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string QueryQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string SqlLikeWord(const std::string& w) {
  return SqlQuote("%" + w + "%");
}

}  // namespace

std::string MixQuery::Wildchat() const {
  std::vector<std::string> parts = words;
  if (!phrase.empty()) parts.push_back(QueryQuote(Join(phrase, " ")));
  for (const auto& [field, value] : filters) {
    if (field == "toxic")
      parts.push_back("toxic:" + value);
    else if (field == "turns_ge")
      parts.push_back("turns:>=" + value);
    else
      parts.push_back(field + ":" + QueryQuote(value));
  }
  if (!regex.empty()) {
    std::string escaped;
    for (char c : regex) {
      if (c == '/') escaped += '\\';
      escaped += c;
    }
    parts.push_back("/" + escaped + "/");
  }
  return Join(parts, " ");
}

std::string MixQuery::Fts5Match() const {
  std::vector<std::string> parts;
  for (const std::string& w : words) parts.push_back("\"" + w + "\"");
  if (!phrase.empty()) parts.push_back("\"" + Join(phrase, " ") + "\"");
  return Join(parts, " AND ");
}

std::string MixQuery::SqlFilter() const {
  std::vector<std::string> parts;
  for (const auto& [field, value] : filters) {
    if (field == "toxic")
      parts.push_back("c.toxic = 1");
    else if (field == "turns_ge")
      parts.push_back("c.turn >= " + value);
    else
      parts.push_back("c." + field + " = " + SqlQuote(value));
  }
  return Join(parts, " AND ");
}

std::string MixQuery::DuckWhere() const {
  std::vector<std::string> parts;
  for (const std::string& w : words) parts.push_back("text ILIKE " + SqlLikeWord(w));
  if (!phrase.empty()) parts.push_back("text ILIKE " + SqlLikeWord(Join(phrase, " ")));
  for (const auto& [field, value] : filters) {
    if (field == "toxic")
      parts.push_back("toxic");
    else if (field == "turns_ge")
      parts.push_back("turn >= " + value);
    else
      parts.push_back(field + " = " + SqlQuote(value));
  }
  if (!regex.empty()) parts.push_back("regexp_matches(text, " + SqlQuote(regex) + ")");
  return parts.empty() ? "true" : Join(parts, " AND ");
}

std::vector<MixQuery> BuildQueryMix(const std::vector<Conversation>& sample, int count,
                                    uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto below = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };

  // Vocabulary of ASCII words by document frequency, and phrase candidates.
  std::unordered_map<std::string, uint32_t> df;
  std::vector<std::vector<std::string>> phrases;
  std::map<std::string, int> models, languages, countries;
  for (const Conversation& c : sample) {
    std::set<std::string> seen;
    for (const Utterance& u : c.conversation) {
      std::vector<reference::Token> tokens = reference::Tokenize(u.content);
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (IsAsciiWord(tokens[i].folded)) seen.insert(tokens[i].folded);
        // A phrase whose words are separated by exactly one space in the text,
        // so that ILIKE '%a b%' means the same as the phrase.
        if (phrases.size() < 20000 && i + 2 < tokens.size() && below(40) == 0) {
          size_t len = 2 + below(2);
          std::vector<std::string> p;
          bool ok = true;
          for (size_t k = i; k < i + len && ok; ++k) {
            ok = IsAsciiWord(tokens[k].folded) &&
                 (k == i || (tokens[k].begin == tokens[k - 1].end + 1 &&
                             u.content[tokens[k - 1].end] == ' '));
            p.push_back(tokens[k].folded);
          }
          if (ok) phrases.push_back(std::move(p));
        }
      }
    }
    for (const std::string& w : seen) ++df[w];
    ++models[c.model];
    if (c.language) ++languages[*c.language];
    if (c.country) ++countries[*c.country];
  }
  std::vector<std::pair<std::string, uint32_t>> vocab(df.begin(), df.end());
  std::sort(vocab.begin(), vocab.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (vocab.empty()) vocab.push_back({"hello", 1});
  if (phrases.empty()) phrases.push_back({"hello", "world"});
  auto top_values = [](const std::map<std::string, int>& m, size_t n) {
    std::vector<std::pair<int, std::string>> v;
    for (const auto& [k, c] : m) v.push_back({-c, k});
    std::sort(v.begin(), v.end());
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size() && i < n; ++i) out.push_back(v[i].second);
    if (out.empty()) out.push_back("none");
    return out;
  };
  std::vector<std::string> model_values = top_values(models, 10);
  std::vector<std::string> language_values = top_values(languages, 12);
  std::vector<std::string> country_values = top_values(countries, 15);

  // Frequency bands by rank: top 20, next 200, next 2000, and the tail
  // (words seen in at most 3 sampled conversations).
  size_t n = vocab.size();
  auto band = [&](const std::string& name) -> std::string {
    size_t lo = 0, hi = n;
    if (name == "top") lo = 0, hi = std::min<size_t>(n, 20);
    if (name == "frequent") lo = std::min<size_t>(n - 1, 20), hi = std::min<size_t>(n, 220);
    if (name == "middle") lo = std::min<size_t>(n - 1, 220), hi = std::min<size_t>(n, 2220);
    if (name == "rare") {
      lo = n;
      while (lo > 0 && vocab[lo - 1].second <= 3) --lo;
      if (lo == n) lo = n - 1;
    }
    if (hi <= lo) hi = lo + 1;
    return vocab[lo + below(hi - lo)].first;
  };
  static const char* kBands[] = {"top", "frequent", "middle", "rare"};
  auto filter = [&]() -> std::pair<std::string, std::string> {
    switch (below(5)) {
      case 0:
        return {"model", model_values[below(model_values.size())]};
      case 1:
        return {"language", language_values[below(language_values.size())]};
      case 2:
        return {"country", country_values[below(country_values.size())]};
      case 3:
        return {"toxic", "true"};
      default:
        return {"turns_ge", std::to_string(2 + below(6))};
    }
  };

  std::vector<MixQuery> mix;
  auto scaled = [&](int per_thousand) { return std::max(1, per_thousand * count / 1000); };
  for (int b = 0; b < 4; ++b) {
    for (int i = 0, m = scaled(b == 0 ? 60 : 70); i < m; ++i) {
      MixQuery q;
      q.kind = std::string("word-") + kBands[b];
      q.words = {band(kBands[b])};
      mix.push_back(q);
    }
  }
  for (int i = 0, m = scaled(150); i < m; ++i) {
    MixQuery q;
    q.kind = "and";
    for (size_t k = 0, w = 2 + below(2); k < w; ++k) q.words.push_back(band(kBands[below(3)]));
    mix.push_back(q);
  }
  for (int i = 0, m = scaled(150); i < m; ++i) {
    MixQuery q;
    q.kind = "phrase";
    q.phrase = phrases[below(phrases.size())];
    mix.push_back(q);
  }
  for (int i = 0, m = scaled(100); i < m; ++i) {
    MixQuery q;
    q.kind = "filter";
    q.filters.push_back(filter());
    if (below(2)) {
      auto f = filter();
      if (f.first != q.filters[0].first) q.filters.push_back(f);
    }
    mix.push_back(q);
  }
  for (int i = 0, m = scaled(150); i < m; ++i) {
    MixQuery q;
    q.kind = "word+filter";
    q.words = {band(kBands[below(4)])};
    q.filters.push_back(filter());
    mix.push_back(q);
  }
  for (int i = 0, m = scaled(80); i < m; ++i) {
    MixQuery q;
    q.kind = "facet";
    q.words = {band(kBands[below(3)])};
    q.facet = true;
    mix.push_back(q);
  }
  for (int i = 0, m = scaled(100); i < m; ++i) {
    MixQuery q;
    q.kind = "deep-page";
    if (below(3) == 0) {
      q.filters.push_back(filter());
    } else {
      q.words = {band(below(2) ? "top" : "frequent")};
    }
    static const int64_t kOffsets[] = {300, 990, 3000, 9990, 30000};
    q.offset = kOffsets[below(std::size(kOffsets))];
    mix.push_back(q);
  }
  for (MixQuery& q : mix) {
    if (q.kind != "facet" && below(5) == 0) q.facet = true;
  }
  std::shuffle(mix.begin(), mix.end(), rng);
  // Regular expressions, measured separately.
  static const char* kRegexes[] = {"sk-[A-Za-z0-9]{20,}", "[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                   "def [a-z_]+\\(",      "[A-Z]{6,}",
                                   "https?://[^ ]+",      "(?i)as an ai language model"};
  for (int i = 0; i < 50; ++i) {
    MixQuery q;
    q.kind = "regex";
    if (i % 2 == 0) {
      q.regex = kRegexes[(i / 2) % std::size(kRegexes)];
    } else {
      q.regex = "(?i)" + band(kBands[below(3)]) + "[a-z]*\\s+" + band("top");
    }
    mix.push_back(q);
  }
  return mix;
}

std::string MixToJsonLines(const std::vector<MixQuery>& mix) {
  std::string out;
  for (size_t i = 0; i < mix.size(); ++i) {
    const MixQuery& q = mix[i];
    JsonWriter w(&out);
    w.BeginObject();
    w.Key("i").Int(static_cast<int64_t>(i));
    w.Key("kind").String(q.kind);
    w.Key("wildchat").String(q.Wildchat());
    w.Key("fts").String(q.Fts5Match());
    w.Key("sql_filter").String(q.SqlFilter());
    w.Key("duck_where").String(q.DuckWhere());
    w.Key("facet").Bool(q.facet);
    w.Key("offset").Int(q.offset);
    w.EndObject();
    out += '\n';
  }
  return out;
}

}  // namespace wildchat::bench
