#include "cli/args.h"
#include "cli/commands.h"

namespace wildchat {

// Not built yet: reports so and exits 2.
int RunServe(const Argv&) {
  return ReportError("serve", Status::Unsupported("this command is not built yet"));
}

}  // namespace wildchat
