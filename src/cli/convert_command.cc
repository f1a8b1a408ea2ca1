// wildchat convert: copies records from any readable format to any writable
// one (JSONL, compressed JSONL, Parquet), in input order.
#include "cli/args.h"
#include "cli/bad_records.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "io/record_files.h"

#include <sys/stat.h>

namespace wildchat {

int RunConvert(const Argv& argv) {
  Args args("convert", "wildchat convert IN... --out OUT",
            "Converts record files between formats chosen by file name: .jsonl, .jsonl.gz, "
            ".jsonl.zst, .parquet. Several inputs are concatenated in order. The output appears "
            "only when the conversion succeeds.");
  args.Option("out", "FILE", "output file (required)");
  args.Flag("quiet", "no progress bar");
  BadRecordPolicy::AddOptions(&args);
  int exit_code = 0;
  if (!ParseOrExit(args, argv, &exit_code)) return exit_code;
  if (!args.Has("out")) {
    return ReportError("convert", Status::InvalidArgument("--out FILE is required"));
  }
  if (args.positionals().empty()) {
    return ReportError("convert",
                       Status::InvalidArgument("no input files (usage: " + args.usage() + ")"));
  }
  BadRecordPolicy policy;
  Status st = policy.Configure(args);
  if (!st.ok()) return ReportError("convert", st);

  uint64_t total = 0;
  for (const auto& path : args.positionals()) {
    struct stat sb;
    if (stat(path.c_str(), &sb) == 0) total += static_cast<uint64_t>(sb.st_size);
  }
  std::unique_ptr<RecordWriter> writer;
  st = OpenRecordWriter(args.Get("out"), WriteOptions(), &writer);
  if (!st.ok()) return ReportError("convert", st);
  Progress progress("convert", total, Progress::Unit::kBytes, "",
                    Progress::ShouldShow(args.Has("quiet")));
  uint64_t records = 0;
  st =
      policy.ReadAll(args.positionals(), ReadOptions(), [&](const Conversation& c, uint64_t bytes) {
        WILDCHAT_RETURN_IF_ERROR(writer->Write(c));
        if ((++records & 255) == 0) progress.Update(bytes);
        return Status::OK();
      });
  if (!st.ok()) return ReportError("convert", st);
  st = writer->Close();
  progress.Finish();
  if (!st.ok()) return ReportError("convert", st);
  st = policy.Finish("convert");
  if (!st.ok()) return ReportError("convert", st);
  return kExitOk;
}

}  // namespace wildchat
