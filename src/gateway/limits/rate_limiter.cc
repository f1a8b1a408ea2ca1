#include "gateway/limits/rate_limiter.h"

#include <algorithm>

#include "model/timestamp.h"

namespace wildchat {
namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr size_t kPruneAbove = 100'000;

}  // namespace

void RateLimiter::Refill(Client* c, TimestampMicros now) const {
  const double cap = static_cast<double>(limits_.requests_per_minute);
  if (now > c->refilled_at) {
    c->bucket = std::min(
        cap, c->bucket + cap * static_cast<double>(now - c->refilled_at) / kMicrosPerMinute);
    c->refilled_at = now;
  }
  const int64_t day = now / kMicrosPerDay;
  if (day != c->day) {
    c->day = day;
    c->tokens_today = 0;
  }
}

RateLimiter::Verdict RateLimiter::Admit(const std::string& client, TimestampMicros now) {
  if (limits_.requests_per_minute <= 0 && limits_.tokens_per_day <= 0) return Verdict::kAllowed;
  std::lock_guard<std::mutex> l(mu_);
  if (clients_.size() > kPruneAbove) PruneLocked(now);
  auto [it, inserted] = clients_.try_emplace(client);
  Client& c = it->second;
  if (inserted) {
    c.bucket = static_cast<double>(limits_.requests_per_minute);
    c.refilled_at = now;
    c.day = now / kMicrosPerDay;
  }
  Refill(&c, now);
  if (limits_.tokens_per_day > 0 && c.tokens_today >= limits_.tokens_per_day) {
    return Verdict::kTokenBudgetSpent;
  }
  if (limits_.requests_per_minute > 0) {
    if (c.bucket < 1.0) return Verdict::kTooManyRequests;
    c.bucket -= 1.0;
  }
  return Verdict::kAllowed;
}

void RateLimiter::ChargeTokens(const std::string& client, int64_t tokens, TimestampMicros now) {
  if (limits_.tokens_per_day <= 0 || tokens <= 0) return;
  std::lock_guard<std::mutex> l(mu_);
  auto [it, inserted] = clients_.try_emplace(client);
  if (inserted) {
    it->second.bucket = static_cast<double>(limits_.requests_per_minute);
    it->second.refilled_at = now;
    it->second.day = now / kMicrosPerDay;
  }
  Refill(&it->second, now);
  it->second.tokens_today += tokens;
}

void RateLimiter::PruneLocked(TimestampMicros now) {
  // Forget clients whose state equals a fresh one's: full bucket, nothing spent today.
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client c = it->second;
    Refill(&c, now);
    const bool full = c.bucket >= static_cast<double>(limits_.requests_per_minute);
    if (full && c.tokens_today == 0) {
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t RateLimiter::tracked_clients() const {
  std::lock_guard<std::mutex> l(mu_);
  return clients_.size();
}

}  // namespace wildchat
