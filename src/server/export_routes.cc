// GET /api/export?q=&format=jsonl|parquet[&area=]: every match, streamed.
//
// JSONL is produced while it is sent (chunked), so an export of the whole
// index needs no memory beyond one buffer. Parquet needs its footer before
// it can be read, so it is written to a temporary file first and then sent;
// the file is removed when the response ends.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>

#include "io/conversation_json.h"
#include "io/record_files.h"
#include "server/api_common.h"
#include "server/map_routes.h"
#include "server/routes.h"

namespace wildchat {
namespace {

constexpr size_t kFlushBytes = 256 * 1024;

std::string TempParquetPath() {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / ("wildchat-export-" + std::to_string(getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)) + ".parquet"))
      .string();
}

using Within = std::shared_ptr<const std::vector<uint32_t>>;

void StreamJsonl(const Index& index, const std::string& query, Within within,
                 httplib::Response& res) {
  res.set_chunked_content_provider(
      "application/x-ndjson; charset=utf-8",
      [&index, query, within](size_t, httplib::DataSink& sink) {
        std::string buffer;
        buffer.reserve(kFlushBytes * 2);
        Status st = index.ForEachMatch(
            query,
            [&](const Conversation& c) {
              AppendConversationJson(&buffer, c);
              buffer.push_back('\n');
              if (buffer.size() >= kFlushBytes) {
                if (!sink.write(buffer.data(), buffer.size())) {
                  return Status::IOError("client went away");
                }
                buffer.clear();
              }
              return Status::OK();
            },
            within.get());
        if (!st.ok()) return false;  // aborts the chunked response
        if (!buffer.empty() && !sink.write(buffer.data(), buffer.size())) return false;
        sink.done();
        return true;
      });
}

Status WriteParquet(const Index& index, const std::string& query, const Within& within,
                    const std::string& path) {
  std::unique_ptr<RecordWriter> writer;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordWriter(path, WriteOptions{}, &writer));
  WILDCHAT_RETURN_IF_ERROR(index.ForEachMatch(
      query, [&](const Conversation& c) { return writer->Write(c); }, within.get()));
  return writer->Close();
}

void SendFile(const std::string& path, httplib::Response& res) {
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  res.set_chunked_content_provider(
      "application/vnd.apache.parquet",
      [file](size_t, httplib::DataSink& sink) {
        std::vector<char> buffer(kFlushBytes);
        while (*file) {
          file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          std::streamsize n = file->gcount();
          if (n > 0 && !sink.write(buffer.data(), static_cast<size_t>(n))) return false;
        }
        sink.done();
        return true;
      },
      [path](bool) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
      });
}

}  // namespace

void AddExportRoutes(httplib::Server& server, const Index& index, MapCache& maps) {
  server.Get("/api/export", [&index, &maps](const httplib::Request& req, httplib::Response& res) {
    std::string query = StringParam(req, "q");
    std::string format = StringParam(req, "format");
    if (format.empty()) format = "jsonl";
    if (format != "jsonl" && format != "parquet") {
      return SendError(
          res, Status::InvalidArgument("parameter 'format' must be jsonl or parquet, not '" +
                                       format + "'"));
    }
    // Validate the query (and count the matches) before the response starts.
    SearchRequest probe;
    probe.query = query;
    probe.limit = 0;
    probe.snippets = false;
    Status st = AreaParam(req, maps, &probe.within);
    SearchResult counted;
    if (st.ok()) st = index.Search(probe, &counted);
    if (!st.ok()) return SendError(res, st);
    res.set_header("X-Total-Count", std::to_string(counted.total));
    res.set_header("Content-Disposition",
                   "attachment; filename=\"wildchat-export." + format + "\"");
    if (format == "jsonl") return StreamJsonl(index, query, probe.within, res);

    std::string path = TempParquetPath();
    st = WriteParquet(index, query, probe.within, path);
    if (!st.ok()) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      return SendError(res, st);
    }
    SendFile(path, res);
  });
}

}  // namespace wildchat
