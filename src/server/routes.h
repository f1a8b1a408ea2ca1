// Route registration, one function per API area (internal to src/server).
// Each adds its handlers to `server`; `index` must outlive the server.
#pragma once

#include <httplib.h>

#include "engine/index.h"

namespace wildchat {

class MapCache;  // map_routes.h; its `area` parameter restricts searches, stats and exports

void AddSearchRoutes(httplib::Server& server, const Index& index,
                     MapCache& maps);                                     // /api/search, /api/stats
void AddConversationRoutes(httplib::Server& server, const Index& index);  // /api/conversation/{id}
void AddUserRoutes(httplib::Server& server, const Index& index);          // /api/user/{hashed_ip}
void AddExportRoutes(httplib::Server& server, const Index& index,
                     MapCache& maps);  // /api/export
// The embedded web UI; registered last, it answers every other GET.
void AddStaticRoutes(httplib::Server& server);

}  // namespace wildchat
