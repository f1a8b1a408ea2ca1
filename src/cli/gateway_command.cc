// `wildchat gateway`: the collection server, and `wildchat gateway export`.
#include <signal.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "gateway/export/turn_log_export.h"
#include "gateway/http/gateway_server.h"

namespace wildchat {
namespace {

std::string KeyEnvName(const std::string& upstream) {
  std::string v = "WILDCHAT_UPSTREAM_KEY_";
  for (char c : upstream)
    v.push_back(std::isalnum(static_cast<unsigned char>(c)) ? std::toupper(c) : '_');
  return v;
}

int RunGatewayExport(const Argv& argv) {
  Args args("gateway export", "wildchat gateway export --log DIR --out FILE",
            "Links the logged turns into conversations (works while the gateway runs) and writes\n"
            "WildChat records to FILE (.jsonl or .parquet). Language, moderation and redaction\n"
            "are left to `wildchat curate`.");
  args.Option("log", "DIR", "turn log directory");
  args.Option("out", "FILE", "output file (.jsonl, .jsonl.gz, .jsonl.zst, .parquet)");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;
  if (!args.Has("log") || !args.Has("out")) {
    return ReportError("gateway export", Status::InvalidArgument("--log and --out are required"));
  }
  ExportReport report;
  Status st = ExportTurnLog(args.Get("log"), args.Get("out"), &report);
  for (const std::string& p : report.scan.problems)
    std::fprintf(stderr, "warning: %s\n", p.c_str());
  if (!st.ok()) return ReportError("gateway export", st);
  std::fprintf(stderr,
               "wildchat gateway export: %llu turns (%llu failed) -> %llu conversations; "
               "%llu broken chains dropped (%llu turns); %llu linked by fingerprint only; "
               "%llu torn tail bytes ignored\n",
               (unsigned long long)report.link.turns, (unsigned long long)report.link.failed_turns,
               (unsigned long long)report.link.conversations,
               (unsigned long long)report.link.broken_chains,
               (unsigned long long)report.link.dropped_turns,
               (unsigned long long)report.link.linked_by_fallback,
               (unsigned long long)report.scan.tail_bytes);
  return kExitOk;
}

}  // namespace

int RunGateway(const Argv& argv) {
  if (!argv.empty() && argv[0] == "export")
    return RunGatewayExport(Argv(argv.begin() + 1, argv.end()));
  Args args(
      "gateway", "wildchat gateway --log DIR --upstream NAME=URL --model MODEL[=NAME] [options]",
      "Serves an OpenAI-compatible chat API and a chat page, proxies to the upstreams and\n"
      "records every turn durably in DIR. An upstream's API key is read from the environment\n"
      "variable WILDCHAT_UPSTREAM_KEY_<NAME>; the admin token from WILDCHAT_ADMIN_TOKEN.\n"
      "`wildchat gateway export --help` for exporting.");
  args.Option("listen", "HOST:PORT", "address to serve on (port 0: any free port)",
              "127.0.0.1:8080");
  args.Option("log", "DIR", "turn log directory (created if missing)");
  args.Option("salt-file", "FILE",
              "IP hashing salt, created with 32 random bytes if missing (default DIR/salt)");
  args.Option("geoip", "FILE", "GeoLite2-City .mmdb for country/state");
  args.Option("trusted-proxy", "IP", "peer whose X-Forwarded-For is believed", "", true);
  args.Option("upstream", "NAME=URL",
              "OpenAI-compatible base URL, e.g. local=http://127.0.0.1:8000/v1", "", true);
  args.Option("model", "MODEL[=NAME]", "allowed model and its upstream (default: the first)", "",
              true);
  args.Option("rpm", "N", "requests per minute per client (0: off)", "0");
  args.Option("tokens-per-day", "N", "model tokens per UTC day per client (0: off)", "0");
  args.Option("max-body", "BYTES", "largest request body", "4194304");
  args.Option("upstream-timeout", "SECONDS", "longest wait for upstream bytes", "300");
  args.Option("client-timeout", "SECONDS", "longest wait for client bytes", "20");
  args.Option("threads", "N", "concurrent connections", "64");
  args.Option("segment-mb", "N", "log segment size", "64");
  args.Flag("no-fsync", "do not sync the log (benchmarks only: turns are not durable)");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;

  GatewayOptions o;
  const std::string listen = args.Get("listen");
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return ReportError("gateway", Status::InvalidArgument("--listen must be HOST:PORT"));
  }
  o.host = listen.substr(0, colon);
  o.port = std::atoi(listen.c_str() + colon + 1);
  o.log_dir = args.Get("log");
  o.salt_file = args.Get("salt-file");
  o.geoip_path = args.Get("geoip");
  o.trusted_proxies = args.GetAll("trusted-proxy");
  for (const std::string& u : args.GetAll("upstream")) {
    const size_t eq = u.find('=');
    if (eq == std::string::npos || eq == 0) {
      return ReportError("gateway", Status::InvalidArgument("--upstream must be NAME=URL: " + u));
    }
    UpstreamConfig c;
    c.name = u.substr(0, eq);
    c.base_url = u.substr(eq + 1);
    if (const char* key = std::getenv(KeyEnvName(c.name).c_str())) c.api_key = key;
    o.upstreams.push_back(c);
  }
  for (const std::string& m : args.GetAll("model")) {
    const size_t eq = m.find('=');
    ModelRoute r;
    r.model = m.substr(0, eq);
    r.upstream = eq != std::string::npos ? m.substr(eq + 1)
                 : o.upstreams.empty()   ? ""
                                         : o.upstreams[0].name;
    o.models.push_back(r);
  }
  int64_t v = 0;
  struct IntOption {
    const char* name;
    int64_t min;
  };
  for (IntOption io : {IntOption{"rpm", 0},
                       {"tokens-per-day", 0},
                       {"max-body", 1},
                       {"upstream-timeout", 1},
                       {"client-timeout", 1},
                       {"threads", 1},
                       {"segment-mb", 1}}) {
    Status st = args.GetInt(io.name, &v);
    if (st.ok() && v < io.min)
      st = Status::InvalidArgument(std::string("--") + io.name + " is too small");
    if (!st.ok()) return ReportError("gateway", st);
  }
  args.GetInt("rpm", &o.limits.requests_per_minute);
  args.GetInt("tokens-per-day", &o.limits.tokens_per_day);
  args.GetInt("max-body", &v), o.max_body_bytes = static_cast<size_t>(v);
  args.GetInt("upstream-timeout", &v), o.upstream_timeout_seconds = static_cast<int>(v);
  args.GetInt("client-timeout", &v), o.client_timeout_seconds = static_cast<int>(v);
  args.GetInt("threads", &v), o.threads = static_cast<int>(v);
  args.GetInt("segment-mb", &v), o.log_options.segment_bytes = static_cast<uint64_t>(v) << 20;
  o.log_options.sync = !args.Has("no-fsync");
  if (const char* t = std::getenv("WILDCHAT_ADMIN_TOKEN")) o.admin_token = t;

  // Block SIGINT/SIGTERM in every thread; one thread waits for them and stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<GatewayServer> server;
  Status st = GatewayServer::Create(o, &server);
  if (!st.ok()) return ReportError("gateway", st);
  int port = 0;
  st = server->Listen(&port);
  if (!st.ok()) return ReportError("gateway", st);
  std::printf("wildchat gateway: listening on http://%s:%d\n", o.host.c_str(), port);
  std::fflush(stdout);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server->Stop();  // a signal right after start too (base/stoppable_run.h)
  });
  st = server->Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter when Run ended on its own
  waiter.join();
  if (!st.ok()) return ReportError("gateway", st);
  return kExitOk;
}

}  // namespace wildchat
