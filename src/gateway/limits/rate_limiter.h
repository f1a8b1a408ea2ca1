// Per-client rate limits, keyed by hashed IP: requests per minute (a token
// bucket holding up to one minute's allowance, so bursts up to the limit are
// fine) and model tokens per UTC day (charged after each turn from the
// upstream's usage, or an estimate). A limit of 0 is off. Time is passed in,
// so tests control it. Idle clients are forgotten once the table grows large.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/conversation.h"

namespace wildchat {

struct RateLimits {
  int64_t requests_per_minute = 0;
  int64_t tokens_per_day = 0;
};

class RateLimiter {
 public:
  enum class Verdict { kAllowed, kTooManyRequests, kTokenBudgetSpent };

  explicit RateLimiter(RateLimits limits) : limits_(limits) {}

  // Takes one request from the client's allowance when it admits it.
  Verdict Admit(const std::string& client, TimestampMicros now);
  void ChargeTokens(const std::string& client, int64_t tokens, TimestampMicros now);
  size_t tracked_clients() const;

 private:
  struct Client {
    double bucket = 0;  // requests available
    TimestampMicros refilled_at = 0;
    int64_t day = 0;
    int64_t tokens_today = 0;
  };
  void Refill(Client* c, TimestampMicros now) const;
  void PruneLocked(TimestampMicros now);

  const RateLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Client> clients_;
};

}  // namespace wildchat
