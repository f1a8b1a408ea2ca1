#include "curate/pii/checksums.h"

#include <arpa/inet.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace wildchat::curate {

bool LuhnValid(std::string_view digits) {
  if (digits.size() < 13 || digits.size() > 19) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    const char c = digits[i];
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (dbl) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

namespace {
int IbanLength(std::string_view cc) {
  static const std::pair<const char*, int> kLengths[] = {
      {"AD", 24}, {"AE", 23}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
      {"BH", 22}, {"BR", 29}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
      {"DK", 18}, {"DO", 28}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
      {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"HR", 21}, {"HU", 28},
      {"IE", 22}, {"IL", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
      {"LB", 28}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
      {"ME", 22}, {"MK", 19}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
      {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
      {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TN", 24}, {"TR", 26}, {"UA", 29},
      {"VG", 24}, {"XK", 20}};
  for (const auto& [c, n] : kLengths)
    if (cc == c) return n;
  return 0;
}
}  // namespace

bool IbanValid(std::string_view iban) {
  std::string s;
  for (char c : iban) {
    if (c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
    s.push_back(c);
  }
  if (s.size() < 15 || s.size() > 34) return false;
  if (!(s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z')) return false;
  if (!(s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9')) return false;
  const int want = IbanLength(s.substr(0, 2));
  if (want != 0 && static_cast<int>(s.size()) != want) return false;
  const std::string rearranged = s.substr(4) + s.substr(0, 4);
  int rem = 0;
  for (char c : rearranged) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      const int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    }
  }
  return rem == 1;
}

bool BitcoinBase58Valid(std::string_view a) {
  static const char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  if (a.size() < 26 || a.size() > 35) return false;
  std::vector<uint8_t> bytes;  // big-endian base-256 number
  for (char c : a) {
    const char* p = nullptr;
    for (const char* q = kAlphabet; *q; ++q)
      if (*q == c) p = q;
    if (p == nullptr) return false;
    int carry = static_cast<int>(p - kAlphabet);
    for (size_t i = bytes.size(); i-- > 0;) {
      carry += 58 * bytes[i];
      bytes[i] = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.insert(bytes.begin(), static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  size_t zeros = 0;
  while (zeros < a.size() && a[zeros] == '1') ++zeros;
  std::vector<uint8_t> full(zeros, 0);
  full.insert(full.end(), bytes.begin(), bytes.end());
  if (full.size() != 25) return false;
  if (full[0] != 0x00 && full[0] != 0x05) return false;
  unsigned char h1[SHA256_DIGEST_LENGTH], h2[SHA256_DIGEST_LENGTH];
  SHA256(full.data(), 21, h1);
  SHA256(h1, sizeof(h1), h2);
  return h2[0] == full[21] && h2[1] == full[22] && h2[2] == full[23] && h2[3] == full[24];
}

bool BitcoinBech32Valid(std::string_view a) {
  static const char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  if (a.size() < 14 || a.size() > 74) return false;
  bool lower = false, upper = false;
  std::string s;
  for (char c : a) {
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true, c = static_cast<char>(c - 'A' + 'a');
    s.push_back(c);
  }
  if (lower && upper) return false;
  if (s.compare(0, 3, "bc1") != 0) return false;
  auto polymod = [](const std::vector<uint8_t>& v) {
    static const uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (uint8_t x : v) {
      const uint32_t top = chk >> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ x;
      for (int i = 0; i < 5; ++i)
        if ((top >> i) & 1) chk ^= kGen[i];
    }
    return chk;
  };
  std::vector<uint8_t> v = {3, 3, 0, 2, 3};  // hrp "bc" expanded
  for (size_t i = 3; i < s.size(); ++i) {
    const char* p = nullptr;
    for (const char* q = kCharset; *q; ++q)
      if (*q == s[i]) p = q;
    if (p == nullptr) return false;
    v.push_back(static_cast<uint8_t>(p - kCharset));
  }
  const uint32_t pm = polymod(v);
  return pm == 1 || pm == 0x2bc830a3;  // Bech32 / Bech32m
}

bool SsnValid(std::string_view s) {
  if (s.size() != 11 || s[3] != '-' || s[6] != '-') return false;
  std::string d;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 3 || i == 6) continue;
    if (s[i] < '0' || s[i] > '9') return false;
    d.push_back(s[i]);
  }
  const std::string_view area(d.data(), 3), group(d.data() + 3, 2), serial(d.data() + 5, 4);
  if (area == "000" || area == "666" || d[0] == '9') return false;
  if (group == "00" || serial == "0000") return false;
  if (d.find_first_not_of(d[0]) == std::string::npos) return false;            // 111-11-1111
  if (d == "123456789" || d == "078051120" || d == "219099999") return false;  // advertised
  return true;
}

bool Ipv4Valid(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    int v = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 3) v = v * 10 + (s[j++] - '0');
    if (j == i || v > 255) return false;
    if (j - i > 1 && s[i] == '0') return false;  // leading zero: not how addresses are written
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

bool Ipv6Valid(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  const std::string z(s);
  unsigned char buf[16];
  return inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

}  // namespace wildchat::curate
