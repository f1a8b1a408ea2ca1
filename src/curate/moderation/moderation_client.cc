#include "curate/moderation/moderation_client.h"

#include <httplib.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/sha256.h"
#include "io/conversation_json.h"
#include "io/json_writer.h"
#include "io/utf8.h"

namespace wildchat::curate {
namespace fs = std::filesystem;
namespace {

// The other spelling of a category ("self-harm/intent" <-> "self_harm_intent"), or -1.
int TwinCategory(std::string_view name) {
  std::string twin(name);
  for (char& c : twin)
    if (c == '/' || c == '-') c = '_';
  if (twin == name) {
    // Underscore name: the slash spelling replaces the first '_' by '-' for
    // self-harm and the separator before the sub-category by '/'.
    for (int i = 0; i < kModerationCategoryCount; ++i) {
      std::string u(kModerationCategories[i]);
      for (char& c : u)
        if (c == '/' || c == '-') c = '_';
      if (u == name && kModerationCategories[i] != name) return i;
    }
    return -1;
  }
  return ModerationCategoryIndex(twin);
}

// Splits text into pieces of at most max bytes, never inside a UTF-8 sequence.
std::vector<std::string_view> SplitText(std::string_view text, size_t max) {
  std::vector<std::string_view> out;
  while (text.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    if (cut == 0) cut = max;
    out.push_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  out.push_back(text);
  return out;
}

}  // namespace

Status ParseModerationResult(std::string_view json, OpenAiModeration* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS)
    return Status::Corruption("moderation result: not JSON");
  OpenAiModeration m;
  bool flagged = false;
  if (root["flagged"].get(flagged) == simdjson::SUCCESS) m.flagged = ToTriBool(flagged);
  simdjson::dom::object cats, scores;
  if (root["categories"].get(cats) == simdjson::SUCCESS) {
    m.categories_null = false;
    for (auto [k, v] : cats) {
      bool b = false;
      if (v.get(b) != simdjson::SUCCESS) continue;
      for (int i : {ModerationCategoryIndex(k), TwinCategory(k)})
        if (i >= 0) m.categories[i] = ToTriBool(b);
    }
  }
  if (root["category_scores"].get(scores) == simdjson::SUCCESS) {
    m.scores_null = false;
    for (auto [k, v] : scores) {
      double d = 0;
      if (v.get(d) != simdjson::SUCCESS) continue;
      for (int i : {ModerationCategoryIndex(k), TwinCategory(k)})
        if (i >= 0) m.category_scores[i] = d;
    }
  }
  *out = m;
  return Status::OK();
}

void MergeModeration(const OpenAiModeration& p, OpenAiModeration* into) {
  if (into->empty()) {
    *into = p;
    return;
  }
  if (p.flagged != TriBool::kNull)
    into->flagged = ToTriBool(IsTrue(into->flagged) || IsTrue(p.flagged));
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    if (p.categories[i] != TriBool::kNull)
      into->categories[i] = ToTriBool(IsTrue(into->categories[i]) || IsTrue(p.categories[i]));
    if (!IsNullScore(p.category_scores[i]) &&
        (IsNullScore(into->category_scores[i]) || p.category_scores[i] > into->category_scores[i]))
      into->category_scores[i] = p.category_scores[i];
  }
  into->categories_null = into->categories_null && p.categories_null;
  into->scores_null = into->scores_null && p.scores_null;
}

ModerationClient::~ModerationClient() = default;

Status ModerationClient::Create(const ModerationClientOptions& options,
                                std::unique_ptr<ModerationClient>* out) {
  std::unique_ptr<ModerationClient> c(new ModerationClient());
  c->options_ = options;
  const std::string& url = options.url;
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos)
    return Status::InvalidArgument("--moderation-url: expected http(s)://host[:port]/path");
  const size_t slash = url.find('/', scheme + 3);
  c->base_ = url.substr(0, slash);
  c->path_ = slash == std::string::npos ? "/v1/moderations" : url.substr(slash);
  if (options.batch_size == 0 || options.max_chars == 0)
    return Status::InvalidArgument("moderation batch size and max chars must be positive");
  if (!options.cache_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.cache_dir, ec);
    if (ec) return Status::IOError(options.cache_dir + ": " + ec.message());
  }
  *out = std::move(c);
  return Status::OK();
}

