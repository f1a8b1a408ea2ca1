// Planted content: the sentences the generator inserts at known rates so PII
// redaction, secret scanning and toxicity features can be measured (rates in
// gen/corpus_generator.h PlantRates, documented in docs/gen.md). Each function
// returns one sentence containing one item; pure functions of the Rng.
#pragma once

#include <string>
#include <string_view>

#include "gen/random.h"

namespace wildchat {

std::string PlantEmail(Rng& r);
std::string PlantPhone(Rng& r);
std::string PlantCreditCard(Rng& r);  // 16 digits grouped by 4, valid Luhn
std::string PlantIpv4(Rng& r);
std::string PlantApiKey(Rng& r);      // sk-..., AKIA..., or ghp_...
std::string PlantPersonName(Rng& r);  // "My name is First Last."
std::string PlantToxicPhrase(Rng& r);
std::string PlantRedaction(Rng& r);  // a <PRESIDIO_ANONYMIZED_...> placeholder sentence

// True when the digits of s (other characters ignored) pass the Luhn check.
bool LuhnValid(std::string_view s);

}  // namespace wildchat
