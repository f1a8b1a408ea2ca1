// Feeds arbitrary bytes to the PII and secret detectors, the language
// detector and the offline scorer: spans must stay in bounds, and redacting
// valid UTF-8 must keep it valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "curate/langid/language_detector.h"
#include "curate/moderation/lexicon_scorer.h"
#include "curate/pii/pii_detector.h"
#include "curate/secrets/secret_detector.h"
#include "io/utf8.h"

using namespace wildchat::curate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<PiiDetector> pii;
  static std::unique_ptr<SecretDetector> secrets;
  static std::unique_ptr<LexiconScorer> lexicon;
  if (!pii && (!PiiDetector::Create(&pii).ok() || !SecretDetector::Create(&secrets).ok() ||
               !LexiconScorer::Create(&lexicon).ok()))
    std::abort();
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<Finding> all = pii->Find(text);
  for (auto& f : secrets->Find(text)) all.push_back(f);
  for (const auto& f : all)
    if (f.begin >= f.end || f.end > text.size()) std::abort();
  const std::string out = ApplyRedactions(text, ResolveOverlaps(all), "<X_");
  if (wildchat::FindInvalidUtf8(text) == std::string::npos &&
      wildchat::FindInvalidUtf8(out) != std::string::npos)
    std::abort();
  (void)DetectLanguage(text);
  (void)lexicon->Score(text);
  return 0;
}
