#include "gateway/log/turn_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "gateway/log/segment_format.h"
#include "gateway/log/turn_log_reader.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

class TurnLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("turnlog-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static TurnRecord Turn(const std::string& text) {
    TurnRecord r;
    r.model = "m";
    r.messages = {{"user", text}};
    r.reply = "re: " + text;
    r.hashed_ip = "h";
    return r;
  }
  std::vector<TurnRecord> ReadAll(TurnLogScan* scan) {
    std::vector<TurnRecord> out;
    EXPECT_TRUE(ReadTurnLog(
                    dir_,
                    [&](TurnRecord&& r) {
                      out.push_back(std::move(r));
                      return Status::OK();
                    },
                    scan)
                    .ok());
    return out;
  }
  std::string dir_;
};

TEST_F(TurnLogTest, AppendsConcurrentlyWithIncreasingIdsAndReopens) {
  {
    std::unique_ptr<TurnLog> log;
    ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          TurnRecord r = Turn(std::to_string(t) + "/" + std::to_string(i));
          ASSERT_TRUE(log->Append(&r).ok());
          EXPECT_GT(r.turn_identifier, 0);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(log->stats().appended, 200u);
    EXPECT_LE(log->stats().commits, 200u);
    // A second writer on the same directory is refused.
    std::unique_ptr<TurnLog> other;
    EXPECT_FALSE(TurnLog::Open(dir_, {}, &other).ok());
  }
  TurnLogScan scan;
  std::vector<TurnRecord> all = ReadAll(&scan);
  ASSERT_EQ(all.size(), 200u);
  std::set<std::string> texts;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].turn_identifier, static_cast<int64_t>(i + 1));  // log order = id order
    texts.insert(all[i].messages[0].content);
  }
  EXPECT_EQ(texts.size(), 200u);

  std::unique_ptr<TurnLog> log;
  ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
  TurnRecord r = Turn("after restart");
  ASSERT_TRUE(log->Append(&r).ok());
  EXPECT_EQ(r.turn_identifier, 201);
}

TEST_F(TurnLogTest, TruncatesATornTailAndKeepsNumbering) {
  {
    std::unique_ptr<TurnLog> log;
    ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
    for (int i = 0; i < 3; ++i) {
      TurnRecord r = Turn("t" + std::to_string(i));
      ASSERT_TRUE(log->Append(&r).ok());
    }
  }
  const std::string seg = dir_ + "/" + SegmentFileName(1);
  const auto good_size = fs::file_size(seg);
  for (std::string junk : {std::string("\x10\x00\x00", 3), std::string(40, '\x7f')}) {
    {
      std::ofstream f(seg, std::ios::app | std::ios::binary);
      f << junk;
    }
    TurnLogScan scan;
    EXPECT_EQ(ReadAll(&scan).size(), 3u);  // a reader stops at the tail
    EXPECT_EQ(scan.tail_bytes, junk.size());
    std::unique_ptr<TurnLog> log;
    ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
    EXPECT_EQ(log->recovery().truncated_bytes, junk.size());
    EXPECT_EQ(fs::file_size(seg), good_size);
  }
  std::unique_ptr<TurnLog> log;
  ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
  TurnRecord r = Turn("next");
  ASSERT_TRUE(log->Append(&r).ok());
  EXPECT_EQ(r.turn_identifier, 4);
}

TEST_F(TurnLogTest, RollsSegmentsAndReportsCorruptionInOlderOnes) {
  {
    std::unique_ptr<TurnLog> log;
    TurnLogOptions opt;
    opt.segment_bytes = 200;
    ASSERT_TRUE(TurnLog::Open(dir_, opt, &log).ok());
    for (int i = 0; i < 20; ++i) {
      TurnRecord r = Turn(std::string(50, 'a' + i));
      ASSERT_TRUE(log->Append(&r).ok());
    }
  }
  std::vector<uint32_t> seqs;
  ASSERT_TRUE(ListSegments(dir_, &seqs).ok());
  ASSERT_GT(seqs.size(), 3u);
  TurnLogScan scan;
  EXPECT_EQ(ReadAll(&scan).size(), 20u);
  // Flip a payload byte in the first segment.
  const std::string seg = dir_ + "/" + SegmentFileName(seqs[0]);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kSegmentMagic.size() + kFrameHeaderBytes + 5);
    f.put('\xff');
  }
  std::vector<TurnRecord> left = ReadAll(&scan);
  EXPECT_LT(left.size(), 20u);
  EXPECT_EQ(scan.corrupt_segments, 1u);
  ASSERT_EQ(scan.problems.size(), 1u);
  // Reopening continues after the newest record, not the damaged one.
  std::unique_ptr<TurnLog> log;
  ASSERT_TRUE(TurnLog::Open(dir_, {}, &log).ok());
  TurnRecord r = Turn("x");
  ASSERT_TRUE(log->Append(&r).ok());
  EXPECT_EQ(r.turn_identifier, 21);
}

}  // namespace
}  // namespace wildchat
