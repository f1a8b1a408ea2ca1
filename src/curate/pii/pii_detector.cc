#include "curate/pii/pii_detector.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "curate/pii/checksums.h"

namespace wildchat::curate {
namespace {

// Pattern order; validators below are indexed by it.
enum Kind { kEmail, kPhone, kCard, kIban, kIpv4, kIpv6, kUrl, kSsn, kCrypto, kPerson, kKindCount };

constexpr std::string_view kEntityOf[kKindCount] = {
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS",
    "IP_ADDRESS",    "URL",          "US_SSN",      "CRYPTO",    "PERSON"};

// Name-shaped words: capitalised Latin or Cyrillic words.
#define NAME_WORD R"((?:\p{Lu}[\p{Ll}'’]+))"
#define NAME NAME_WORD R"((?:[ -])" NAME_WORD R"(){0,2})"

std::vector<Pattern> PiiPatterns() {
  std::vector<Pattern> p(kKindCount);
  p[kEmail] = {"EMAIL_ADDRESS",
               R"(([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)"
               R"((?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})\b)",
               R"([A-Za-z0-9]@[A-Za-z0-9])"};
  p[kPhone] = {
      "PHONE_NUMBER",
      R"((?:^|[^0-9A-Za-z_.+/-])((?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?)"
      R"(\d{1,4}(?:[ .-]\d{2,6}){1,5}|\+\d{8,15}|\(\d{1,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|\d{10,11}))"
      R"((?:$|[^0-9A-Za-z_/-]))",
      R"(\d[ .)-]?\d\d)"};
  p[kCard] = {"CREDIT_CARD", R"((?:^|[^0-9A-Za-z_.-])(\d(?:[ -]?\d){12,18})(?:$|[^0-9A-Za-z_-]))",
              R"(\d(?:[ -]?\d){12})"};
  p[kIban] = {"IBAN_CODE", R"(\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b)",
              R"([A-Z]{2}\d{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4})"};
  p[kIpv4] = {"IP_ADDRESS", R"(\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b)",
              R"(\d\.\d{1,3}\.\d{1,3}\.\d)"};
  p[kIpv6] = {
      "IP_ADDRESS",
      R"((?i)((?:[0-9a-f]{1,4}:|::)(?:[0-9a-f]{0,4}:){1,6}[0-9a-f]{0,4}(?:\.\d{1,3}){0,3}))",
      R"((?i)[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f]{0,4})"};
  p[kUrl] = {"URL", R"((?i)\b((?:https?|ftp)://[^\s<>"'`]+|www\.[^\s<>"'`]+))",
             R"((?i)(?:https?://|ftp://|www\.))"};
  p[kSsn] = {"US_SSN", R"(\b(\d{3}-\d{2}-\d{4})\b)", R"(\d{3}-\d{2}-\d{4})"};
  p[kCrypto] = {
      "CRYPTO",
      R"(\b(bc1[a-zA-HJ-NP-Z0-9]{11,71}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40})\b)",
      R"((?:bc1|\b[13]|0x)[0-9A-Za-z]{24})"};
  p[kPerson] = {
      "PERSON",
      R"((?:(?i:\bmy name is|\bmy name's|\bi am called|\bi'm called|\bje m'appelle|\bje m’appelle|)"
      R"(\bme llamo|\bmi nombre es|\bich heiße|\bich heisse|\bmein name ist|\bmi chiamo|)"
      R"(\bmeu nome é|\bme chamo|\bnazywam się|меня зовут|мене звати|\bmijn naam is)\s+()" NAME
      R"()(?:[^\p{L}\d]|$)|(?:我叫|我的名字是|我的名字叫|我名叫)\s*(\p{Han}{2,3})|)"
      R"((?i:\b(?:best regards|kind regards|warm regards|regards|sincerely|yours truly|)"
      R"(best wishes|cheers|respectfully|с уважением)),?[ \t]*\r?\n[ \t]*()" NAME
      R"()[ \t]*(?:\r?\n|$)))",
      R"((?i)(?:my name|i am called|i'm called|m'appelle|m’appelle|me llamo|mi nombre|ich hei|)"
      R"(mein name|mi chiamo|meu nome|me chamo|nazywam|еня зовут|ене звати|mijn naam|我叫|我的名字|)"
      R"(我名叫|regards|sincerely|yours truly|best wishes|cheers|respectfully| уважением))"};
  return p;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWithDomain(std::string_view host, std::string_view domain) {
  if (host.size() < domain.size()) return false;
  if (host.substr(host.size() - domain.size()) != domain) return false;
  return host.size() == domain.size() || host[host.size() - domain.size() - 1] == '.';
}

bool PlaceholderHost(std::string_view host) {
  static constexpr std::string_view kHosts[] = {
      "example.com",  "example.org", "example.net",     "example.edu",    "example",
      "test.com",     "domain.com",  "email.com",       "yourdomain.com", "your-domain.com",
      "mydomain.com", "company.com", "yourcompany.com", "localhost",      "invalid",
      "test",         "local",       "xxx.com",         "foo.com",        "bar.com"};
  for (auto d : kHosts)
    if (EndsWithDomain(host, d)) return true;
  return false;
}

// A context word shortly before pos makes a weak phone format likely.
bool PhoneContextBefore(std::string_view text, size_t pos) {
  const size_t from = pos > 48 ? pos - 48 : 0;
  const std::string window = Lower(text.substr(from, pos - from));
  static constexpr std::string_view kCues[] = {
      "phone",     "tel",     "call",   "mobile",  "cell",  "whatsapp", "contact",  "fax",
      "sms",       "text me", "номер",  "телефон", "电话",  "手机",     "teléfono", "telefone",
      "téléphone", "telefon", "numéro", "número",  "handy", "nummer",   "wechat"};
  for (auto c : kCues)
    if (window.find(c) != std::string::npos) return true;
  return false;
}

std::vector<int> DigitGroups(std::string_view s) {
  std::vector<int> groups;
  int run = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      ++run;
    } else if (run > 0) {
      groups.push_back(run), run = 0;
    }
  }
  if (run > 0) groups.push_back(run);
  return groups;
}

bool PhoneValid(std::string_view text, size_t b, size_t e) {
  const std::string_view s = text.substr(b, e - b);
  std::string digits;
  bool dot = false, dash = false, space = false;
  for (char c : s) {
    if (IsDigit(c)) digits.push_back(c);
    dot |= c == '.', dash |= c == '-', space |= c == ' ';
  }
  const size_t n = digits.size();
  if (n < 7 || n > 15) return false;
  if (digits.find_first_not_of(digits[0]) == std::string::npos) return false;  // 000-000-0000
  if (digits == "1234567890" || digits == "0123456789" || digits == "5555555555" ||
      digits == "15555555555")
    return false;  // placeholders
  if (static_cast<int>(dot) + dash + space > 1 && s[0] != '+' && s[0] != '(') return false;
  const std::vector<int> g = DigitGroups(s);
  const bool context = PhoneContextBefore(text, b);
  if (s[0] == '+') return n >= 8;
  if (s[0] == '(') return n >= 10 && n <= 11;
  // Dates and times written with separators are not phone numbers.
  if (g.size() == 3 &&
      ((g[0] == 4 && g[1] == 2 && g[2] == 2) || (g[0] == 2 && g[1] == 2 && g[2] == 4) ||
       (g[0] == 2 && g[1] == 2 && g[2] == 2)))
    return false;
  if (dot && !(g.size() == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4)) return false;
  if (g.size() == 1) return context && (n == 10 || n == 11);
  // NANP 3-3-4 (optionally 1-3-3-4), Chinese mobile 3-4-4: strong formats.
  if (g.size() == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4) return true;
  if (g.size() == 4 && g[0] == 1 && g[1] == 3 && g[2] == 3 && g[3] == 4) return true;
  if (g.size() == 3 && g[0] == 3 && g[1] == 4 && g[2] == 4 && digits[0] == '1') return true;
  return context && n >= 9 && n <= 12;
}

bool CardValid(std::string_view text, size_t b, size_t e) {
  // Digits right after "XX99 " belong to an account number (IBAN), not a card.
  auto upper = [&](size_t i) { return text[i] >= 'A' && text[i] <= 'Z'; };
  if (b >= 5 && (text[b - 1] == ' ' || text[b - 1] == '-') && IsDigit(text[b - 2]) &&
      IsDigit(text[b - 3]) && upper(b - 4) && upper(b - 5))
    return false;
  const std::string_view s = text.substr(b, e - b);
  std::string digits;
  char sep = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      digits.push_back(c);
    } else {
      if (sep != 0 && c != sep) return false;
      sep = c;
    }
  }
  if (!LuhnValid(digits)) return false;
  if (digits.find_first_not_of(digits[0]) == std::string::npos) return false;
  if (sep != 0) {
    const std::vector<int> g = DigitGroups(s);
    const bool fours = std::all_of(g.begin(), g.end() - 1, [](int x) { return x == 4; }) &&
                       g.back() >= 1 && g.back() <= 4;
    const bool amex = g.size() == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4);
    if (!fours && !amex) return false;
  }
  const int p2 = (digits[0] - '0') * 10 + (digits[1] - '0');
  const int p4 = p2 * 100 + (digits[2] - '0') * 10 + (digits[3] - '0');
  return digits[0] == '4' || (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) || p2 == 34 ||
         p2 == 37 || p4 == 6011 || p2 == 65 || (p4 >= 6440 && p4 <= 6499) || p2 == 35 || p2 == 36 ||
         p2 == 38 || (p4 >= 3000 && p4 <= 3059) || p2 == 62;
}

bool PrecededByVersionWord(std::string_view text, size_t b) {
  const size_t from = b > 12 ? b - 12 : 0;
  const std::string w = Lower(text.substr(from, b - from));
  if (!w.empty() && (w.back() == 'v')) return true;
  return w.find("version") != std::string::npos || w.find("ver.") != std::string::npos;
}

bool Ipv4Finding(std::string_view text, size_t b, size_t e) {
  const std::string_view s = text.substr(b, e - b);
  if (!Ipv4Valid(s)) return false;
  if (b > 0 && (text[b - 1] == '.' || IsDigit(text[b - 1]))) return false;
  if (e + 1 < text.size() && text[e] == '.' && IsDigit(text[e + 1])) return false;
  if (s == "0.0.0.0" || s.substr(0, 4) == "127." || s.substr(0, 4) == "255.") return false;
  return !PrecededByVersionWord(text, b);
}

bool Ipv6Finding(std::string_view text, size_t b, size_t e) {
  const std::string_view s = text.substr(b, e - b);
  if (b > 0 && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == ':'))
    return false;
  if (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == ':'))
    return false;
  if (!Ipv6Valid(s)) return false;
  int groups = 0, with_digit = 0;
  bool in = false, digit = false;
  for (char c : s) {
    if (c == ':') {
      if (in) ++groups, with_digit += digit;
      in = false, digit = false;
    } else {
      in = true;
      digit |= IsDigit(c);
    }
  }
  if (in) ++groups, with_digit += digit;
  return groups >= 3 && with_digit >= 1;
}

// Trims trailing punctuation that ends a sentence rather than the URL.
size_t UrlEnd(std::string_view text, size_t b, size_t e) {
  while (e > b) {
    const char c = text[e - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '*') {
      --e;
    } else if (c == ')' || c == ']' || c == '}') {
      const char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      const std::string_view u = text.substr(b, e - b);
      if (std::count(u.begin(), u.end(), open) >= std::count(u.begin(), u.end(), c)) break;
      --e;
    } else {
      break;
    }
  }
  return e;
}

bool UrlFinding(std::string_view url) {
  std::string u = Lower(url);
  size_t host_begin = 0;
  const size_t scheme = u.find("://");
  if (scheme != std::string::npos) host_begin = scheme + 3;
  size_t host_end = u.find_first_of("/?#", host_begin);
  if (host_end == std::string::npos) host_end = u.size();
  std::string host = u.substr(host_begin, host_end - host_begin);
  const size_t at = host.rfind('@');
  if (at != std::string::npos) host = host.substr(at + 1);
  const size_t colon = host.find(':');
  if (colon != std::string::npos) host = host.substr(0, colon);
  if (host.find('.') == std::string::npos) return false;  // intranet names, localhost
  if (PlaceholderHost(host) || host == "127.0.0.1" || host == "0.0.0.0") return false;
  if (host.find("xxx") != std::string::npos || host.find("your") != std::string::npos) return false;
  return true;
}

bool NameFinding(std::string_view name) {
  static constexpr std::string_view kNotNames[] = {
      "The",  "A",     "An",   "Not",   "Your",   "Name",  "Assistant", "Chatgpt", "ChatGPT",
      "Gpt",  "GPT",   "AI",   "Bot",   "User",   "Team",  "Me",        "Is",      "My",
      "This", "That",  "Here", "What",  "Thanks", "Thank", "Regards",   "Best",    "Sincerely",
      "Sir",  "Madam", "Dear", "Hello", "Hi",     "And"};
  const size_t sp = name.find_first_of(" -");
  const std::string_view first = name.substr(0, sp);
  for (auto w : kNotNames)
    if (first == w) return false;
  return true;
}

bool EmailFinding(std::string_view email) {
  const std::string e = Lower(email);
  const size_t at = e.find('@');
  const std::string_view local = std::string_view(e).substr(0, at);
  const std::string_view host = std::string_view(e).substr(at + 1);
  if (PlaceholderHost(host)) return false;
  if (local == "user" || local == "username" || local == "your" || local == "youremail" ||
      local == "your.email" || local == "your_email" || local == "email" || local == "name" ||
      local == "someone" || local == "xxx" || local == "test")
    return false;
  // Versions and decorators such as "pkg@1.2.3" or "@media" never reach here
  // (TLD must be letters); image names like "icon@2x.png" do: reject file suffixes.
  static constexpr std::string_view kFileTlds[] = {".png",  ".jpg", ".jpeg", ".gif", ".svg",
                                                   ".webp", ".js",  ".css",  ".ts"};
  for (auto t : kFileTlds)
    if (host.size() >= t.size() && host.substr(host.size() - t.size()) == t) return false;
  return true;
}

}  // namespace

Status PiiDetector::Create(std::unique_ptr<PiiDetector>* out) {
  std::unique_ptr<PiiDetector> d(new PiiDetector());
  WILDCHAT_RETURN_IF_ERROR(PatternSet::Compile(PiiPatterns(), &d->patterns_));
  *out = std::move(d);
  return Status::OK();
}

std::vector<Finding> PiiDetector::Find(std::string_view text) const {
  std::vector<Finding> found;
  patterns_->Scan(text, [&](int kind, size_t b, size_t e) {
    if (b >= e || e > text.size()) return;
    const std::string_view s = text.substr(b, e - b);
    bool ok = false;
    switch (kind) {
      case kEmail:
        ok = EmailFinding(s);
        break;
      case kPhone:
        ok = PhoneValid(text, b, e);
        break;
      case kCard:
        ok = CardValid(text, b, e);
        break;
      case kIban:
        ok = IbanValid(s);
        break;
      case kIpv4:
        ok = Ipv4Finding(text, b, e);
        break;
      case kIpv6:
        ok = Ipv6Finding(text, b, e);
        break;
      case kUrl:
        e = UrlEnd(text, b, e);
        ok = e > b && UrlFinding(text.substr(b, e - b));
        break;
      case kSsn:
        ok = SsnValid(s) && !(b > 0 && text[b - 1] == '-') && !(e < text.size() && text[e] == '-');
        break;
      case kCrypto:
        if (s[0] == '0') {
          ok = s.find_first_not_of("0x") != std::string_view::npos;
        } else if (s[0] == 'b') {
          ok = BitcoinBech32Valid(s);
        } else {
          ok = BitcoinBase58Valid(s);
        }
        break;
      case kPerson:
        ok = NameFinding(s);
        break;
      default:
        break;
    }
    if (ok) found.push_back({b, e, std::string(kEntityOf[kind])});
  });
  return found;
}

}  // namespace wildchat::curate
