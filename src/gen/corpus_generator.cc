#include "gen/corpus_generator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/sha256.h"
#include "gen/languages.h"
#include "gen/planted.h"
#include "gen/random.h"
#include "gen/text_composer.h"
#include "io/conversation_hash.h"
#include "model/timestamp.h"

namespace wildchat {

namespace {

// Users: rank k in [0, M) is drawn with P ~ (k+1)^-kUserExponent (continuous
// approximation), M chosen so the expected number of distinct users matches.
constexpr double kUserExponent = 0.7;
constexpr double kUsersPerConversation = 0.205;
constexpr int kMaxTurns = 150;  // turn identifiers reserve 256 per conversation
constexpr int64_t kTurnIdBase = 1000000;

const std::vector<std::string_view> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.4 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/118.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/114.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/113.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/108.0.0.0 YaBrowser/23.1.1.1114 Yowser/2.5 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/86.0.4240.198 Safari/537.36 QIHU 360SE",
};

struct UserProfile {
  size_t language;
  std::optional<std::string> country, state, hashed_ip;
  Header header;
  bool gpt4_user;
};

// Index pairs of categories reported twice (slash and underscore spelling).
constexpr std::pair<int, int> kCategoryTwins[] = {{1, 2},  {4, 5},   {6, 9},  {7, 10},
                                                  {8, 11}, {13, 14}, {16, 17}};

double Float32(double v) {
  return static_cast<double>(static_cast<float>(v));
}

double SmallScore(Rng& r, double mu, double sigma, double cap) {
  return Float32(std::min(cap, std::exp(mu + sigma * r.Normal())));
}

}  // namespace

struct CorpusGenerator::Tables {
  explicit Tables(const std::string& dict_dir) : composer(dict_dir) {}
  TextComposer composer;
  WeightedChoice language_choice;
  std::vector<WeightedChoice> country_choice;
  uint64_t population = 1;
  double one_off_share = 0;  // conversations from users seen exactly once
  double g_max = 1;          // (population + 1)^(1 - a) - 1
};

namespace {

// Expected distinct users when `draws` conversations pick from `m` users.
double ExpectedDistinct(uint64_t m, uint64_t draws) {
  const double b = 1.0 - kUserExponent;
  const double norm = std::pow(static_cast<double>(m) + 1, b) - 1;
  const double n = static_cast<double>(draws);
  auto p = [&](double k) {  // probability of rank k (0-based)
    return (std::pow(k + 2, b) - std::pow(k + 1, b)) / norm;
  };
  double sum = 0;
  uint64_t k = 0;
  while (k < m) {
    const uint64_t width = k < 4096 ? 1 : std::max<uint64_t>(1, k / 256);
    const uint64_t w = std::min(width, m - k);
    sum += static_cast<double>(w) * (1.0 - std::exp(-n * p(static_cast<double>(k) + w / 2.0)));
    k += w;
  }
  return sum;
}

}  // namespace

CorpusGenerator::CorpusGenerator(const GenOptions& options)
    : options_(options), tables_(std::make_unique<Tables>(options.dict_dir)) {
  const auto& langs = Languages();
  std::vector<double> shares;
  for (const auto& l : langs) {
    shares.push_back(l.share);
    std::vector<double> w;
    for (const auto& c : l.countries) w.push_back(c.weight);
    tables_->country_choice.emplace_back(w);
  }
  tables_->language_choice = WeightedChoice(shares);

  const uint64_t n = std::max<uint64_t>(1, options_.conversations);
  const uint64_t target =
      options_.users ? options_.users
                     : std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(
                                                 kUsersPerConversation * static_cast<double>(n))));
  // A share of conversations comes from one-off visitors (about half of all
  // users, as in real logs); the rest from a Zipf population sized so that
  // the expected number of distinct users reaches the target.
  tables_->one_off_share =
      std::min(0.1, 0.5 * static_cast<double>(target) / static_cast<double>(n));
  const uint64_t draws = std::max<uint64_t>(
      1, static_cast<uint64_t>(static_cast<double>(n) * (1 - tables_->one_off_share)));
  const uint64_t zipf_target = std::max<uint64_t>(
      1, target - static_cast<uint64_t>(static_cast<double>(n) * tables_->one_off_share));
  uint64_t lo = zipf_target, hi = zipf_target * 64 + 16;
  if (ExpectedDistinct(hi, draws) < static_cast<double>(zipf_target)) {
    lo = hi;  // more users asked for than draws can reach; use the largest
  }
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (ExpectedDistinct(mid, draws) >= static_cast<double>(zipf_target)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  tables_->population = lo;
  tables_->g_max = std::pow(static_cast<double>(lo) + 1, 1.0 - kUserExponent) - 1;
}

