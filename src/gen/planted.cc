#include "gen/planted.h"

#include <vector>

namespace wildchat {

namespace {

const std::vector<std::string_view> kFirstNames = {
    "James",  "Maria", "Wei",  "Olga",  "Ahmed", "Sofia",    "Carlos", "Yuki", "Anna",  "David",
    "Fatima", "Ivan",  "Emma", "Lucas", "Priya", "Mohammed", "Elena",  "Jin",  "Sarah", "Pierre"};
const std::vector<std::string_view> kLastNames = {
    "Smith",  "Garcia",   "Wang",   "Ivanova", "Hassan", "Rossi",  "Silva",
    "Tanaka", "Müller",   "Kim",    "Johnson", "Petrov", "Martin", "Nguyen",
    "Sharma", "Kowalski", "Dubois", "Chen",    "Brown",  "Lopez"};

std::string Digits(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + r.Below(10)));
  return s;
}

std::string Alnum(Rng& r, int n, std::string_view alphabet) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(alphabet[r.Below(alphabet.size())]);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

bool LuhnValid(std::string_view s) {
  int sum = 0, n = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] < '0' || s[i] > '9') continue;
    int d = s[i] - '0';
    if (n++ % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return n > 0 && sum % 10 == 0;
}

std::string PlantEmail(Rng& r) {
  static const std::vector<std::string_view> kDomains = {
      "gmail.com",   "qq.com",  "yandex.ru", "outlook.com", "163.com",
      "hotmail.com", "mail.ru", "yahoo.com", "proton.me",   "example.org"};
  std::string first = Lower(r.Pick(kFirstNames)), last = Lower(r.Pick(kLastNames));
  if (last == "müller") last = "mueller";
  std::string addr = first + (r.Chance(0.5) ? "." : "_") + last + std::to_string(r.Between(1, 99)) +
                     "@" + std::string(r.Pick(kDomains));
  static const std::vector<std::string_view> kLead = {"My email is ", "Contact me at ",
                                                      "Send the result to ", "email: "};
  return std::string(r.Pick(kLead)) + addr + ".";
}

std::string PlantPhone(Rng& r) {
  std::string phone;
  switch (r.Below(4)) {
    case 0:
      phone = "+1 (" + Digits(r, 3) + ") 555-" + Digits(r, 4);
      break;
    case 1:
      phone = "+7 9" + Digits(r, 2) + " " + Digits(r, 3) + "-" + Digits(r, 2) + "-" + Digits(r, 2);
      break;
    case 2:
      phone = "+86 13" + Digits(r, 1) + " " + Digits(r, 4) + " " + Digits(r, 4);
      break;
    default:
      phone = "+44 7" + Digits(r, 3) + " " + Digits(r, 6);
      break;
  }
  static const std::vector<std::string_view> kLead = {"My phone number is ", "Call me at ",
                                                      "phone: ", "You can reach me on "};
  return std::string(r.Pick(kLead)) + phone + ".";
}

std::string PlantCreditCard(Rng& r) {
  std::string digits(1, r.Chance(0.6) ? '4' : '5');
  if (digits[0] == '5') digits.push_back(static_cast<char>('0' + r.Between(1, 5)));
  digits += Digits(r, 15 - static_cast<int>(digits.size()));
  // Check digit: the one that makes the Luhn sum a multiple of 10.
  for (char c = '0'; c <= '9'; ++c) {
    if (LuhnValid(digits + c)) {
      digits.push_back(c);
      break;
    }
  }
  const char sep = r.Chance(0.5) ? ' ' : '-';
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && i % 4 == 0) grouped.push_back(sep);
    grouped.push_back(digits[i]);
  }
  return "My card number is " + grouped + ", expiry 0" + std::to_string(r.Between(1, 9)) + "/2" +
         std::to_string(r.Between(5, 9)) + ".";
}

std::string PlantIpv4(Rng& r) {
  std::string ip = std::to_string(r.Between(11, 223)) + "." + std::to_string(r.Between(0, 255)) +
                   "." + std::to_string(r.Between(0, 255)) + "." +
                   std::to_string(r.Between(1, 254));
  static const std::vector<std::string_view> kLead = {"My server is at ", "The IP address is ",
                                                      "ssh root@", "connect to "};
  return std::string(r.Pick(kLead)) + ip + " .";
}

std::string PlantApiKey(Rng& r) {
  static constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  switch (r.Below(3)) {
    case 0:
      return "openai.api_key = \"sk-" + Alnum(r, 48, kAlnum) + "\"";
    case 1:
      return "AWS_ACCESS_KEY_ID=AKIA" + Alnum(r, 16, kUpper) +
             " AWS_SECRET_ACCESS_KEY=" + Alnum(r, 40, kAlnum);
    default:
      return "my github token is ghp_" + Alnum(r, 36, kAlnum);
  }
}

std::string PlantPersonName(Rng& r) {
  return "My name is " + std::string(r.Pick(kFirstNames)) + " " + std::string(r.Pick(kLastNames)) +
         ".";
}

std::string PlantToxicPhrase(Rng& r) {
  static const std::vector<std::string_view> kPhrases = {
      "You are a stupid useless idiot.", "Shut up, you worthless piece of garbage.",
      "I hate you, you pathetic moron.", "What a dumb braindead answer, you fool.",
      "Go to hell, you disgusting loser."};
  return std::string(r.Pick(kPhrases));
}

std::string PlantRedaction(Rng& r) {
  static const std::vector<std::string_view> kEntities = {"EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON",
                                                          "CREDIT_CARD", "URL"};
  return "Please contact <PRESIDIO_ANONYMIZED_" + std::string(r.Pick(kEntities)) + "> tomorrow.";
}

}  // namespace wildchat
