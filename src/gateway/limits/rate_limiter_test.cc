#include "gateway/limits/rate_limiter.h"

#include <gtest/gtest.h>

namespace wildchat {
namespace {

constexpr TimestampMicros kSecond = 1'000'000;
constexpr TimestampMicros kT0 = 1'700'000'000 * kSecond;

TEST(RateLimiterTest, RequestsPerMinuteRefillSteadily) {
  RateLimiter l({.requests_per_minute = 3, .tokens_per_day = 0});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kAllowed);
  EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kTooManyRequests);
  EXPECT_EQ(l.Admit("b", kT0), RateLimiter::Verdict::kAllowed);  // per client
  EXPECT_EQ(l.Admit("a", kT0 + 19 * kSecond), RateLimiter::Verdict::kTooManyRequests);
  EXPECT_EQ(l.Admit("a", kT0 + 21 * kSecond), RateLimiter::Verdict::kAllowed);
}

TEST(RateLimiterTest, TokensPerDayResetAtMidnightUtc) {
  RateLimiter l({.requests_per_minute = 0, .tokens_per_day = 100});
  EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kAllowed);
  l.ChargeTokens("a", 60, kT0);
  EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kAllowed);
  l.ChargeTokens("a", 60, kT0);
  EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kTokenBudgetSpent);
  EXPECT_EQ(l.Admit("a", kT0 + 86400 * kSecond), RateLimiter::Verdict::kAllowed);
}

TEST(RateLimiterTest, OffByDefault) {
  RateLimiter l({});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(l.Admit("a", kT0), RateLimiter::Verdict::kAllowed);
  EXPECT_EQ(l.tracked_clients(), 0u);
}

}  // namespace
}  // namespace wildchat
