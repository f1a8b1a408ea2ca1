#include "io/conversation_json.h"

#include <simdjson.h>

#include <charconv>

#include "io/json_writer.h"
#include "io/utf8.h"
#include "model/timestamp.h"

namespace wildchat {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(res.ptr - buf));
}

void AppendOptString(std::string* out, const std::optional<std::string>& s) {
  if (s) {
    AppendJsonString(out, *s);
  } else {
    out->append("null");
  }
}

void AppendTriBool(std::string* out, TriBool b) {
  out->append(b == TriBool::kNull ? "null" : (b == TriBool::kTrue ? "true" : "false"));
}

void AppendOptTimestamp(std::string* out, const std::optional<TimestampMicros>& t) {
  if (t) {
    out->push_back('"');
    out->append(FormatIso8601(*t));
    out->push_back('"');
  } else {
    out->append("null");
  }
}

void AppendHeader(std::string* out, const std::optional<Header>& h) {
  if (!h) {
    out->append("null");
    return;
  }
  out->append("{\"accept-language\":");
  AppendOptString(out, h->accept_language);
  out->append(",\"user-agent\":");
  AppendOptString(out, h->user_agent);
  out->push_back('}');
}

void AppendExtra(std::string* out, const ExtraFields& extra) {
  for (const auto& [name, raw] : extra) {
    out->push_back(',');
    AppendJsonString(out, name);
    out->push_back(':');
    out->append(raw);
  }
}

}  // namespace

void AppendUtteranceJson(std::string* out, const Utterance& u) {
  out->append("{\"content\":");
  AppendJsonString(out, u.content);
  out->append(",\"country\":");
  AppendOptString(out, u.country);
  out->append(",\"hashed_ip\":");
  AppendOptString(out, u.hashed_ip);
  out->append(",\"header\":");
  AppendHeader(out, u.header);
  out->append(",\"language\":");
  AppendOptString(out, u.language);
  out->append(",\"redacted\":");
  AppendTriBool(out, u.redacted);
  out->append(",\"role\":");
  AppendJsonString(out, u.role);
  out->append(",\"state\":");
  AppendOptString(out, u.state);
  out->append(",\"timestamp\":");
  AppendOptTimestamp(out, u.timestamp);
  out->append(",\"toxic\":");
  AppendTriBool(out, u.toxic);
  out->append(",\"turn_identifier\":");
  AppendInt(out, u.turn_identifier);
  AppendExtra(out, u.extra);
  out->push_back('}');
}

// Appends {"harassment": v, ...} over the 18 categories in schema order, or
// null when the whole object is null.
template <typename Values, typename AppendValue>
void AppendCategoryObject(std::string* out, bool is_null, const Values& values,
                          AppendValue append_value) {
  if (is_null) {
    out->append("null");
    return;
  }
  out->push_back('{');
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    if (i) out->push_back(',');
    out->push_back('"');
    out->append(kModerationCategories[i]);
    out->append("\":");
    append_value(out, values[i]);
  }
  out->push_back('}');
}

void AppendOpenAiModerationJson(std::string* out, const OpenAiModeration& m) {
  out->append("{\"categories\":");
  AppendCategoryObject(out, m.categories_null, m.categories, AppendTriBool);
  out->append(",\"category_scores\":");
  AppendCategoryObject(out, m.scores_null, m.category_scores, AppendJsonDouble);
  out->append(",\"flagged\":");
  AppendTriBool(out, m.flagged);
  out->push_back('}');
}

void AppendDetoxifyModerationJson(std::string* out, const DetoxifyModeration& m) {
  out->push_back('{');
  for (int i = 0; i < kDetoxifyFieldCount; ++i) {
    if (i) out->push_back(',');
    out->push_back('"');
    out->append(kDetoxifyFields[i]);
    out->append("\":");
    AppendJsonDouble(out, m.scores[i]);
  }
  out->push_back('}');
}

