#include "engine/testing/test_corpus.h"

#include <array>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>

#include "model/timestamp.h"

namespace wildchat::reference {

namespace {

// Word lists by language. Earlier words are drawn far more often than later
// ones (see Rng::Skewed), so every list has frequent and rare words.
constexpr std::string_view kEnglish[] = {"the",
                                         "to",
                                         "and",
                                         "a",
                                         "of",
                                         "you",
                                         "is",
                                         "write",
                                         "code",
                                         "please",
                                         "can",
                                         "essay",
                                         "python",
                                         "story",
                                         "function",
                                         "data",
                                         "help",
                                         "climate",
                                         "change",
                                         "poem",
                                         "model",
                                         "Hello",
                                         "table",
                                         "answer",
                                         "question",
                                         "language",
                                         "rust",
                                         "java",
                                         "homework",
                                         "transform",
                                         "transformer",
                                         "transformation",
                                         "list",
                                         "string",
                                         "error",
                                         "email",
                                         "AI",
                                         "summary",
                                         "translate",
                                         "character",
                                         "dragon",
                                         "castle",
                                         "quantum",
                                         "recipe",
                                         "garden",
                                         "violin",
                                         "zeppelin",
                                         "quokka",
                                         "xylophone",
                                         "mortgage",
                                         "Photosynthesis",
                                         "CRISPR",
                                         "Kubernetes",
                                         "and",
                                         "or",
                                         "not"};
constexpr std::string_view kRussian[] = {
    "и",          "в",       "не",       "что",      "Привет",    "напиши",    "код",
    "пожалуйста", "текст",   "история",  "ответ",    "вопрос",    "сочинение", "Москва",
    "ЁЛКА",       "ёлка",    "машинное", "обучение", "программа", "функция",   "ошибка",
    "сложность",  "радость", "грусть",   "Пушкин",   "медведь",   "балалайка"};
constexpr std::string_view kChinese[] = {
    "你好", "请",   "写",   "一篇", "文章", "关于", "中国", "北京大学", "人工智能", "的",
    "是",   "代码", "翻译", "问题", "回答", "学习", "机器", "数据",     "模型",     "气候",
    "变化", "诗",   "龍",   "麒麟", "饕餮", "々",   "上海", "长城"};
constexpr std::string_view kJapanese[] = {
    "こんにちは", "ありがとう", "日本語",     "カタカナ", "コーヒー", "東京",   "の",      "を",
    "です",       "ます",       "プログラム", "猫",       "桜",       "富士山", "ラーメン"};
constexpr std::string_view kThai[] = {"สวัสดี",  "ครับ", "ภาษาไทย", "ขอบคุณ",  "กรุงเทพ",
                                      "อาหาร", "ช่วย", "เขียน",    "โปรแกรม"};
constexpr std::string_view kOther[] = {
    "Straße",     "STRASSE",    "straße", "Grüße",  "Übung",    "ÄPFEL",    "äpfel",
    "λόγος",      "ΛΌΓΟΣ",      "σοφίας", "Σοφίας", "İstanbul", "istanbul", "ılık",
    "안녕하세요", "감사합니다", "한국어", "café",   "CAFÉ",     "naïve",    "Ǆemal"};
constexpr std::string_view kPunct[] = {" ",  " ",  " ",   " ",  " ",    ", ", ". ", "! ",  "? ",
                                       ": ", "; ", " - ", "\n", "\n\n", " (", ") ", " \"", "\" "};
constexpr std::string_view kSnippets[] = {
    "def foo(x):\n    return x * 2\n",
    "```cpp\nint main() { return 0; }\n```",
    "e-mail",
    "well-known",
    "state-of-the-art",
    "3.14",
    "1,000,000",
    "http://example.com/path?q=1",
    "user@example.org",
    "<PRESIDIO_ANONYMIZED_EMAIL_ADDRESS>",
    "<b>bold</b> &amp; <i>it</i>",
    "{\"key\": \"value\", \"n\": 42}",
    "C++ and C# and .NET",
    "don't can't won't",
    "#hashtag @mention",
    "x86_64",
    "emoji 😀 between 🎉 words",
    "mod.harassment",
    "a/b/c",
    "100%",
    "$19.99",
    "Hello, World!",
    "hello world",
    "HELLO WORLD",
};
constexpr std::string_view kModels[] = {
    "gpt-3.5-turbo-0613", "gpt-3.5-turbo-0613", "gpt-3.5-turbo-0301", "gpt-3.5-turbo-0125",
    "gpt-4-0314",         "gpt-4-1106-preview", "gpt-4-0125-preview"};
struct Place {
  std::string_view country, state;
};
constexpr Place kPlaces[] = {{"United States", "California"},
                             {"United States", "New York"},
                             {"United States", "Texas"},
                             {"Russia", "Moscow"},
                             {"Russia", "St.-Petersburg"},
                             {"China", "Beijing"},
                             {"China", "Guangdong"},
                             {"Japan", "Tokyo"},
                             {"Thailand", "Bangkok"},
                             {"Germany", "Bavaria"},
                             {"Côte d'Ivoire", ""},
                             {"Türkiye", "Istanbul"},
                             {"Greece", "Attica"},
                             {"South Korea", "Seoul"},
                             {"United Kingdom", "England"}};
constexpr std::string_view kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X)",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"};
constexpr std::string_view kAcceptLanguages[] = {"en-US,en;q=0.9", "ru-RU,ru;q=0.9",
                                                 "zh-CN,zh;q=0.9", "ja,en;q=0.8"};

