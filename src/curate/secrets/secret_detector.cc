#include "curate/secrets/secret_detector.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace wildchat::curate {
namespace {

std::vector<Pattern> SecretPatterns() {
  return {
      {"OPENAI", R"(\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}))",
       R"(sk-[A-Za-z0-9_-]{20})"},
      {"AWS", R"(\b((?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[0-9A-Z]{16})\b)",
       R"(A[KSBCIR][A-Z]A[0-9A-Z]{16})"},
      {"AWS", R"((?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b)",
       R"((?i)aws_?secret_?access_?key)"},
      {"GITHUB", R"(\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,90})\b)",
       R"((?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_))"},
      {"SLACK", R"(\b(xox[abposr]-[A-Za-z0-9-]{10,}))", R"(xox[abposr]-[A-Za-z0-9-]{10})"},
      {"GOOGLE_API_KEY", R"(\b(AIza[0-9A-Za-z_-]{35}))", R"(AIza[0-9A-Za-z_-]{35})"},
      {"PRIVATE_KEY",
       R"((-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----|$)))",
       R"(-----BEGIN [A-Z ]*PRIVATE KEY)"},
      {"JWT", R"(\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}))",
       R"(eyJ[A-Za-z0-9_-]{8,}\.eyJ)"},
      {"PASSWORD",
       R"((?i)(?:^|[^A-Za-z0-9])(?:password|passwd|pwd|pass|api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|)"
       R"(access[_-]?token|auth[_-]?token|secret|token)["']?\s*(?::=|=>|[:=])\s*(?:["']([^"'\s]{6,200})["']|([^\s"'<>,;(){}\[\]]{8,200})))",
       R"((?i)(?:pass|pwd|key|secret|token)[a-z_-]*["']?\s*[:=])"},
  };
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool LooksLikePlaceholder(std::string_view v) {
  const std::string l = Lower(v);
  static constexpr std::string_view kMarks[] = {
      "xxxx",     "your",   "example",     "placeholder", "<",       ">",
      "...",      "***",    "${",          "{{",          "%s",      "here",
      "changeme", "dummy",  "sample",      "insert",      "replace", "redacted",
      "environ",  "getenv", "process.env", "os.",         "config",  "settings"};
  for (auto m : kMarks)
    if (l.find(m) != std::string::npos) return true;
  // A run of one repeated character (sk-aaaaaaaa...) is a placeholder.
  size_t longest = 1, run = 1;
  for (size_t i = 1; i < v.size(); ++i) {
    run = v[i] == v[i - 1] ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  return longest >= 8;
}

// Generic assignments: the value must look like a literal secret, not code.
bool PasswordValueOk(std::string_view text, size_t b, size_t e) {
  const std::string_view v = text.substr(b, e - b);
  if (LooksLikePlaceholder(v)) return false;
  const bool quoted = b > 0 && (text[b - 1] == '"' || text[b - 1] == '\'');
  const std::string l = Lower(v);
  static constexpr std::string_view kCode[] = {
      "null",     "none",     "true",  "false",   "string",      "str",   "undefined",
      "password", "required", "input", "request", "self.",       "this.", "args.",
      "params",   "form",     "text",  "hidden",  "new_password"};
  for (auto c : kCode)
    if (l == c || (!quoted && l.rfind(c, 0) == 0)) return false;
  const bool digit = std::any_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!quoted) return digit && v.find('.') == std::string_view::npos;
  return true;
}

}  // namespace

Status SecretDetector::Create(std::unique_ptr<SecretDetector>* out) {
  std::unique_ptr<SecretDetector> d(new SecretDetector());
  WILDCHAT_RETURN_IF_ERROR(PatternSet::Compile(SecretPatterns(), &d->patterns_));
  *out = std::move(d);
  return Status::OK();
}

std::vector<Finding> SecretDetector::Find(std::string_view text) const {
  std::vector<Finding> found;
  const auto& pats = patterns_->patterns();
  patterns_->Scan(text, [&](int i, size_t b, size_t e) {
    if (b >= e || e > text.size()) return;
    const std::string& name = pats[i].name;
    const std::string_view v = text.substr(b, e - b);
    bool ok;
    if (name == "PASSWORD") {
      ok = PasswordValueOk(text, b, e);
    } else if (name == "PRIVATE_KEY" || name == "JWT") {
      ok = true;
    } else if (name == "OPENAI") {
      // Real keys mix letters and digits; "sk-learn-..." style words do not.
      const bool digit =
          std::any_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
      ok = digit && !LooksLikePlaceholder(v);
    } else {
      ok = !LooksLikePlaceholder(v);
    }
    if (ok) found.push_back({b, e, name});
  });
  return found;
}

}  // namespace wildchat::curate