void AppendConversationJson(std::string* out, const Conversation& c) {
  out->append("{\"conversation_hash\":");
  AppendJsonString(out, c.conversation_hash);
  out->append(",\"model\":");
  AppendJsonString(out, c.model);
  out->append(",\"timestamp\":");
  AppendOptTimestamp(out, c.timestamp);
  out->append(",\"conversation\":[");
  for (size_t i = 0; i < c.conversation.size(); ++i) {
    if (i) out->push_back(',');
    AppendUtteranceJson(out, c.conversation[i]);
  }
  out->append("],\"turn\":");
  AppendInt(out, c.turn);
  out->append(",\"language\":");
  AppendOptString(out, c.language);
  out->append(",\"openai_moderation\":[");
  for (size_t i = 0; i < c.openai_moderation.size(); ++i) {
    if (i) out->push_back(',');
    AppendOpenAiModerationJson(out, c.openai_moderation[i]);
  }
  out->append("],\"detoxify_moderation\":[");
  for (size_t i = 0; i < c.detoxify_moderation.size(); ++i) {
    if (i) out->push_back(',');
    AppendDetoxifyModerationJson(out, c.detoxify_moderation[i]);
  }
  out->append("],\"toxic\":");
  AppendTriBool(out, c.toxic);
  out->append(",\"redacted\":");
  AppendTriBool(out, c.redacted);
  out->append(",\"state\":");
  AppendOptString(out, c.state);
  out->append(",\"country\":");
  AppendOptString(out, c.country);
  out->append(",\"hashed_ip\":");
  AppendOptString(out, c.hashed_ip);
  out->append(",\"header\":");
  AppendHeader(out, c.header);
  AppendExtra(out, c.extra);
  out->push_back('}');
}

// ---------------------------------------------------------------------------
// Parsing

namespace {

// Builds "conversation[2].turn_identifier" style paths only when an error is
// reported, so the happy path allocates nothing for them.
struct Path {
  const char* list = nullptr;  // "conversation", "openai_moderation", ...
  size_t index = 0;
  std::string_view field;
  std::string_view sub;

  std::string str() const {
    std::string s;
    if (list) {
      s += list;
      s += '[' + std::to_string(index) + ']';
      if (!field.empty()) s += '.';
    }
    s += field;
    if (!sub.empty()) {
      s += '.';
      s += sub;
    }
    return s;
  }
};

Status TypeError(const Path& p, const char* expected) {
  return Status::InvalidArgument(p.str() + ": expected " + expected);
}

Status ReadOptString(element v, std::optional<std::string>* out, const Path& p) {
  if (v.is_null()) {
    out->reset();
    return Status::OK();
  }
  std::string_view s;
  if (v.get_string().get(s)) return TypeError(p, "string or null");
  out->emplace(s);
  return Status::OK();
}

Status ReadString(element v, std::string* out, const Path& p) {
  std::string_view s;
  if (v.get_string().get(s)) return TypeError(p, "string");
  out->assign(s);
  return Status::OK();
}

Status ReadTriBool(element v, TriBool* out, const Path& p) {
  if (v.is_null()) {
    *out = TriBool::kNull;
    return Status::OK();
  }
  bool b;
  if (v.get_bool().get(b)) return TypeError(p, "true, false or null");
  *out = ToTriBool(b);
  return Status::OK();
}

Status ReadInt(element v, int64_t* out, const Path& p) {
  if (v.get_int64().get(*out)) return TypeError(p, "integer");
  return Status::OK();
}

Status ReadScore(element v, double* out, const Path& p) {
  if (v.is_null()) {
    *out = kNullScore;
    return Status::OK();
  }
  if (v.get_double().get(*out)) return TypeError(p, "number or null");
  return Status::OK();
}

Status ReadTimestamp(element v, std::optional<TimestampMicros>* out, const Path& p) {
  switch (v.type()) {
    case element_type::NULL_VALUE:
      out->reset();
      return Status::OK();
    case element_type::INT64: {
      const int64_t ms = v.get_int64().value_unsafe();
      // Keep well inside int64 microseconds.
      if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000) {
        return Status::InvalidArgument(p.str() + ": timestamp out of range");
      }
      *out = ms * 1000;
      return Status::OK();
    }
    case element_type::STRING: {
      std::string_view s = v.get_string().value_unsafe();
      auto t = ParseIso8601(s);
      if (!t) {
        return Status::InvalidArgument(p.str() + ": not an ISO-8601 timestamp: '" +
                                       std::string(s.substr(0, 64)) + "'");
      }
      *out = *t;
      return Status::OK();
    }
    default:
      return TypeError(p, "ISO-8601 string, epoch milliseconds or null");
  }
}

