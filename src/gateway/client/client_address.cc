#include "gateway/client/client_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace wildchat {

std::optional<std::string> CanonicalIp(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  char buf[INET6_ADDRSTRLEN];
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1)
    return std::string(inet_ntop(AF_INET, &v4, buf, sizeof buf));
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, &v6.s6_addr[12], 4);
      return std::string(inet_ntop(AF_INET, &v4, buf, sizeof buf));
    }
    return std::string(inet_ntop(AF_INET6, &v6, buf, sizeof buf));
  }
  return std::nullopt;
}

ClientAddressResolver::ClientAddressResolver(const std::vector<std::string>& trusted_proxies) {
  for (const std::string& p : trusted_proxies) {
    if (auto ip = CanonicalIp(p)) trusted_.insert(*ip);
  }
}

std::string ClientAddressResolver::Resolve(std::string_view peer,
                                           std::string_view x_forwarded_for) const {
  std::string peer_ip = CanonicalIp(peer).value_or(std::string(peer));
  if (x_forwarded_for.empty() || !trusted_.count(peer_ip)) return peer_ip;
  std::string_view first = x_forwarded_for.substr(0, x_forwarded_for.find(','));
  return CanonicalIp(first).value_or(peer_ip);
}

}  // namespace wildchat
