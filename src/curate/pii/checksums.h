// Checksums and format checks that turn regex candidates into PII findings:
// Luhn (payment cards), ISO 13616 mod-97 (IBAN), Base58Check and Bech32
// (Bitcoin addresses), US SSN issuance rules, IPv4/IPv6 literals. Pure
// functions over ASCII; any other byte makes a check fail. Thread-safe.
#pragma once

#include <string_view>

namespace wildchat::curate {

// Digits only (separators already removed); 13..19 digits, Luhn sum % 10 == 0.
bool LuhnValid(std::string_view digits);
// Spaces allowed; country code, length for the country when known, mod 97 == 1.
bool IbanValid(std::string_view iban);
// Legacy (1...) and P2SH (3...) Bitcoin addresses: Base58Check, version 0x00 or 0x05.
bool BitcoinBase58Valid(std::string_view address);
// Segwit (bc1...) addresses: Bech32 or Bech32m checksum.
bool BitcoinBech32Valid(std::string_view address);
// ddd-dd-dddd with the SSA's never-issued ranges and advertised numbers rejected.
bool SsnValid(std::string_view ssn);
bool Ipv4Valid(std::string_view s);
bool Ipv6Valid(std::string_view s);

}  // namespace wildchat::curate
