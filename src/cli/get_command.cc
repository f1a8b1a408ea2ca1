// wildchat get: one conversation, by any of its turn_identifiers, as JSONL.
#include <charconv>
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "engine/index.h"
#include "io/conversation_json.h"

namespace wildchat {

int RunGet(const Argv& argv) {
  Args args("get", "wildchat get --index DIR ID...",
            "Prints each conversation (any of its turn_identifiers works) as one JSON line.");
  args.Option("index", "DIR", "index directory");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;
  if (!args.Has("index"))
    return ReportError("get", Status::InvalidArgument("--index DIR is required"));
  if (args.positionals().empty()) return ReportError("get", Status::InvalidArgument("no ID given"));
  std::unique_ptr<Index> index;
  Status st = Index::Open(args.Get("index"), &index);
  if (!st.ok()) return ReportError("get", st);
  for (const std::string& text : args.positionals()) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size()) {
      return ReportError("get", Status::InvalidArgument("'" + text + "' is not an integer id"));
    }
    Conversation c;
    st = index->Get(id, &c);
    if (!st.ok()) return ReportError("get", st);
    std::string line;
    AppendConversationJson(&line, c);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return kExitOk;
}

}  // namespace wildchat