Status ReadHeader(element v, std::optional<Header>* out, Path p) {
  if (v.is_null()) {
    out->reset();
    return Status::OK();
  }
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return TypeError(p, "object or null");
  Header h;
  for (auto field : obj) {
    if (field.key == "accept-language") {
      p.sub = "accept-language";
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(field.value, &h.accept_language, p));
    } else if (field.key == "user-agent") {
      p.sub = "user-agent";
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(field.value, &h.user_agent, p));
    }
  }
  *out = std::move(h);
  return Status::OK();
}

std::string RawJson(element v) {
  return simdjson::minify(v);
}

Status ReadUtterance(element v, size_t index, Utterance* u, const ReadOptions& options) {
  Path p{"conversation", index, {}, {}};
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return TypeError(p, "object");
  *u = Utterance();
  bool have_content = false, have_role = false;
  for (auto field : obj) {
    const std::string_view k = field.key;
    p.field = k;
    const element& val = field.value;
    if (k == "content") {
      have_content = true;
      if (options.need_text) {
        WILDCHAT_RETURN_IF_ERROR(ReadString(val, &u->content, p));
      } else if (!val.is_string()) {
        return TypeError(p, "string");
      }
    } else if (k == "role") {
      have_role = true;
      WILDCHAT_RETURN_IF_ERROR(ReadString(val, &u->role, p));
    } else if (k == "turn_identifier") {
      WILDCHAT_RETURN_IF_ERROR(ReadInt(val, &u->turn_identifier, p));
    } else if (k == "language") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &u->language, p));
    } else if (k == "timestamp") {
      WILDCHAT_RETURN_IF_ERROR(ReadTimestamp(val, &u->timestamp, p));
    } else if (k == "toxic") {
      WILDCHAT_RETURN_IF_ERROR(ReadTriBool(val, &u->toxic, p));
    } else if (k == "redacted") {
      WILDCHAT_RETURN_IF_ERROR(ReadTriBool(val, &u->redacted, p));
    } else if (k == "country") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &u->country, p));
    } else if (k == "state") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &u->state, p));
    } else if (k == "hashed_ip") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &u->hashed_ip, p));
    } else if (k == "header") {
      WILDCHAT_RETURN_IF_ERROR(ReadHeader(val, &u->header, p));
    } else {
      u->extra.emplace_back(std::string(k), RawJson(val));
    }
  }
  p.field = {};
  if (!have_content) {
    p.field = "content";
    return Status::InvalidArgument(p.str() + ": missing required field");
  }
  if (!have_role) {
    p.field = "role";
    return Status::InvalidArgument(p.str() + ": missing required field");
  }
  return Status::OK();
}

Status ReadOpenAi(element v, size_t index, OpenAiModeration* m) {
  Path p{"openai_moderation", index, {}, {}};
  *m = OpenAiModeration();
  if (v.is_null()) return Status::OK();
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return TypeError(p, "object or null");
  for (auto field : obj) {
    const std::string_view k = field.key;
    p.field = k;
    p.sub = {};
    if (k == "flagged") {
      WILDCHAT_RETURN_IF_ERROR(ReadTriBool(field.value, &m->flagged, p));
    } else if (k == "categories" || k == "category_scores") {
      const bool scores = k == "category_scores";
      if (field.value.is_null()) continue;
      simdjson::dom::object cats;
      if (field.value.get_object().get(cats)) return TypeError(p, "object or null");
      (scores ? m->scores_null : m->categories_null) = false;
      for (auto cat : cats) {
        const int i = ModerationCategoryIndex(cat.key);
        if (i < 0) continue;  // categories OpenAI may add later
        p.sub = cat.key;
        if (scores) {
          WILDCHAT_RETURN_IF_ERROR(ReadScore(cat.value, &m->category_scores[i], p));
        } else {
          WILDCHAT_RETURN_IF_ERROR(ReadTriBool(cat.value, &m->categories[i], p));
        }
      }
    }
  }
  return Status::OK();
}

Status ReadDetoxify(element v, size_t index, DetoxifyModeration* m) {
  Path p{"detoxify_moderation", index, {}, {}};
  *m = DetoxifyModeration();
  if (v.is_null()) return Status::OK();
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return TypeError(p, "object or null");
  for (auto field : obj) {
    for (int i = 0; i < kDetoxifyFieldCount; ++i) {
      if (field.key == kDetoxifyFields[i]) {
        p.field = field.key;
        WILDCHAT_RETURN_IF_ERROR(ReadScore(field.value, &m->scores[i], p));
        break;
      }
    }
  }
  return Status::OK();
}

