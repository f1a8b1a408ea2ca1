// CachedRoute: a GET handler whose successful JSON answers are kept in a
// ResponseCache and served from it when the same request comes again
// (internal to src/server; docs/api.md, "Response cache").
//
// The key is the decoded path plus every query parameter, sorted by name
// (values of a repeated name keep their order, since routes read the first):
// `?a=1&b=2` and `?b=2&a=1` share an entry. Only status 200 is stored; the
// wrapped handler must answer with SendJson or SendError (no headers of its
// own, no streaming). A request carrying one of `bypass` parameters is never
// looked up or stored: its answer may change while the server runs. Every
// answer carries `X-Cache: hit` (the stored body, byte for byte) or
// `X-Cache: miss` (computed for this request). Two identical requests missing
// at the same time are both computed; the second store replaces the first.
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

#include "server/response_cache.h"

namespace wildchat {

// The cache key of `req`: its path and canonical parameters.
std::string ResponseCacheKey(const httplib::Request& req);

// `handler` behind `cache`, which must outlive the server.
httplib::Server::Handler CachedRoute(ResponseCache& cache, std::vector<std::string> bypass,
                                     httplib::Server::Handler handler);

}  // namespace wildchat
