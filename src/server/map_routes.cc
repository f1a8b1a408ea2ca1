#include "server/map_routes.h"

namespace wildchat {

void AddMapRoutes(httplib::Server&, const Index&, const std::string&) {}

}  // namespace wildchat
