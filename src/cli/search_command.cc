// wildchat search: one query against an index, as text or JSON.
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "engine/index.h"
#include "model/timestamp.h"
#include "server/search_json.h"

namespace wildchat {
namespace {

std::string JoinPositionals(const std::vector<std::string>& p) {
  std::string q;
  for (const std::string& s : p) {
    if (!q.empty()) q += ' ';
    q += s;
  }
  return q;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Snippet HTML to terminal text: entities decoded, <mark> as bold (or [[ ]]).
std::string SnippetText(const std::string& html, bool tty) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    auto take = [&](std::string_view pat, std::string_view rep) {
      if (html.compare(i, pat.size(), pat) != 0) return false;
      out += rep;
      i += pat.size();
      return true;
    };
    if (take("<mark>", tty ? "\x1b[1m" : "[[") || take("</mark>", tty ? "\x1b[0m" : "]]") ||
        take("&amp;", "&") || take("&lt;", "<") || take("&gt;", ">") || take("&quot;", "\"") ||
        take("&#39;", "'")) {
      continue;
    }
    const char c = html[i++];
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  return out;
}

}  // namespace

int RunSearch(const Argv& argv) {
  Args args(
      "search", "wildchat search --index DIR [options] QUERY",
      "Searches an index (query language: docs/query.md). Exit code 2 for a malformed query.");
  args.Option("index", "DIR", "index directory");
  args.Option("limit", "N", "hits to show", "10");
  args.Option("offset", "N", "hits to skip", "0");
  args.Option("sort", "ORDER", "relevance, newest, oldest or random", "relevance");
  args.Option("seed", "S", "seed for --sort random", "0");
  args.Option("facets", "F,...",
              "count matches by model,language,country,state,toxic,redacted,turns,month");
  args.Flag("json", "print the result as JSON");
  int code = 0;
  if (!ParseOrExit(args, argv, &code)) return code;
  if (!args.Has("index"))
    return ReportError("search", Status::InvalidArgument("--index DIR is required"));
  SearchRequest req;
  req.query = JoinPositionals(args.positionals());
  Status st = args.GetInt("limit", &req.limit);
  if (st.ok()) st = args.GetInt("offset", &req.offset);
  int64_t seed = 0;
  if (st.ok()) st = args.GetInt("seed", &seed);
  if (!st.ok()) return ReportError("search", st);
  req.seed = static_cast<uint64_t>(seed);
  if (!ParseSortOrder(args.Get("sort"), &req.sort)) {
    return ReportError(
        "search", Status::InvalidArgument("--sort must be relevance, newest, oldest or random"));
  }
  req.facets = SplitComma(args.Get("facets"));
  std::unique_ptr<Index> index;
  st = Index::Open(args.Get("index"), &index);
  if (!st.ok()) return ReportError("search", st);
  SearchResult result;
  st = index->Search(req, &result);
  if (!st.ok()) return ReportError("search", st);
  std::string out;
  if (args.Has("json")) {
    AppendSearchResultJson(&out, result);  // exactly what GET /api/search returns
    out.push_back('\n');
  } else {
    const bool tty = ::isatty(STDOUT_FILENO);
    char buf[128];
    std::snprintf(buf, sizeof(buf), "%llu matches (%.1f ms)\n",
                  static_cast<unsigned long long>(result.total), result.took_ms);
    out += buf;
    for (const Hit& h : result.hits) {
      out += "\n" + std::to_string(h.id) + "  " + h.model + "  " +
             (h.timestamp ? FormatIso8601(*h.timestamp).substr(0, 19) : std::string("-")) + "  " +
             h.language.value_or("-") + "  " + h.country.value_or("-") +
             "  turns=" + std::to_string(h.turn);
      if (h.toxic) out += "  toxic";
      if (h.redacted) out += "  redacted";
      if (req.sort == SortOrder::kRelevance && h.score > 0) {
        std::snprintf(buf, sizeof(buf), "  score=%.3f", h.score);
        out += buf;
      }
      out += "\n";
      for (const Snippet& s : h.snippets) {
        out +=
            "  " + s.role + "[" + std::to_string(s.turn) + "]: " + SnippetText(s.text, tty) + "\n";
      }
    }
    for (const auto& [field, counts] : result.facets) {
      out += "\n" + field + ":\n";
      for (const auto& [value, n] : counts) out += "  " + value + "  " + std::to_string(n) + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace wildchat