enum Lang { kEn, kRu, kZh, kJa, kTh, kMix, kLangCount };
constexpr std::string_view kLangNames[kLangCount] = {"English",  "Russian", "Chinese",
                                                     "Japanese", "Thai",    "German"};

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t Next() { return engine_(); }
  // Uniform in [0, n).
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Heavily skewed towards small indices: a Zipf-like frequency profile.
  size_t Skewed(size_t n) {
    double u = Unit();
    size_t i = static_cast<size_t>(static_cast<double>(n) * u * u * u);
    return i < n ? i : n - 1;
  }
  template <size_t N>
  std::string_view Pick(const std::string_view (&a)[N]) {
    return a[Skewed(N)];
  }

 private:
  std::mt19937_64 engine_;
};

std::string Hex(Rng& rng, int chars) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < chars; ++i) s += kDigits[rng.Below(16)];
  return s;
}

std::string_view Word(Rng& rng, Lang lang) {
  switch (lang) {
    case kEn:
      return rng.Pick(kEnglish);
    case kRu:
      return rng.Pick(kRussian);
    case kZh:
      return rng.Pick(kChinese);
    case kJa:
      return rng.Pick(kJapanese);
    case kTh:
      return rng.Pick(kThai);
    default:
      return rng.Pick(kOther);
  }
}

std::string Text(Rng& rng, Lang lang, int words) {
  std::string s;
  bool spaced = lang != kZh && lang != kJa && lang != kTh;
  for (int i = 0; i < words; ++i) {
    Lang l = lang;
    if (rng.Chance(0.08)) l = static_cast<Lang>(rng.Below(kLangCount));
    if (rng.Chance(0.04)) {
      s += kSnippets[rng.Below(std::size(kSnippets))];
    } else {
      std::string w(Word(rng, l));
      if (rng.Chance(0.03)) w = w + "-" + std::string(Word(rng, l));
      if (rng.Chance(0.02)) w += std::to_string(rng.Below(3000));
      s += w;
    }
    if (spaced || rng.Chance(0.2))
      s += rng.Chance(0.8) ? " " : kPunct[rng.Below(std::size(kPunct))];
  }
  if (rng.Chance(0.05)) s += " sk-" + Hex(rng, 24) + " ";
  return s;
}

TimestampMicros RandomTime(Rng& rng) {
  // 2023-04-09 .. 2024-05-01, second resolution with random microseconds.
  int64_t begin = DaysFromCivil(2023, 4, 9) * 86400;
  int64_t end = DaysFromCivil(2024, 5, 1) * 86400;
  int64_t sec = begin + static_cast<int64_t>(rng.Below(static_cast<size_t>(end - begin)));
  return sec * 1000000 + static_cast<int64_t>(rng.Below(1000000));
}

OpenAiModeration Moderation(Rng& rng, bool empty_content) {
  OpenAiModeration m;
  if (empty_content) return m;  // all null, as for empty utterances
  m.categories_null = false;
  m.scores_null = false;
  bool flagged = false;
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    double u = rng.Unit();
    double score = u * u * u * u;  // mostly tiny, a few large
    // Even categories as the moderation API reports scores (floats, widened),
    // odd ones full doubles: the index keeps the two kinds of column apart.
    if (i % 2 == 0) score = static_cast<double>(static_cast<float>(score));
    m.category_scores[i] = score;
    bool hit = score > 0.6;
    m.categories[i] = ToTriBool(hit);
    flagged = flagged || hit;
  }
  m.flagged = ToTriBool(flagged);
  return m;
}

DetoxifyModeration Detoxify(Rng& rng, bool empty_content) {
  DetoxifyModeration d;
  if (empty_content) return d;
  for (int i = 0; i < kDetoxifyFieldCount; ++i) {
    double u = rng.Unit();
    d.scores[i] = u * u * u;
  }
  return d;
}

}  // namespace

