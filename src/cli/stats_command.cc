// wildchat stats: a summary of one or more record files (io/corpus_stats.h).
// Reads metadata only, so Parquet inputs skip the text columns.
#include <cstdio>

#include "cli/args.h"
#include "cli/bad_records.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "io/corpus_stats.h"
#include "io/record_files.h"

namespace wildchat {

int RunStats(const Argv& argv) {
  Args args("stats", "wildchat stats FILE... [--json]",
            "Counts conversations, utterances, users, languages, models, countries, toxic and "
            "redacted conversations and turns in record files (.jsonl[.gz|.zst], .parquet).");
  args.Flag("json", "print one JSON object instead of the text report");
  args.Flag("quiet", "no progress bar");
  BadRecordPolicy::AddOptions(&args);
  int exit_code = 0;
  if (!ParseOrExit(args, argv, &exit_code)) return exit_code;
  if (args.positionals().empty()) {
    return ReportError("stats",
                       Status::InvalidArgument("no input files (usage: " + args.usage() + ")"));
  }
  BadRecordPolicy policy;
  Status st = policy.Configure(args);
  if (!st.ok()) return ReportError("stats", st);

  ReadOptions options;
  options.need_text = false;
  options.need_moderation = false;
  CorpusStats stats(/*count_empty_inputs=*/false);
  Progress progress("stats", 0, Progress::Unit::kCount, "conversations",
                    Progress::ShouldShow(args.Has("quiet")));
  st = policy.ReadAll(args.positionals(), options, [&](const Conversation& c, uint64_t) {
    stats.Add(c);
    if ((stats.conversations() & 1023) == 0) progress.Update(stats.conversations());
    return Status::OK();
  });
  if (!st.ok()) return ReportError("stats", st);
  progress.Finish();
  st = policy.Finish("stats");
  if (!st.ok()) return ReportError("stats", st);
  std::string out;
  if (args.Has("json")) {
    stats.AppendJson(&out);
    out += "\n";
  } else {
    out = stats.ToText();
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace wildchat
