#include "gateway/geoip/geoip_db.h"

#include <maxminddb.h>

namespace wildchat {

struct GeoIpDb::Db {
  MMDB_s mmdb;
  ~Db() { MMDB_close(&mmdb); }
};

GeoIpDb::GeoIpDb() = default;
GeoIpDb::~GeoIpDb() = default;

Status GeoIpDb::Open(const std::string& path) {
  auto db = std::make_unique<Db>();
  int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb);
  if (rc != MMDB_SUCCESS) {
    return Status::InvalidArgument(path + ": cannot open GeoIP database: " + MMDB_strerror(rc));
  }
  db_ = std::move(db);
  return Status::OK();
}

namespace {

std::optional<std::string> StringAt(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return std::nullopt;
  }
  return std::string(data.utf8_string, data.data_size);
}

}  // namespace

GeoLocation GeoIpDb::Lookup(const std::string& ip) const {
  GeoLocation loc;
  if (!db_) return loc;
  int gai_error = 0, mmdb_error = 0;
  MMDB_lookup_result_s r = MMDB_lookup_string(&db_->mmdb, ip.c_str(), &gai_error, &mmdb_error);
  if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !r.found_entry) return loc;
  static const char* const kCountry[] = {"country", "names", "en", nullptr};
  loc.country = StringAt(&r.entry, kCountry);
  // The most specific subdivision is the last one.
  for (int i = 7; i >= 0 && !loc.state; --i) {
    const std::string index = std::to_string(i);
    const char* const path[] = {"subdivisions", index.c_str(), "names", "en", nullptr};
    loc.state = StringAt(&r.entry, path);
  }
  return loc;
}

}  // namespace wildchat