CorpusGenerator::~CorpusGenerator() = default;

uint64_t CorpusGenerator::user_population() const {
  return tables_->population;
}

namespace {

UserProfile MakeUser(uint64_t seed, uint64_t k, const WeightedChoice& language_choice,
                     const std::vector<WeightedChoice>& country_choice) {
  Rng r(seed ^ 0x05E5u, k);
  UserProfile u;
  u.language = language_choice.Sample(r);
  const LanguageSpec& spec = Languages()[u.language];
  if (!r.Chance(0.015)) {  // GeoIP failure otherwise
    const CountrySpec& c = spec.countries[country_choice[u.language].Sample(r)];
    u.country = std::string(c.name);
    if (!c.states.empty() && !r.Chance(0.12)) u.state = std::string(r.Pick(c.states));
  }
  u.hashed_ip = Sha256Hex("wildchat-gen ip " + std::to_string(seed) + " " + std::to_string(k));
  if (!r.Chance(0.01)) u.header.accept_language = std::string(r.Pick(spec.accept_languages));
  u.header.user_agent = std::string(r.Pick(kUserAgents));
  u.gpt4_user = r.Chance(0.25);
  return u;
}

std::string ModelAt(TimestampMicros t, bool gpt4) {
  static const TimestampMicros k0613 = *ParseIso8601("2023-06-27T00:00:00Z");
  static const TimestampMicros k1106 = *ParseIso8601("2023-11-06T00:00:00Z");
  static const TimestampMicros k0125 = *ParseIso8601("2024-01-25T00:00:00Z");
  static const TimestampMicros k35_0125 = *ParseIso8601("2024-02-16T00:00:00Z");
  if (gpt4) {
    if (t < k1106) return "gpt-4-0314";
    if (t < k0125) return "gpt-4-1106-preview";
    return "gpt-4-0125-preview";
  }
  if (t < k0613) return "gpt-3.5-turbo-0301";
  if (t < k35_0125) return "gpt-3.5-turbo-0613";
  return "gpt-3.5-turbo-0125";
}

// Moderation for one utterance. `level`: 0 ordinary, 1 detoxify-only
// borderline, 2 flagged by a moderation category, 3 a planted insult.
void Moderate(Rng& r, int level, OpenAiModeration* m, DetoxifyModeration* d) {
  m->categories_null = false;
  m->scores_null = false;
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    m->category_scores[i] = SmallScore(r, -9.0, 1.8, 0.05);
  }
  double tox = SmallScore(r, -6.5, 1.2, 0.09);
  int flagged_category = -1;
  if (level == 1) {
    tox = Float32(0.1 + r.Uniform() * 0.3);
  } else if (level == 2) {
    static const WeightedChoice kCategory(
        {15, 0, 0, 5, 0, 0, 5, 0, 0, 0, 0, 0, 50, 0, 0, 25, 0, 0});
    flagged_category = static_cast<int>(kCategory.Sample(r));
    m->category_scores[flagged_category] = Float32(0.5 + r.Uniform() * 0.49);
    tox = Float32(0.02 + r.Uniform() * 0.6);
  } else if (level == 3) {
    tox = Float32(0.5 + r.Uniform() * 0.49);
    if (tox > 0.7) {
      flagged_category = 0;  // harassment
      m->category_scores[0] = Float32(0.5 + r.Uniform() * 0.49);
    }
  }
  for (auto [a, b] : kCategoryTwins) m->category_scores[b] = m->category_scores[a];
  bool any = false;
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    const bool on = m->category_scores[i] >= 0.5;
    m->categories[i] = ToTriBool(on);
    any |= on;
  }
  m->flagged = ToTriBool(any);
  d->scores[kDetoxifyToxicity] = tox;
  d->scores[0] = Float32(tox * r.Uniform() * 0.3);                       // identity_attack
  d->scores[1] = Float32(tox * r.Uniform() * (level == 3 ? 1.0 : 0.6));  // insult
  d->scores[2] = Float32(tox * r.Uniform() * 0.8);                       // obscene
  d->scores[3] = Float32(tox * r.Uniform() * 0.1);                       // severe_toxicity
  d->scores[4] =
      Float32(tox * r.Uniform() * (flagged_category == 12 ? 1.0 : 0.3));  // sexual_explicit
  d->scores[5] = Float32(tox * r.Uniform() * 0.3);                        // threat
}

