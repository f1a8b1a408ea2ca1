// Route registration, one function per API area (internal to src/server).
// Each adds its handlers to `server`; `index` must outlive the server.
#pragma once

#include <httplib.h>

#include "engine/index.h"
#include "server/response_cache.h"
#include "server/work_gate.h"

namespace wildchat {

class MapCache;  // map_routes.h; its `area` parameter restricts searches, stats and exports

// /api/search and /api/stats answer through `cache` (cached_route.h) unless
// they have an `area`, since the map can be rebuilt while the server runs;
// what the cache does not answer is computed behind `gate`.
void AddSearchRoutes(httplib::Server& server, const Index& index, MapCache& maps,
                     ResponseCache& cache, WorkGate& gate);
void AddConversationRoutes(httplib::Server& server, const Index& index);  // /api/conversation/{id}
// /api/user/{hashed_ip}, answered through `cache`, computed behind `gate`.
void AddUserRoutes(httplib::Server& server, const Index& index, ResponseCache& cache,
                   WorkGate& gate);
void AddExportRoutes(httplib::Server& server, const Index& index,
                     MapCache& maps);  // /api/export
// The embedded web UI; registered last, it answers every other GET.
void AddStaticRoutes(httplib::Server& server);

}  // namespace wildchat
