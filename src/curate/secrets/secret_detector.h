// SecretDetector: credentials in text, named as TruffleHog detectors are:
// OPENAI (sk-...), AWS (access key ids AKIA/ASIA..., secret access keys after
// aws_secret_access_key), GITHUB (ghp_/gho_/ghu_/ghs_/ghr_, github_pat_),
// SLACK (xox?- tokens), GOOGLE_API_KEY (AIza...), PRIVATE_KEY (PEM blocks),
// JWT (three base64url parts, header and payload starting "eyJ") and PASSWORD
// (generic password= / api_key= / secret= / token= assignments with a literal
// value). Documentation placeholders (AKIAIOSFODNN7EXAMPLE, sk-xxxx...,
// "your_api_key", ${VAR}, os.environ[...]) are not reported.
//
// All detectors share one PatternSet, so adding one costs a pattern, not a
// pass. Find() returns in-bounds spans, possibly overlapping. Thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "curate/scan/pattern_set.h"
#include "curate/scan/redaction.h"

namespace wildchat::curate {

inline constexpr std::string_view kSecretDetectors[] = {
    "OPENAI", "AWS", "GITHUB", "SLACK", "GOOGLE_API_KEY", "PRIVATE_KEY", "JWT", "PASSWORD"};

class SecretDetector {
 public:
  static Status Create(std::unique_ptr<SecretDetector>* out);
  std::vector<Finding> Find(std::string_view text) const;

 private:
  SecretDetector() = default;
  std::unique_ptr<PatternSet> patterns_;
};

}  // namespace wildchat::curate
