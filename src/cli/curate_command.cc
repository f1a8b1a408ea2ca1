#include <cstdio>
#include <cstdlib>

#include "cli/args.h"
#include "cli/commands.h"
#include "curate/pipeline/curate_run.h"

namespace wildchat {

// wildchat curate INPUT... --out DIR: language, moderation, toxic flag, PII
// and secret redaction, conversation_hash, release shards (curate/pipeline).
int RunCurate(const Argv& argv) {
  Args args("curate", "wildchat curate INPUT... --out DIR [options]",
            "Computes every derived field of the WildChat schema and writes release shards:\n"
            "DIR/full (all but sexual/minors), DIR/public (also without toxic), report.json, "
            "README.md.");
  args.Option("out", "DIR", "output directory (required)");
  args.Option("stages", "LIST",
              "comma-separated stages to run: langid,moderation,pii,secrets,hash,release", "all");
  args.Option("format", "FMT", "shard format: parquet, jsonl, jsonl.gz, jsonl.zst", "parquet");
  args.Option("shard-rows", "N", "input conversations per shard", "50000");
  args.Option("threads", "N", "worker threads", "2");
  args.Option("public-threshold", "N",
              "keep a PII value seen in >= N distinct conversations (0: redact all)", "10");
  args.Option("public-threshold-person", "N", "the same for PERSON", "50");
  args.Option("on-error", "MODE", "fail | skip (malformed records go to DIR/rejects.jsonl)",
              "fail");
  args.Flag("rescore", "replace moderation scores present in the input");
  args.Option("moderation-url", "URL",
              "OpenAI-compatible /v1/moderations endpoint for openai_moderation (default: offline "
              "scorer only)");
  args.Option("moderation-key-env", "VAR", "environment variable holding the endpoint's API key",
              "OPENAI_API_KEY");
  args.Option("moderation-model", "NAME", "\"model\" sent to the endpoint (default: none)");
  args.Option("moderation-cache", "DIR", "result cache (default DIR/moderation-cache)");
  args.Option("moderation-batch", "N", "texts per moderation request", "32");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;

  curate::CurateRunOptions o;
  o.inputs = args.positionals();
  o.out_dir = args.Get("out");
  o.format = args.Get("format");
  o.curator.rescore = args.Has("rescore");
  int64_t shard_rows = 0, threads = 0, pt = 0, ptp = 0;
  Status st = curate::ParseStages(args.Get("stages"), &o.curator.stages);
  if (st.ok()) st = args.GetInt("shard-rows", &shard_rows);
  if (st.ok()) st = args.GetInt("threads", &threads);
  if (st.ok()) st = args.GetInt("public-threshold", &pt);
  if (st.ok()) st = args.GetInt("public-threshold-person", &ptp);
  int64_t mod_batch = 0;
  if (st.ok()) st = args.GetInt("moderation-batch", &mod_batch);
  if (st.ok() && mod_batch < 1) st = Status::InvalidArgument("--moderation-batch must be >= 1");
  if (st.ok() && args.Get("on-error") != "fail" && args.Get("on-error") != "skip")
    st = Status::InvalidArgument("--on-error must be fail or skip");
  if (st.ok() && (pt < 0 || ptp < 0 || threads < 1))
    st = Status::InvalidArgument("--threads must be >= 1 and thresholds >= 0");
  if (!st.ok()) return ReportError("curate", st);
  o.shard_rows = shard_rows;
  o.threads = static_cast<int>(threads);
  o.curator.public_threshold = static_cast<uint32_t>(pt);
  o.curator.public_threshold_person = static_cast<uint32_t>(ptp);
  o.on_error_skip = args.Get("on-error") == "skip";
  o.moderation.url = args.Get("moderation-url");
  o.moderation.model = args.Get("moderation-model");
  o.moderation.cache_dir = args.Get("moderation-cache");
  o.moderation.batch_size = static_cast<size_t>(mod_batch);
  if (const char* key = std::getenv(args.Get("moderation-key-env").c_str()))
    o.moderation.api_key = key;
  o.log = [](const std::string& line) {
    std::fprintf(stderr, "wildchat curate: %s\n", line.c_str());
  };

  curate::CurateStats stats;
  st = curate::RunCuration(o, &stats);
  if (!st.ok()) return ReportError("curate", st);
  auto get = [&](const char* k) {
    auto it = stats.counters.find(k);
    return it == stats.counters.end() ? 0LL : static_cast<long long>(it->second);
  };
  std::fprintf(stderr,
               "wildchat curate: %lld conversations (%lld rejected): full %lld, public %lld, "
               "toxic %lld, redacted %lld -> %s\n",
               get("conversations"), get("rejected"), get("release.full"), get("release.public"),
               get("toxic"), get("redacted"), o.out_dir.c_str());
  return kExitOk;
}

}  // namespace wildchat
