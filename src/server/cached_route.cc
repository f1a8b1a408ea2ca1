#include "server/cached_route.h"

#include <utility>

#include "server/api_common.h"

namespace wildchat {
namespace {

// Length-prefixed, so no path, name or value can run into the next one.
void AppendField(std::string* key, const std::string& field) {
  key->append(std::to_string(field.size()));
  key->push_back(':');
  key->append(field);
}

}  // namespace

std::string ResponseCacheKey(const httplib::Request& req) {
  std::string key;
  AppendField(&key, req.path);
  // httplib's Params is a multimap: ordered by name, equal names in arrival order.
  for (const auto& [name, value] : req.params) {
    AppendField(&key, name);
    AppendField(&key, value);
  }
  return key;
}

httplib::Server::Handler CachedRoute(ResponseCache& cache, std::vector<std::string> bypass,
                                     httplib::Server::Handler handler) {
  return [&cache, bypass = std::move(bypass), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    bool cacheable = true;
    for (const std::string& name : bypass) cacheable = cacheable && !req.has_param(name);
    std::string key;
    if (cacheable) {
      key = ResponseCacheKey(req);
      if (std::shared_ptr<const std::string> body = cache.Get(key)) {
        res.status = 200;
        res.set_content(*body, kJsonType);
        res.set_header("X-Cache", "hit");
        return;
      }
    }
    handler(req, res);
    res.set_header("X-Cache", "miss");
    if (cacheable && res.status == 200 && cache.capacity() > 0) cache.Put(key, res.body);
  };
}

}  // namespace wildchat
