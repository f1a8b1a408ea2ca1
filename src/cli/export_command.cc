// wildchat export: every conversation matching a query, to JSONL or Parquet.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "engine/index.h"
#include "io/record_files.h"

namespace wildchat {

int RunExport(const Argv& argv) {
  Args args("export", "wildchat export --index DIR --out FILE [--format jsonl|parquet] QUERY",
            "Writes every conversation matching QUERY (no cap), in index order.");
  args.Option("index", "DIR", "index directory");
  args.Option("out", "FILE", "output file (.jsonl, .jsonl.gz, .jsonl.zst or .parquet)");
  args.Option("format", "FORMAT", "jsonl or parquet (default: from the file name)");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;
  if (!args.Has("index") || !args.Has("out")) {
    return ReportError("export",
                       Status::InvalidArgument("--index DIR and --out FILE are required"));
  }
  const std::string out = args.Get("out");
  const RecordFormat fmt = FormatOfPath(out);
  if (args.Has("format")) {
    const std::string f = args.Get("format");
    if (f != "jsonl" && f != "parquet") {
      return ReportError("export", Status::InvalidArgument("--format must be jsonl or parquet"));
    }
    if ((f == "jsonl") != (fmt == RecordFormat::kJsonl) ||
        (f == "parquet") != (fmt == RecordFormat::kParquet)) {
      return ReportError("export", Status::InvalidArgument("--format " + f +
                                                           " does not match the file name " + out));
    }
  }
  std::string query;
  for (const std::string& p : args.positionals()) query += (query.empty() ? "" : " ") + p;
  std::unique_ptr<Index> index;
  Status st = Index::Open(args.Get("index"), &index);
  if (!st.ok()) return ReportError("export", st);
  // Validate the query before creating the output file.
  std::vector<uint32_t> docs;
  st = index->MatchingDocs(query, &docs);
  if (!st.ok()) return ReportError("export", st);
  std::unique_ptr<RecordWriter> writer;
  st = OpenRecordWriter(out, WriteOptions(), &writer);
  if (!st.ok()) return ReportError("export", st);
  uint64_t n = 0;
  st = index->ForEachMatch(query, [&](const Conversation& c) {
    ++n;
    return writer->Write(c);
  });
  if (st.ok()) st = writer->Close();
  if (!st.ok()) return ReportError("export", st);
  std::fprintf(stderr, "export: wrote %llu conversations to %s\n",
               static_cast<unsigned long long>(n), out.c_str());
  return kExitOk;
}

}  // namespace wildchat
