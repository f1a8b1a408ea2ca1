// PiiDetector: Presidio-compatible detection of personal data in one text.
// Entities (Presidio names): EMAIL_ADDRESS, PHONE_NUMBER (international and
// national formats; weak formats need a context word such as "phone"),
// CREDIT_CARD (Luhn + issuer prefix), IBAN_CODE (mod-97), IP_ADDRESS (v4/v6),
// URL (scheme or www.), US_SSN, CRYPTO (BTC Base58Check/Bech32, ETH 0x...) and
// PERSON (only after a cue: "my name is", "меня зовут", "我叫", a signature
// after "Regards," ...).
//
// Candidates come from a PatternSet and are confirmed by checksums and
// context. Placeholders (example.com e-mails and URLs, localhost, 123-456-7890)
// are never reported. Find() returns spans in bounds of the text, possibly
// overlapping; the caller resolves overlaps. Thread-safe after Create().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "curate/scan/pattern_set.h"
#include "curate/scan/redaction.h"

namespace wildchat::curate {

inline constexpr std::string_view kPiiEntities[] = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD",
                                                    "IBAN_CODE",     "IP_ADDRESS",   "URL",
                                                    "US_SSN",        "CRYPTO",       "PERSON"};

class PiiDetector {
 public:
  static Status Create(std::unique_ptr<PiiDetector>* out);

  // Every PII finding in text; label is the entity name.
  std::vector<Finding> Find(std::string_view text) const;

 private:
  PiiDetector() = default;
  std::unique_ptr<PatternSet> patterns_;
};

}  // namespace wildchat::curate
