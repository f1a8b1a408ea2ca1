#include "gateway/client/client_address.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gateway/client/ip_hasher.h"

namespace wildchat {
namespace {

TEST(ClientAddressTest, UsesForwardedForOnlyFromTrustedProxies) {
  ClientAddressResolver r({"10.0.0.1", "::1"});
  EXPECT_EQ(r.Resolve("10.0.0.1", " 203.0.113.7 , 10.0.0.9"), "203.0.113.7");
  EXPECT_EQ(r.Resolve("::ffff:10.0.0.1", "203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(r.Resolve("::1", "2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(r.Resolve("10.0.0.2", "203.0.113.7"), "10.0.0.2");  // untrusted peer
  EXPECT_EQ(r.Resolve("10.0.0.1", "not-an-ip"), "10.0.0.1");
  EXPECT_EQ(r.Resolve("10.0.0.1", ""), "10.0.0.1");
  EXPECT_FALSE(CanonicalIp("1.2.3.4.5"));
}

TEST(IpHasherTest, CreatesAndReusesASalt) {
  namespace fs = std::filesystem;
  const std::string path =
      (fs::temp_directory_path() / ("salt-" + std::to_string(getpid()))).string();
  fs::remove(path);
  IpHasher a, b;
  ASSERT_TRUE(IpHasher::Open(path, &a).ok());
  EXPECT_EQ(fs::file_size(path), 32u);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::others_read, fs::perms::none);
  ASSERT_TRUE(IpHasher::Open(path, &b).ok());
  EXPECT_EQ(a.Hash("1.2.3.4"), b.Hash("1.2.3.4"));
  EXPECT_NE(a.Hash("1.2.3.4"), a.Hash("1.2.3.5"));
  EXPECT_EQ(a.Hash("1.2.3.4").size(), 64u);
  {
    std::ofstream f(path, std::ios::trunc);
    f << "short";
  }
  IpHasher c;
  EXPECT_FALSE(IpHasher::Open(path, &c).ok());
  fs::remove(path);
}

}  // namespace
}  // namespace wildchat
