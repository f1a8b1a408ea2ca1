#include "engine/segment/segment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/segment/segment_builder.h"
#include "engine/store/store_builder.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

TEST(SegmentTest, OtherFormatVersionAsksForARebuild) {
  const std::string dir =
      fs::path(::testing::TempDir()) / ("segment_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SegmentBuilder b;
  StoreBuilder store;
  for (int i = 0; i < 3; ++i) {
    Conversation c;
    Utterance u;
    u.role = "user";
    u.content = "hello world " + std::to_string(i);
    u.turn_identifier = 10 + i;
    c.conversation.push_back(u);
    b.Add(c);
    store.Add(c);
  }
  std::string name;
  uint64_t size = 0;
  ASSERT_TRUE(b.Finish(dir, "tmp-1", &store, &name, &size).ok());
  const std::string path = dir + "/" + name;
  std::unique_ptr<Segment> seg;
  ASSERT_TRUE(Segment::Open(path, &seg).ok());
  Conversation back;
  ASSERT_TRUE(seg->Document(2, &back).ok());
  EXPECT_EQ(back.conversation[0].content, "hello world 2");
  seg.reset();

  // "meta" is the first section: its first field is the format version.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    const uint32_t old_version = 1;
    f.write(reinterpret_cast<const char*>(&old_version), 4);
  }
  const Status st = Segment::Open(path, &seg);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.ToString().find("segment format version 1 is not supported"), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.ToString().find("rebuild the index"), std::string::npos) << st.ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wildchat
