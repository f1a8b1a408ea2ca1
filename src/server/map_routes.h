// The embedding map's API routes (the /map.html page's data), added to the
// explorer's server once at start-up, before the static file routes.
// `index` and the server share a lifetime; `index_dir` is the index folder
// where map data built by `wildchat embed` lives.
#pragma once

#include <httplib.h>

#include <string>

#include "engine/index.h"

namespace wildchat {

void AddMapRoutes(httplib::Server& server, const Index& index, const std::string& index_dir);

}  // namespace wildchat
