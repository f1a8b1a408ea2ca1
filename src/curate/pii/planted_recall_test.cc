// Recall on the synthetic corpus generator's planted items (gen/planted.h):
// every planted e-mail, phone, card, IPv4, API key and "my name is" sentence
// must be found by the detector for its entity, except e-mails at
// example.com/.org/.net, which are documentation placeholders and kept.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "curate/pii/pii_detector.h"
#include "curate/secrets/secret_detector.h"
#include "gen/planted.h"

namespace wildchat::curate {
namespace {

TEST(PlantedRecallTest, GeneratorPlantsAreFound) {
  std::unique_ptr<PiiDetector> pii;
  std::unique_ptr<SecretDetector> secrets;
  ASSERT_TRUE(PiiDetector::Create(&pii).ok());
  ASSERT_TRUE(SecretDetector::Create(&secrets).ok());
  struct Kind {
    const char* name;
    std::function<std::string(Rng&)> plant;
    bool secret;
    const char* label;  // nullptr: any secret detector
  };
  const Kind kinds[] = {
      {"email", PlantEmail, false, "EMAIL_ADDRESS"},   {"phone", PlantPhone, false, "PHONE_NUMBER"},
      {"card", PlantCreditCard, false, "CREDIT_CARD"}, {"ipv4", PlantIpv4, false, "IP_ADDRESS"},
      {"person", PlantPersonName, false, "PERSON"},    {"api key", PlantApiKey, true, nullptr}};
  for (const Kind& k : kinds) {
    Rng rng(99);
    int found = 0, n = 0, placeholders = 0;
    for (int i = 0; i < 400; ++i) {
      const std::string text = "Some context first. " + k.plant(rng) + " Thanks!";
      const auto findings = k.secret ? secrets->Find(text) : pii->Find(text);
      bool hit = false;
      for (const auto& f : findings) hit |= k.label == nullptr || f.label == k.label;
      if (text.find("@example.") != std::string::npos) {
        ++placeholders;
        EXPECT_FALSE(hit) << "placeholder redacted: " << text;
        continue;
      }
      ++n;
      found += hit;
      if (!hit && n - found < 3) ADD_FAILURE() << k.name << " missed in: " << text;
    }
    std::printf("planted %-8s recall %d/%d (%d placeholders kept)\n", k.name, found, n,
                placeholders);
    EXPECT_GE(found, n * 95 / 100) << k.name;
  }
}

}  // namespace
}  // namespace wildchat::curate
