#include "cli/args.h"

#include <gtest/gtest.h>

namespace wildchat {
namespace {

Args MakeArgs() {
  Args a("gen", "wildchat gen [options]", "Generates.");
  a.Option("conversations", "N", "how many", "1000");
  a.Option("facet", "F", "repeatable", "", true);
  a.Flag("quiet", "no progress");
  return a;
}

TEST(Args, ParsesOptionsFlagsAndPositionals) {
  Args a = MakeArgs();
  ASSERT_TRUE(a.Parse({"in.jsonl", "--conversations=5", "--quiet", "--facet", "x", "--facet", "y",
                       "--", "--literal"})
                  .ok());
  int64_t n = 0;
  ASSERT_TRUE(a.GetInt("conversations", &n).ok());
  EXPECT_EQ(n, 5);
  EXPECT_TRUE(a.Has("quiet"));
  EXPECT_EQ(a.GetAll("facet"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(a.positionals(), (std::vector<std::string>{"in.jsonl", "--literal"}));
}

TEST(Args, DefaultsAndErrors) {
  Args a = MakeArgs();
  ASSERT_TRUE(a.Parse({}).ok());
  EXPECT_EQ(a.Get("conversations"), "1000");
  EXPECT_FALSE(a.Has("quiet"));

  Args b = MakeArgs();
  Status st = b.Parse({"--bogus"});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("--bogus"), std::string::npos);

  Args c = MakeArgs();
  EXPECT_FALSE(c.Parse({"--conversations"}).ok());
  Args d = MakeArgs();
  ASSERT_TRUE(d.Parse({"--conversations", "12x"}).ok());
  int64_t n;
  EXPECT_FALSE(d.GetInt("conversations", &n).ok());
}

}  // namespace
}  // namespace wildchat