bool ModerationClient::ReadCache(const std::string& key, OpenAiModeration* out) const {
  if (options_.cache_dir.empty()) return false;
  std::ifstream in(fs::path(options_.cache_dir) / key.substr(0, 2) / key, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseModerationResult(ss.str(), out).ok();
}

void ModerationClient::WriteCache(const std::string& key, const OpenAiModeration& m) const {
  if (options_.cache_dir.empty()) return;
  const fs::path dir = fs::path(options_.cache_dir) / key.substr(0, 2);
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string json;
  AppendOpenAiModerationJson(&json, m);
  const fs::path tmp = dir / (key + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary);
    out << json;
    if (!out) return;
  }
  fs::rename(tmp, dir / key, ec);  // atomic: readers see whole entries only
}

Status ModerationClient::Post(const std::vector<std::string_view>& inputs,
                              std::vector<OpenAiModeration>* out) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  if (!options_.model.empty()) w.Key("model").String(options_.model);
  w.Key("input").BeginArray();
  for (auto s : inputs) w.String(s);
  w.EndArray().EndObject();

  httplib::Client cli(base_);
  cli.set_connection_timeout(options_.timeout_seconds);
  cli.set_read_timeout(options_.timeout_seconds);
  httplib::Headers headers;
  if (!options_.api_key.empty()) headers.emplace("Authorization", "Bearer " + options_.api_key);
  std::string last_error;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    if (attempt > 0) {
      ++stats_.retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(
          static_cast<int64_t>(options_.initial_backoff_ms) << (attempt - 1)));
    }
    ++stats_.requests;
    auto res = cli.Post(path_, headers, body, "application/json");
    if (!res) {
      last_error = "connection failed (" + httplib::to_string(res.error()) + ")";
      continue;
    }
    if (res->status == 429 || res->status >= 500) {
      last_error = "HTTP " + std::to_string(res->status);
      continue;
    }
    if (res->status != 200)
      return Status::IOError(options_.url + ": HTTP " + std::to_string(res->status) + ": " +
                             res->body.substr(0, 200));
    simdjson::dom::parser parser;
    simdjson::dom::array results;
    if (parser.parse(res->body).get_object()["results"].get(results) != simdjson::SUCCESS)
      return Status::Corruption(options_.url + ": response has no \"results\" array");
    out->clear();
    for (simdjson::dom::element r : results) {
      OpenAiModeration m;
      WILDCHAT_RETURN_IF_ERROR(ParseModerationResult(simdjson::minify(r), &m));
      out->push_back(m);
    }
    if (out->size() != inputs.size())
      return Status::Corruption(options_.url + ": " + std::to_string(out->size()) +
                                " results for " + std::to_string(inputs.size()) + " inputs");
    return Status::OK();
  }
  return Status::IOError(options_.url + ": " + last_error + " after " +
                         std::to_string(options_.max_retries + 1) + " attempts");
}

Status ModerationClient::Moderate(const std::vector<std::string_view>& texts,
                                  std::vector<OpenAiModeration>* out) {
  out->assign(texts.size(), OpenAiModeration());
  // Pieces still to send: (text index, piece).
  std::vector<std::pair<size_t, std::string_view>> pending;
  std::vector<std::string> keys(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) continue;
    keys[i] = Sha256Hex(texts[i]);
    if (ReadCache(keys[i], &(*out)[i])) {
      ++stats_.cache_hits;
      continue;
    }
    for (auto piece : SplitText(texts[i], options_.max_chars)) pending.emplace_back(i, piece);
  }
  std::vector<bool> done(texts.size(), false);
  for (size_t b = 0; b < pending.size(); b += options_.batch_size) {
    const size_t e = std::min(pending.size(), b + options_.batch_size);
    std::vector<std::string_view> inputs;
    for (size_t k = b; k < e; ++k) inputs.push_back(pending[k].second);
    std::vector<OpenAiModeration> results;
    WILDCHAT_RETURN_IF_ERROR(Post(inputs, &results));
    for (size_t k = b; k < e; ++k) {
      MergeModeration(results[k - b], &(*out)[pending[k].first]);
      done[pending[k].first] = true;
    }
  }
  for (size_t i = 0; i < texts.size(); ++i)
    if (done[i]) WriteCache(keys[i], (*out)[i]);
  return Status::OK();
}

}  // namespace wildchat::curate
