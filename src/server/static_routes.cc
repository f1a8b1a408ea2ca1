// The embedded web UI (web/explorer/), and JSON 404s for unknown API paths.
//
// Pages get a strict Content-Security-Policy: scripts and styles only from
// this origin, no inline script, no plugins, no framing. The UI never builds
// markup from data (it uses textContent), so the policy is a second wall, not
// the first.
#include <string_view>

#include "base/embedded_assets.h"
#include "server/api_common.h"
#include "server/routes.h"

namespace wildchat {

const EmbeddedAsset* ExplorerAssets();

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

std::string_view ContentTypeOf(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

void AddStaticRoutes(httplib::Server& server) {
  server.Get(R"(/api/.*)", [](const httplib::Request& req, httplib::Response& res) {
    SendError(res, Status::NotFound("no API endpoint " + req.path + " (see docs/api.md)"));
  });
  server.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.matches[1];
    if (path.empty()) path = "index.html";
    const EmbeddedAsset* asset = FindAsset(ExplorerAssets(), path);
    if (!asset) {
      res.status = 404;
      res.set_content("not found: /" + path + "\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("Cache-Control", "no-cache");
    res.set_content(asset->data, asset->size, std::string(ContentTypeOf(path)));
  });
}

}  // namespace wildchat
