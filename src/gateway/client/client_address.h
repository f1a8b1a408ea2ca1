// Which IP a request came from. The peer address is the client unless the
// peer is a configured trusted proxy, in which case the first address of
// X-Forwarded-For is (when it parses as an IPv4/IPv6 address; otherwise the
// peer is used). Addresses are normalised (inet_pton/inet_ntop), so
// "::ffff:1.2.3.4" style peers and spacing do not split one client in two.
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wildchat {

// Canonical text of an IP address, or nullopt when `text` is not one.
std::optional<std::string> CanonicalIp(std::string_view text);

class ClientAddressResolver {
 public:
  explicit ClientAddressResolver(const std::vector<std::string>& trusted_proxies);
  std::string Resolve(std::string_view peer, std::string_view x_forwarded_for) const;

 private:
  std::set<std::string> trusted_;
};

}  // namespace wildchat