std::vector<Conversation> MakeTestCorpus(int n, uint64_t seed) {
  Rng rng(seed ^ 0x5eed5eed5eedULL);
  std::vector<Conversation> out;
  out.reserve(static_cast<size_t>(n));
  int64_t next_turn_id = 1000000 + static_cast<int64_t>(rng.Below(1000));
  std::vector<TimestampMicros> shared_times;  // duplicates for the tie rule
  for (int i = 0; i < 8; ++i) shared_times.push_back(RandomTime(rng));
  std::vector<std::string> users;
  for (int i = 0; i < 60; ++i) users.push_back(Hex(rng, 64));
  std::vector<std::string> shared_hashes;
  for (int i = 0; i < 10; ++i) shared_hashes.push_back(Hex(rng, 32));

  for (int c = 0; c < n; ++c) {
    Conversation conv;
    // About half English.
    Lang lang = rng.Chance(0.5) ? kEn : static_cast<Lang>(rng.Below(kLangCount));
    conv.model = std::string(kModels[rng.Below(std::size(kModels))]);
    size_t turns = 1 + rng.Skewed(rng.Chance(0.05) ? 24 : 5);
    bool opens_with_assistant = rng.Chance(0.03);
    bool ends_without_reply = rng.Chance(0.05);
    size_t utterances = 2 * turns - (ends_without_reply ? 1 : 0);
    const Place& place = kPlaces[rng.Skewed(std::size(kPlaces))];
    bool null_geo = rng.Chance(0.05);
    bool null_ip = rng.Chance(0.03);
    const std::string& ip = users[rng.Skewed(users.size())];
    Header header;
    header.user_agent = std::string(kUserAgents[rng.Below(std::size(kUserAgents))]);
    if (rng.Chance(0.9)) {
      header.accept_language =
          std::string(kAcceptLanguages[rng.Below(std::size(kAcceptLanguages))]);
    }
    TimestampMicros last = RandomTime(rng);
    bool any_toxic = false, any_redacted = false;
    for (size_t u = 0; u < utterances; ++u) {
      Utterance utt;
      bool user_role = ((u % 2) == 0) != opens_with_assistant;
      utt.role = user_role ? "user" : "assistant";
      if (u % 2 == 0) ++next_turn_id, next_turn_id += static_cast<int64_t>(rng.Below(3));
      utt.turn_identifier = next_turn_id;
      bool empty = user_role && rng.Chance(0.03);
      Lang ul = rng.Chance(0.85) ? lang : static_cast<Lang>(rng.Below(kLangCount));
      if (!empty) {
        int words = static_cast<int>(user_role ? 3 + rng.Skewed(40) : 10 + rng.Skewed(120));
        utt.content = Text(rng, ul, words);
      }
      utt.language = std::string(empty ? "Nolang" : kLangNames[ul]);
      utt.redacted = ToTriBool(rng.Chance(0.03));
      utt.toxic = ToTriBool(rng.Chance(0.04));
      any_toxic = any_toxic || IsTrue(utt.toxic);
      any_redacted = any_redacted || IsTrue(utt.redacted);
      if (user_role) {
        if (!null_ip) utt.hashed_ip = ip;
        if (!null_geo) {
          utt.country = std::string(place.country);
          if (!place.state.empty()) utt.state = std::string(place.state);
        }
        utt.header = header;
      } else {
        utt.timestamp = last - static_cast<int64_t>(utterances - u) * 1000000;
      }
      conv.openai_moderation.push_back(Moderation(rng, empty));
      conv.detoxify_moderation.push_back(Detoxify(rng, empty));
      conv.conversation.push_back(std::move(utt));
    }
    conv.turn = static_cast<int64_t>(turns);
    if (rng.Chance(0.03)) {
      conv.timestamp = std::nullopt;
    } else if (rng.Chance(0.06)) {
      conv.timestamp = shared_times[rng.Below(shared_times.size())];
    } else {
      conv.timestamp = last;
    }
    conv.conversation_hash =
        rng.Chance(0.03) ? shared_hashes[rng.Below(shared_hashes.size())] : Hex(rng, 32);
    conv.language = std::string(kLangNames[lang]);
    if (rng.Chance(0.02)) conv.language = std::nullopt;
    conv.toxic = rng.Chance(0.01) ? TriBool::kNull : ToTriBool(any_toxic);
    conv.redacted = rng.Chance(0.01) ? TriBool::kNull : ToTriBool(any_redacted);
    if (!null_geo) {
      conv.country = std::string(place.country);
      if (!place.state.empty()) conv.state = std::string(place.state);
    }
    if (!null_ip) conv.hashed_ip = ip;
    conv.header = header;
    out.push_back(std::move(conv));
  }
  return out;
}

}  // namespace wildchat::reference