template <typename T>
std::optional<T> MostFrequent(const std::vector<std::optional<T>>& values) {
  // Ties go to the value seen first.
  std::optional<T> best;
  int best_count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    int count = 0;
    for (const auto& v : values) count += v == values[i];
    if (count > best_count) {
      best_count = count;
      best = values[i];
    }
  }
  return best;
}

}  // namespace

Conversation CorpusGenerator::Generate(uint64_t i) const {
  const Tables& t = *tables_;
  const uint64_t seed = options_.seed;
  const uint64_t n = std::max<uint64_t>(1, options_.conversations);
  Rng r(seed, i);

  // Who: a heavy-tailed user population.
  uint64_t user_rank;
  if (r.Chance(t.one_off_share)) {
    user_rank = t.population + i;  // nobody else draws this rank
  } else {
    const double b = 1.0 - kUserExponent;
    const double x = std::pow(t.g_max * r.Uniform() + 1.0, 1.0 / b);
    user_rank = std::min<uint64_t>(t.population - 1, static_cast<uint64_t>(std::max(1.0, x)) - 1);
  }
  const UserProfile user = MakeUser(seed, user_rank, t.language_choice, t.country_choice);

  // When: spread over the collection period in index order, as logged.
  static const TimestampMicros kStart = *ParseIso8601("2023-04-09T00:00:00Z");
  static const TimestampMicros kEnd = *ParseIso8601("2024-04-30T23:00:00Z");
  const double frac = (static_cast<double>(i) + r.Uniform()) / static_cast<double>(n);
  TimestampMicros now =
      kStart + static_cast<TimestampMicros>(frac * static_cast<double>(kEnd - kStart));

  Conversation c;
  const bool gpt4 = user.gpt4_user ? r.Chance(0.9) : r.Chance(1.0 / 30);
  c.model = ModelAt(now, gpt4);

  int turns = static_cast<int>(r.Chance(0.8) ? r.Geometric(0.66) : r.Geometric(0.155));
  turns = std::min(turns, kMaxTurns);
  c.turn = turns;

  // Planted items go into one user turn each.
  const PlantRates& p = options_.plant;
  std::vector<std::pair<int, std::string>> plants;
  auto plant = [&](double rate, std::string (*make)(Rng&)) {
    if (r.Chance(rate)) plants.emplace_back(static_cast<int>(r.Below(turns)), make(r));
  };
  plant(p.email, PlantEmail);
  plant(p.phone, PlantPhone);
  plant(p.credit_card, PlantCreditCard);
  plant(p.ipv4, PlantIpv4);
  plant(p.api_key, PlantApiKey);
  plant(p.person_name, PlantPersonName);
  const size_t toxic_index = plants.size();
  plant(p.toxic_phrase, PlantToxicPhrase);
  const bool has_toxic_plant = plants.size() > toxic_index;
  const size_t redaction_index = plants.size();
  plant(p.redaction, PlantRedaction);
  const bool has_redaction = plants.size() > redaction_index;
  const int toxic_turn = has_toxic_plant ? plants[toxic_index].first : -1;
  const int redaction_turn = has_redaction ? plants[redaction_index].first : -1;

  const auto& langs = Languages();
  const int64_t id_base = kTurnIdBase + static_cast<int64_t>(i) * 256;
  c.conversation.reserve(2 * turns);
  c.openai_moderation.reserve(2 * turns);
  c.detoxify_moderation.reserve(2 * turns);
  for (int turn = 0; turn < turns; ++turn) {
    size_t lang = user.language;
    if (lang != 0 && r.Chance(0.05)) lang = 0;  // code-switching into English
    Utterance u;
    u.role = "user";
    u.turn_identifier = id_base + turn;
    u.country = user.country;
    u.state = user.state;
    u.hashed_ip = user.hashed_ip;
    u.header = user.header;
    bool has_plant = false;
    for (const auto& pl : plants) has_plant |= pl.first == turn;
    const bool empty = !has_plant && r.Chance(0.004);
    PromptShape shape;
    if (!empty) {
      const int words = static_cast<int>(std::clamp(r.LogNormal(std::log(35.0), 1.2), 1.0, 2500.0));
      t.composer.UserPrompt(lang, r, words, &shape, &u.content);
      for (const auto& pl : plants) {
        if (pl.first != turn) continue;
        u.content += langs[lang].spaces ? " " : "";
        u.content += pl.second;
      }
    }
    u.language = empty ? "Nolang" : std::string(langs[lang].name);
    u.redacted = ToTriBool(turn == redaction_turn);

    Utterance a;
    a.role = "assistant";
    a.turn_identifier = u.turn_identifier;
    const int reply_words =
        static_cast<int>(std::clamp(r.LogNormal(std::log(140.0), 0.7), 3.0, 1500.0));
    t.composer.AssistantReply(lang, r, reply_words, shape, &a.content);
    a.language = std::string(langs[lang].name);
    a.redacted = TriBool::kFalse;
    // The reply is logged when it finishes streaming: ~20 words a second.
    now += static_cast<TimestampMicros>((1.0 + reply_words / 20.0 + r.Uniform() * 5) * 1e6);
    a.timestamp = now;

    // Moderation, and the toxic rule applied to what was generated.
    for (Utterance* ut : {&u, &a}) {
      OpenAiModeration m;
      DetoxifyModeration d;
      if (!ut->content.empty()) {
        int level = 0;
        const bool is_user = ut == &u;
        if (is_user && turn == toxic_turn) {
          level = 3;
        } else if (r.Chance(is_user ? 0.02 : 0.004)) {
          level = 2;
        } else if (r.Chance(is_user ? 0.01 : 0.003)) {
          level = 1;
        }
        Moderate(r, level, &m, &d);
      }
      ut->toxic = ToTriBool(!ut->content.empty() &&
                            (IsTrue(m.flagged) || d.scores[kDetoxifyToxicity] > 0.1));
      c.openai_moderation.push_back(m);
      c.detoxify_moderation.push_back(d);
    }
    c.conversation.push_back(std::move(u));
    c.conversation.push_back(std::move(a));
    // The person reads and types the next message.
    now += static_cast<TimestampMicros>(r.LogNormal(std::log(60.0), 1.0) * 1e6);
  }

  c.timestamp = c.conversation.back().timestamp;
  bool toxic = false, redacted = false;
  std::vector<std::optional<std::string>> utterance_languages, countries, states, ips;
  std::vector<std::optional<Header>> headers;
  for (const auto& u : c.conversation) {
    toxic |= IsTrue(u.toxic);
    redacted |= IsTrue(u.redacted);
    utterance_languages.push_back(u.language);
    if (u.role == "user") {
      countries.push_back(u.country);
      states.push_back(u.state);
      ips.push_back(u.hashed_ip);
      headers.push_back(u.header);
    }
  }
  c.toxic = ToTriBool(toxic);
  c.redacted = ToTriBool(redacted);
  c.language = MostFrequent(utterance_languages);
  c.country = MostFrequent(countries);
  c.state = MostFrequent(states);
  c.hashed_ip = MostFrequent(ips);
  c.header = MostFrequent(headers);
  c.conversation_hash = ConversationHash(c);
  return c;
}

}  // namespace wildchat