template <typename T, typename Fn>
Status ReadList(element v, const char* name, std::vector<T>* out, Fn read_one) {
  out->clear();
  if (v.is_null()) return Status::OK();
  simdjson::dom::array arr;
  if (v.get_array().get(arr)) return TypeError(Path{nullptr, 0, name, {}}, "array");
  out->resize(arr.size());
  size_t i = 0;
  for (element e : arr) {
    WILDCHAT_RETURN_IF_ERROR(read_one(e, i, &(*out)[i]));
    ++i;
  }
  return Status::OK();
}

Status ReadConversation(element doc, Conversation* out, const ReadOptions& options) {
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return Status::InvalidArgument("expected a JSON object");
  *out = Conversation();
  bool have_conversation = false;
  for (auto field : obj) {
    const std::string_view k = field.key;
    const element& val = field.value;
    const Path p{nullptr, 0, k, {}};
    if (k == "conversation") {
      have_conversation = true;
      simdjson::dom::array arr;
      if (val.get_array().get(arr)) return TypeError(p, "array");
      out->conversation.resize(arr.size());
      size_t i = 0;
      for (element e : arr) {
        WILDCHAT_RETURN_IF_ERROR(ReadUtterance(e, i, &out->conversation[i], options));
        ++i;
      }
    } else if (k == "conversation_hash") {
      WILDCHAT_RETURN_IF_ERROR(ReadString(val, &out->conversation_hash, p));
    } else if (k == "model") {
      WILDCHAT_RETURN_IF_ERROR(ReadString(val, &out->model, p));
    } else if (k == "timestamp") {
      WILDCHAT_RETURN_IF_ERROR(ReadTimestamp(val, &out->timestamp, p));
    } else if (k == "turn") {
      WILDCHAT_RETURN_IF_ERROR(ReadInt(val, &out->turn, p));
    } else if (k == "language") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &out->language, p));
    } else if (k == "openai_moderation") {
      if (!options.need_moderation) continue;
      WILDCHAT_RETURN_IF_ERROR(
          ReadList(val, "openai_moderation", &out->openai_moderation,
                   [](element e, size_t i, OpenAiModeration* m) { return ReadOpenAi(e, i, m); }));
    } else if (k == "detoxify_moderation") {
      if (!options.need_moderation) continue;
      WILDCHAT_RETURN_IF_ERROR(ReadList(
          val, "detoxify_moderation", &out->detoxify_moderation,
          [](element e, size_t i, DetoxifyModeration* m) { return ReadDetoxify(e, i, m); }));
    } else if (k == "toxic") {
      WILDCHAT_RETURN_IF_ERROR(ReadTriBool(val, &out->toxic, p));
    } else if (k == "redacted") {
      WILDCHAT_RETURN_IF_ERROR(ReadTriBool(val, &out->redacted, p));
    } else if (k == "state") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &out->state, p));
    } else if (k == "country") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &out->country, p));
    } else if (k == "hashed_ip") {
      WILDCHAT_RETURN_IF_ERROR(ReadOptString(val, &out->hashed_ip, p));
    } else if (k == "header") {
      WILDCHAT_RETURN_IF_ERROR(ReadHeader(val, &out->header, p));
    } else {
      out->extra.emplace_back(std::string(k), RawJson(val));
    }
  }
  if (!have_conversation) return Status::InvalidArgument("conversation: missing required field");
  return Status::OK();
}

}  // namespace

Status ParseConversationJson(std::string_view json, Conversation* out, const ReadOptions& options) {
  thread_local simdjson::dom::parser parser;
  element doc;
  const auto err = parser.parse(json.data(), json.size(), true).get(doc);
  if (err) {
    if (err == simdjson::UTF8_ERROR) {
      const size_t at = FindInvalidUtf8(json);
      if (at != std::string_view::npos) {
        return Status::InvalidArgument("invalid UTF-8 at byte offset " + std::to_string(at));
      }
    }
    if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Status::InvalidArgument("empty line (expected a JSON object)");
    }
    return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return ReadConversation(doc, out, options);
}

}  // namespace wildchat
