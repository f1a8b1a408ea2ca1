// wildchat: collect, curate and explore chatbot conversation logs.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/allocator.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const wildchat::Argv&);
};

constexpr Command kCommands[] = {
    {"demo", "generate a demo corpus, index it and serve the explorer", wildchat::RunDemo},
    {"gen", "generate a realistic synthetic corpus (JSONL or Parquet)", wildchat::RunGen},
    {"stats", "summarise conversation files (counts, languages, models, ...)", wildchat::RunStats},
    {"convert", "convert between JSONL and Parquet", wildchat::RunConvert},
    {"index", "build or extend a search index", wildchat::RunIndex},
    {"search", "query an index", wildchat::RunSearch},
    {"get", "print one conversation from an index", wildchat::RunGet},
    {"export", "write every conversation matching a query", wildchat::RunExport},
    {"serve", "serve the explorer (HTTP API + web UI) over an index", wildchat::RunServe},
    {"curate", "language ID, moderation, PII/secret redaction, release shards",
     wildchat::RunCurate},
    {"gateway", "run the chat collection gateway, or export its log", wildchat::RunGateway},
    {"embed", "compute embeddings and the 2D map for an index", wildchat::RunEmbed},
};

void PrintHelp() {
  std::printf(
      "usage: wildchat <command> [options]\n\n"
      "Collect, curate and explore chatbot conversation logs in the WildChat schema.\n\n"
      "commands:\n");
  for (const auto& c : kCommands) std::printf("  %-9s %s\n", c.name, c.summary);
  std::printf("\nRun 'wildchat <command> --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  wildchat::KeepLargeAllocations();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    PrintHelp();
    return argc < 2 ? wildchat::kExitBadInput : wildchat::kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("wildchat %s\n", WILDCHAT_VERSION);
    return wildchat::kExitOk;
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) {
      return c.run(wildchat::Argv(argv + 2, argv + argc));
    }
  }
  std::fprintf(stderr, "wildchat: unknown command '%s' (see 'wildchat --help')\n", argv[1]);
  return wildchat::kExitBadInput;
}
