#include "curate/moderation/lexicon_scorer.h"

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace wildchat::curate {
namespace {

// Lexicon groups. Latin-script terms are matched as whole words; CJK and
// Cyrillic stems as substrings.
enum Group { kInsult, kObscene, kThreat, kIdentity, kSexual, kSelfHarm, kMinors, kGroupCount };

struct Entry {
  Group group;
  double weight;
  const char* regex;
};

const Entry kLexicon[] = {
    {kInsult, 1.2,
     R"(\b(?:idiot|idiots|stupid|moron|morons|dumbass|loser|imbecile|retard|retarded|worthless|pathetic|)"
     R"(scumbag|jerk|clown|idiota|estúpido|estupido|imbécil|pendejo|connard|connasse|crétin|abruti|)"
     R"(débile|arschloch|idiot|vollidiot|trottel|otário|idiota|burro)\b|傻逼|傻b|白痴|蠢货|笨蛋|废物|脑残|)"
     R"(идиот|дебил|придурок|тупой|тупая|урод|кретин)"},
    {kObscene, 1.5,
     R"(\b(?:fuck|fucking|fucked|fucker|motherfucker|shit|shitty|bullshit|bitch|bitches|asshole|)"
     R"(bastard|cunt|dick|dickhead|piss|pissed|crap|mierda|puta|puto|joder|cabrón|cabron|merde|putain|)"
     R"(salope|scheiße|scheisse|fick|ficken|hure|porra|caralho|merda|foda)\b|操你|他妈的|妈的|卧槽|)"
     R"(сука|блять|блядь|бля|хуй|пизд|ебат|ёбан|еба|говно)"},
    {kThreat, 1.8,
     R"(\b(?:i will kill you|i'll kill you|kill you|gonna kill|going to kill|i will hurt you|)"
     R"(i'll hurt you|beat you up|shoot you|stab you|you will die|you're dead|te voy a matar|)"
     R"(je vais te tuer|ich bringe dich um|vou te matar)\b|杀了你|弄死你|我要杀|убью тебя|я тебя убью)"},
    {kIdentity, 1.5,
     R"(\b(?:nigger|niggers|nigga|faggot|faggots|fag|kike|spic|chink|tranny|wetback|raghead|)"
     R"(sand nigger|subhuman|maricón|maricon|sudaca|schwuchtel|bougnoule)\b|黑鬼|支那|)"
     R"(хохол|жид|черножоп|пидор)"},
    {kSexual, 1.3,
     R"(\b(?:sex|sexual|porn|porno|pornography|nude|naked|nsfw|erotic|orgasm|blowjob|handjob|)"
     R"(penis|vagina|boobs|tits|cum|cumming|horny|masturbat\w*|dildo|hentai|sexo|desnuda|sexe|)"
     R"(nackt|sexy)\b|色情|做爱|性交|裸体|阴茎|阴道|секс|порно|голая|голые|эрот)"},
    {kSelfHarm, 1.6,
     R"(\b(?:kill myself|killing myself|suicide|suicidal|self-harm|self harm|cut myself|)"
     R"(cutting myself|end my life|want to die|hang myself|suicidarme|me suicider|mich umbringen)\b|)"
     R"(自杀|不想活|割腕|покончить с собой|суицид|убить себя)"},
    {kMinors, 1.0,
     R"(\b(?:child|children|kid|kids|minor|minors|underage|preteen|teen|loli|lolita|schoolgirl|)"
     R"(12 year old|13 year old|14 year old|15 year old|niña|niño|enfant)\b|萝莉|未成年|)"
     R"(ребенок|ребёнок|школьниц|несовершеннолет)"},
};

double Squash(double w) {
  return w <= 0 ? 0.0 : 1.0 - std::exp(-w);
}

void SetCategory(OpenAiModeration* m, std::string_view name, double score) {
  const int i = ModerationCategoryIndex(name);
  if (i < 0) return;
  m->category_scores[i] = score;
  m->categories[i] = ToTriBool(score >= 0.5);
}

}  // namespace

Status LexiconScorer::Create(std::unique_ptr<LexiconScorer>* out) {
  std::unique_ptr<LexiconScorer> s(new LexiconScorer());
  std::vector<Pattern> pats;
  for (const Entry& e : kLexicon) {
    pats.push_back({"group" + std::to_string(static_cast<int>(e.group)), e.regex, "", true});
  }
  WILDCHAT_RETURN_IF_ERROR(PatternSet::Compile(std::move(pats), &s->patterns_));
  *out = std::move(s);
  return Status::OK();
}

LexiconScores LexiconScorer::Score(std::string_view text) const {
  LexiconScores out;
  if (text.empty()) return out;
  std::array<double, kGroupCount> w{};
  patterns_->Scan(text, [&](int i, size_t, size_t) { w[kLexicon[i].group] += kLexicon[i].weight; });
  // Longer texts dilute isolated hits a little, as classifiers do.
  const double dilution = 1.0 / (1.0 + std::log1p(static_cast<double>(text.size()) / 2000.0));
  for (double& x : w) x *= dilution;

  const double insult = Squash(w[kInsult] + 0.5 * w[kIdentity]);
  const double obscene = Squash(w[kObscene]);
  const double threat = Squash(w[kThreat]);
  const double identity = Squash(w[kIdentity]);
  const double sexual = Squash(w[kSexual] * 0.8);
  const double self_harm = Squash(w[kSelfHarm]);
  const double toxicity =
      Squash(w[kInsult] + w[kObscene] + w[kThreat] + w[kIdentity] + 0.3 * w[kSexual]);
  const double severe = Squash(0.5 * (w[kThreat] + w[kIdentity]) + 0.2 * w[kObscene]) * 0.5;
  auto& d = out.detoxify.scores;
  d = {identity, insult, obscene, severe, sexual, threat, toxicity};  // kDetoxifyFields order

  OpenAiModeration& m = out.openai;
  m.categories_null = false;
  m.scores_null = false;
  m.categories.fill(TriBool::kFalse);
  m.category_scores.fill(0.0);
  const double harassment = Squash(w[kInsult] + w[kThreat]);
  const double hate = identity;
  const double violence = threat;
  const double minors = w[kSexual] > 0 && w[kMinors] > 0 ? Squash(w[kSexual] + w[kMinors]) : 0.0;
  for (auto n : {"harassment"}) SetCategory(&m, n, harassment);
  for (auto n : {"harassment/threatening", "harassment_threatening"}) SetCategory(&m, n, threat);
  SetCategory(&m, "hate", hate);
  for (auto n : {"hate/threatening", "hate_threatening"})
    SetCategory(&m, n, std::min(hate, threat));
  for (auto n : {"self-harm", "self_harm"}) SetCategory(&m, n, self_harm);
  for (auto n : {"self-harm/intent", "self_harm_intent"}) SetCategory(&m, n, self_harm * 0.8);
  for (auto n : {"self-harm/instructions", "self_harm_instructions"}) SetCategory(&m, n, 0.0);
  SetCategory(&m, "sexual", sexual);
  for (auto n : {"sexual/minors", "sexual_minors"}) SetCategory(&m, n, minors);
  SetCategory(&m, "violence", violence);
  for (auto n : {"violence/graphic", "violence_graphic"}) SetCategory(&m, n, 0.0);
  bool flagged = false;
  for (TriBool t : m.categories) flagged |= IsTrue(t);
  m.flagged = ToTriBool(flagged);
  return out;
}

}  // namespace wildchat::curate
