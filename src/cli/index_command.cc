#include "cli/args.h"
#include "cli/commands.h"

namespace wildchat {

// Not built yet: reports so and exits 2.
int RunIndex(const Argv&) {
  return ReportError("index", Status::Unsupported("this command is not built yet"));
}

}  // namespace wildchat
