#include "gateway/log/turn_record.h"

#include <gtest/gtest.h>

#include <random>

namespace wildchat {
namespace {

TurnRecord Sample() {
  TurnRecord r;
  r.turn_identifier = 42;
  r.request_time = 1700000000123456;
  r.reply_time = 1700000001654321;
  r.model = "gpt-4o";
  r.messages = {{"system", "be brief"}, {"user", "héllo \xe4\xb8\xad"}};
  r.reply = "hi";
  r.usage = TokenUsage{3, 1, 4};
  r.hashed_ip = std::string(64, 'a');
  r.country = "Germany";
  r.user_agent = "Mozilla/5.0";
  r.stream = true;
  return r;
}

TEST(TurnRecordTest, RoundTrips) {
  for (bool failed : {false, true}) {
    TurnRecord r = Sample();
    if (failed) {
      r.outcome = TurnRecord::Outcome::kFailed;
      r.error = "upstream timed out";
      r.usage.reset();
      r.accept_language = "de-DE";
    }
    std::string bytes;
    EncodeTurnRecord(r, &bytes);
    TurnRecord back;
    ASSERT_TRUE(DecodeTurnRecord(bytes, &back).ok());
    EXPECT_EQ(back, r);
  }
}

TEST(TurnRecordTest, RejectsTruncationAndTrailingBytes) {
  std::string bytes;
  EncodeTurnRecord(Sample(), &bytes);
  TurnRecord back;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeTurnRecord(std::string_view(bytes).substr(0, n), &back).ok()) << n;
  }
  Status st = DecodeTurnRecord(bytes + "x", &back);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("trailing"), std::string::npos);
}

// Thousands of random and mutated inputs: the decoder must never crash (ASan)
// and must either fail or produce a record that re-encodes to the same bytes.
TEST(TurnRecordTest, SurvivesRandomAndMutatedInput) {
  std::mt19937 rng(7);
  std::string good;
  EncodeTurnRecord(Sample(), &good);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string in;
    if (i % 2 == 0) {
      in.resize(rng() % 64);
      for (char& c : in) c = static_cast<char>(rng());
      if (!in.empty()) in[0] = 1;  // get past the version byte
    } else {
      in = good;
      for (int k = 0, m = 1 + rng() % 4; k < m; ++k)
        in[rng() % in.size()] = static_cast<char>(rng());
    }
    TurnRecord r;
    if (DecodeTurnRecord(in, &r).ok()) {
      ++decoded;
      std::string again;
      EncodeTurnRecord(r, &again);
      TurnRecord r2;
      ASSERT_TRUE(DecodeTurnRecord(again, &r2).ok());
      EXPECT_EQ(r, r2);
    }
  }
  EXPECT_GT(decoded, 0);  // some mutations (inside strings) stay valid
}

}  // namespace
}  // namespace wildchat
