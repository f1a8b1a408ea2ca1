#include "embed/embeddings_client.h"

#include <httplib.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/sha256.h"
#include "io/json_writer.h"

namespace wildchat {
namespace {

std::string CacheKey(const std::string& model, const std::string& text) {
  unsigned char digest[32];
  Sha256(model + '\n' + text, digest);
  return std::string(reinterpret_cast<const char*>(digest), 32);
}

void Normalize(std::vector<float>* v) {
  double n = 0;
  for (float x : *v) n += static_cast<double>(x) * x;
  if (n <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(n));
  for (float& x : *v) x *= inv;
}

// Splits "http://host:port/path" into scheme+authority and path.
void SplitUrl(const std::string& url, std::string* base, std::string* path) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  *base = slash == std::string::npos ? url : url.substr(0, slash);
  *path = slash == std::string::npos ? "" : url.substr(slash);
  while (!path->empty() && path->back() == '/') path->pop_back();
  if (path->size() < 11 || path->compare(path->size() - 11, 11, "/embeddings") != 0)
    *path += (path->size() >= 3 && path->compare(path->size() - 3, 3, "/v1") == 0)
                 ? "/embeddings"
                 : "/v1/embeddings";
}

}  // namespace

EmbeddingsClient::EmbeddingsClient(EmbeddingsClientOptions options)
    : options_(std::move(options)) {}

Status EmbeddingsClient::LoadCache() {
  cache_loaded_ = true;
  if (options_.cache_path.empty()) return Status::OK();
  std::ifstream f(options_.cache_path, std::ios::binary);
  if (!f) return Status::OK();  // no cache yet
  std::ostringstream s;
  s << f.rdbuf();
  const std::string bytes = std::move(s).str();
  size_t at = 0;
  while (at + 36 <= bytes.size()) {
    uint32_t dim;
    std::memcpy(&dim, bytes.data() + at + 32, 4);
    const size_t need = 36 + static_cast<size_t>(dim) * 4;
    if (dim == 0 || dim > 65536 || at + need > bytes.size()) break;  // torn tail
    std::vector<float> v(dim);
    std::memcpy(v.data(), bytes.data() + at + 36, dim * 4);
    cache_[bytes.substr(at, 32)] = std::move(v);
    at += need;
  }
  return Status::OK();
}

Status EmbeddingsClient::Request(const std::vector<const std::string*>& batch,
                                 std::vector<std::vector<float>>* vectors) {
  std::string base, path;
  SplitUrl(options_.url, &base, &path);
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("model").String(options_.model).Key("input").BeginArray();
  for (const std::string* t : batch) w.String(*t);
  w.EndArray().Key("encoding_format").String("float").EndObject();

  httplib::Headers headers;
  if (!options_.api_key_env.empty()) {
    if (const char* key = std::getenv(options_.api_key_env.c_str()))
      headers.emplace("Authorization", std::string("Bearer ") + key);
  }
  std::string last_error;
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(
          std::chrono::milliseconds(options_.initial_backoff_ms << (attempt - 1)));
    httplib::Client client(base);
    client.set_connection_timeout(10);
    client.set_read_timeout(options_.timeout_seconds);
    ++requests_;
    auto res = client.Post(path.c_str(), headers, body, "application/json");
    if (!res) {
      last_error = "connection failed (" + httplib::to_string(res.error()) + ")";
      continue;
    }
    if (res->status == 429 || res->status >= 500) {
      last_error = "HTTP " + std::to_string(res->status);
      continue;
    }
    if (res->status != 200)
      return Status::InvalidArgument(options_.url + ": HTTP " + std::to_string(res->status) + ": " +
                                     res->body.substr(0, 200));
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array data;
    if (parser.parse(res->body).get(root) || root["data"].get(data))
      return Status::Corruption(options_.url + ": answer has no \"data\" array");
    vectors->assign(batch.size(), {});
    size_t position = 0;
    for (auto item : data) {
      uint64_t index = position++;
      if (uint64_t i; !item["index"].get(i)) index = i;
      simdjson::dom::array emb;
      if (index >= batch.size() || item["embedding"].get(emb))
        return Status::Corruption(options_.url + ": bad item in \"data\"");
      std::vector<float>& v = (*vectors)[index];
      for (auto x : emb) {
        double d;
        if (x.get_double().get(d))
          return Status::Corruption(options_.url + ": non-numeric embedding");
        v.push_back(static_cast<float>(d));
      }
    }
    for (const auto& v : *vectors)
      if (v.empty()) return Status::Corruption(options_.url + ": answer misses some inputs");
    return Status::OK();
  }
  return Status::IOError(options_.url + ": " + last_error + " after " +
                         std::to_string(options_.retries + 1) + " attempts");
}

Status EmbeddingsClient::Embed(const std::vector<std::string>& texts, int* dim,
                               std::vector<float>* out) {
  if (!cache_loaded_) WILDCHAT_RETURN_IF_ERROR(LoadCache());
  std::vector<std::string> keys(texts.size());
  std::vector<size_t> missing;  // first occurrence of each uncached text
  {
    std::unordered_map<std::string, bool> queued;
    for (size_t i = 0; i < texts.size(); ++i) {
      keys[i] = CacheKey(options_.model, texts[i]);
      if (cache_.count(keys[i])) {
        ++cache_hits_;
      } else if (queued.emplace(keys[i], true).second) {
        missing.push_back(i);
      }
    }
  }
  std::ofstream cache_file;
  if (!options_.cache_path.empty() && !missing.empty())
    cache_file.open(options_.cache_path, std::ios::binary | std::ios::app);
  const size_t batch = static_cast<size_t>(std::max(1, options_.batch));
  for (size_t s = 0; s < missing.size(); s += batch) {
    std::vector<const std::string*> texts_batch;
    std::vector<size_t> rows;
    for (size_t r = s; r < std::min(missing.size(), s + batch); ++r) {
      texts_batch.push_back(&texts[missing[r]]);
      rows.push_back(missing[r]);
    }
    std::vector<std::vector<float>> vectors;
    WILDCHAT_RETURN_IF_ERROR(Request(texts_batch, &vectors));
    for (size_t r = 0; r < rows.size(); ++r) {
      Normalize(&vectors[r]);
      if (cache_file.is_open()) {
        const auto d = static_cast<uint32_t>(vectors[r].size());
        cache_file.write(keys[rows[r]].data(), 32);
        cache_file.write(reinterpret_cast<const char*>(&d), 4);
        cache_file.write(reinterpret_cast<const char*>(vectors[r].data()), d * 4);
      }
      cache_[keys[rows[r]]] = std::move(vectors[r]);
    }
    if (cache_file.is_open()) cache_file.flush();
  }
  *dim = 0;
  out->clear();
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float>& v = cache_.at(keys[i]);
    if (*dim == 0) *dim = static_cast<int>(v.size());
    if (static_cast<int>(v.size()) != *dim)
      return Status::Corruption(options_.url + ": embeddings of different dimensions (" +
                                std::to_string(*dim) + " and " + std::to_string(v.size()) + ")");
    out->insert(out->end(), v.begin(), v.end());
  }
  return Status::OK();
}

}  // namespace wildchat
