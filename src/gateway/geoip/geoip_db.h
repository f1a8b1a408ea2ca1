// GeoIpDb: country and state of an IP from a GeoLite2-City .mmdb file
// (libmaxminddb). country = country.names.en, state = names.en of the most
// specific (last) subdivision; either is nullopt when the database lacks it or
// the lookup fails. A default-constructed GeoIpDb (no --geoip) answers nullopt.
// Lookups are thread-safe (the database is memory-mapped, read-only).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace wildchat {

struct GeoLocation {
  std::optional<std::string> country;
  std::optional<std::string> state;
};

class GeoIpDb {
 public:
  GeoIpDb();
  ~GeoIpDb();
  GeoIpDb(const GeoIpDb&) = delete;
  GeoIpDb& operator=(const GeoIpDb&) = delete;

  Status Open(const std::string& path);
  bool is_open() const { return db_ != nullptr; }
  GeoLocation Lookup(const std::string& ip) const;

 private:
  struct Db;
  std::unique_ptr<Db> db_;
};

}  // namespace wildchat
