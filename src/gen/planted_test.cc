#include "gen/planted.h"

#include <gtest/gtest.h>

// GCC 12 reports a false maybe-uninitialized inside <regex> under -O2 with ASan.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>

namespace wildchat {
namespace {

TEST(PlantedTest, LuhnKnownVectors) {
  // Published test card numbers (valid) and one-digit corruptions (invalid).
  EXPECT_TRUE(LuhnValid("4111 1111 1111 1111"));
  EXPECT_TRUE(LuhnValid("5500-0000-0000-0004"));
  EXPECT_TRUE(LuhnValid("378282246310005"));
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("4111 1111 1111 1112"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_FALSE(LuhnValid("no digits"));
}

TEST(PlantedTest, ItemsHaveTheirDocumentedShapes) {
  Rng r(3);
  const std::regex card(R"((\d{4}[ -]){3}\d{4})");
  const std::regex email(R"([a-z]+[._][a-z]+\d+@[a-z0-9]+\.[a-z.]+)");
  const std::regex ipv4(R"(\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)");
  const std::regex key(R"(sk-[A-Za-z0-9]{48}|AKIA[A-Z2-7]{16}|ghp_[A-Za-z0-9]{36})");
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    const std::string c = PlantCreditCard(r);
    ASSERT_TRUE(std::regex_search(c, m, card)) << c;
    EXPECT_TRUE(LuhnValid(m.str())) << c;
    const std::string e = PlantEmail(r);
    EXPECT_TRUE(std::regex_search(e, email)) << e;
    const std::string ip = PlantIpv4(r);
    ASSERT_TRUE(std::regex_search(ip, m, ipv4)) << ip;
    const std::string k = PlantApiKey(r);
    EXPECT_TRUE(std::regex_search(k, key)) << k;
    EXPECT_EQ(PlantPersonName(r).rfind("My name is ", 0), 0u);
    EXPECT_NE(PlantRedaction(r).find("<PRESIDIO_ANONYMIZED_"), std::string::npos);
  }
}

}  // namespace
}  // namespace wildchat
