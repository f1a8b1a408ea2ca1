#include "io/parquet/wildchat_schema.h"

#include <map>

#include "model/conversation.h"

namespace wildchat::parquet {

namespace {

std::vector<WildChatLeaf> MakeLeaves() {
  std::vector<WildChatLeaf> v;
  auto row = [&](std::vector<std::string> p, LeafKind k, int f, bool s = false) {
    v.push_back({std::move(p), k, LeafGroup::kRow, f, s});
  };
  auto utt = [&](std::vector<std::string> p, LeafKind k, int f, bool s = false) {
    p.insert(p.begin(), "conversation");
    v.push_back({std::move(p), k, LeafGroup::kConversation, f, s});
  };
  row({"conversation_hash"}, LeafKind::kString, kRowHash);
  row({"model"}, LeafKind::kString, kRowModel);
  row({"timestamp"}, LeafKind::kTimestamp, kRowTimestamp);
  utt({"content"}, LeafKind::kString, kUttContent);
  utt({"country"}, LeafKind::kString, kUttCountry);
  utt({"hashed_ip"}, LeafKind::kString, kUttHashedIp);
  utt({"header", "accept-language"}, LeafKind::kString, kUttAcceptLanguage, true);
  utt({"header", "user-agent"}, LeafKind::kString, kUttUserAgent, true);
  utt({"language"}, LeafKind::kString, kUttLanguage);
  utt({"redacted"}, LeafKind::kBool, kUttRedacted);
  utt({"role"}, LeafKind::kString, kUttRole);
  utt({"state"}, LeafKind::kString, kUttState);
  utt({"timestamp"}, LeafKind::kTimestamp, kUttTimestamp);
  utt({"toxic"}, LeafKind::kBool, kUttToxic);
  utt({"turn_identifier"}, LeafKind::kInt64, kUttTurnIdentifier);
  row({"turn"}, LeafKind::kInt64, kRowTurn);
  row({"language"}, LeafKind::kString, kRowLanguage);
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    v.push_back({{"openai_moderation", "categories", std::string(kModerationCategories[i])},
                 LeafKind::kBool,
                 LeafGroup::kOpenAi,
                 i,
                 true});
  }
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    v.push_back({{"openai_moderation", "category_scores", std::string(kModerationCategories[i])},
                 LeafKind::kDouble,
                 LeafGroup::kOpenAi,
                 kOpenAiScoreBase + i,
                 true});
  }
  v.push_back({{"openai_moderation", "flagged"},
               LeafKind::kBool,
               LeafGroup::kOpenAi,
               kOpenAiFlagged,
               false});
  for (int i = 0; i < kDetoxifyFieldCount; ++i) {
    v.push_back({{"detoxify_moderation", std::string(kDetoxifyFields[i])},
                 LeafKind::kDouble,
                 LeafGroup::kDetoxify,
                 i,
                 false});
  }
  row({"toxic"}, LeafKind::kBool, kRowToxic);
  row({"redacted"}, LeafKind::kBool, kRowRedacted);
  row({"state"}, LeafKind::kString, kRowState);
  row({"country"}, LeafKind::kString, kRowCountry);
  row({"hashed_ip"}, LeafKind::kString, kRowHashedIp);
  row({"header", "accept-language"}, LeafKind::kString, kRowAcceptLanguage, true);
  row({"header", "user-agent"}, LeafKind::kString, kRowUserAgent, true);
  return v;
}

// The flattened schema as a tree.
struct Node {
  const SchemaElement* e = nullptr;
  std::vector<int> children;
};

constexpr int kMaxSchemaDepth = 32;

Status BuildTree(const std::vector<SchemaElement>& schema, std::vector<Node>* nodes) {
  nodes->assign(schema.size(), Node());
  if (schema.empty()) return Status::InvalidArgument("empty schema");
  // Iterative pre-order: a stack of (node, children still to attach).
  std::vector<std::pair<int, int>> stack;
  for (size_t i = 0; i < schema.size(); ++i) {
    const SchemaElement& e = schema[i];
    (*nodes)[i].e = &e;
    if (e.num_children < 0 || static_cast<size_t>(e.num_children) > schema.size())
      return Status::InvalidArgument("schema element '" + e.name + "' has a bad child count");
    if (i == 0) {
      stack.push_back({0, e.num_children});
      continue;
    }
    while (!stack.empty() && stack.back().second == 0) stack.pop_back();
    if (stack.empty())
      return Status::InvalidArgument("schema has elements after the root's children");
    (*nodes)[stack.back().first].children.push_back(static_cast<int>(i));
    --stack.back().second;
    if (!e.type) {
      if (stack.size() > kMaxSchemaDepth)
        return Status::InvalidArgument("schema nested too deeply");
      stack.push_back({static_cast<int>(i), e.num_children});
    }
  }
  for (auto& [node, left] : stack) {
    if (left != 0)
      return Status::InvalidArgument("schema ends before all children of '" + schema[node].name +
                                     "'");
  }
  return Status::OK();
}

struct Walker {
  const std::vector<Node>& nodes;
  std::vector<LeafLayout>* leaves;

  static int DefOf(const SchemaElement& e) {
    return e.repetition && *e.repetition != Repetition::kRequired ? 1 : 0;
  }
  static bool IsList(const SchemaElement& e) {
    return (e.converted_type && *e.converted_type == kConvertedList) ||
           e.logical_type == kLogicalList;
  }

  Status Leaf(const Node& n, LeafLayout l) {
    const SchemaElement& e = *n.e;
    l.type = *e.type;
    l.type_length = e.type_length;
    if (e.logical_type == kLogicalTimestamp) {
      l.timestamp = true;
      l.unit = e.timestamp_unit;
    } else if (e.converted_type == kConvertedTimestampMicros) {
      l.timestamp = true;
      l.unit = TimeUnit::kMicros;
    } else if (e.converted_type == kConvertedTimestampMillis) {
      l.timestamp = true;
      l.unit = TimeUnit::kMillis;
    }
    if (l.type == PhysicalType::kInt96) l.timestamp = true;
    std::string dotted;
    for (const std::string& s : l.path_in_schema) dotted += (dotted.empty() ? "" : ".") + s;
    l.dotted = dotted;
    leaves->push_back(std::move(l));
    return Status::OK();
  }

  // Walks `idx` whose parent state is in `l` (def/rep reached before it).
  Status Walk(int idx, LeafLayout l, int depth) {
    const Node& n = nodes[idx];
    const SchemaElement& e = *n.e;
    if (depth > kMaxSchemaDepth) return Status::InvalidArgument("schema nested too deeply");
    l.path_in_schema.push_back(e.name);
    bool top = depth == 0;
    l.max_def += DefOf(e);
    bool repeated = e.repetition && *e.repetition == Repetition::kRepeated;
    if (repeated) ++l.max_rep;
    if (top) l.logical_path.push_back(e.name);

    if (e.type) {  // primitive
      if (!top) l.logical_path.push_back(e.name);
      if (repeated && !l.in_list) {  // bare repeated primitive: a list of values
        l.in_list = true;
        l.list_def = l.max_def - 1;
        l.entry_def = l.elem_def = l.max_def;
      }
      return Leaf(n, std::move(l));
    }
    if (!l.in_list && (repeated || IsList(e))) {
      l.in_list = true;
      if (repeated) {  // bare repeated group: it is the element
        l.list_def = l.max_def - 1;
        l.entry_def = l.elem_def = l.max_def;
        for (int c : n.children) WILDCHAT_RETURN_IF_ERROR(Walk(c, l, depth + 1));
        return Status::OK();
      }
      l.list_def = l.max_def;
      if (n.children.size() != 1)
        return Status::InvalidArgument("list '" + e.name + "' must have exactly one child");
      const Node& r = nodes[n.children[0]];
      if (!r.e->repetition || *r.e->repetition != Repetition::kRepeated)
        return Status::InvalidArgument("list '" + e.name + "' has a non-repeated child");
      l.path_in_schema.push_back(r.e->name);
      l.max_def += 1;
      l.max_rep += 1;
      l.entry_def = l.max_def;
      bool three_level = !r.e->type && r.children.size() == 1 && r.e->name != "array" &&
                         r.e->name != e.name + "_tuple";
      if (r.e->type) {  // list of primitives: the repeated node is the value
        l.elem_def = l.entry_def;
        return Leaf(r, std::move(l));
      }
      if (three_level) {
        const Node& c = nodes[r.children[0]];
        l.path_in_schema.push_back(c.e->name);
        l.max_def += DefOf(*c.e);
        if (c.e->repetition && *c.e->repetition == Repetition::kRepeated) ++l.max_rep;
        l.elem_def = l.max_def;
        if (c.e->type) return Leaf(c, std::move(l));
        for (int g : c.children) WILDCHAT_RETURN_IF_ERROR(Walk(g, l, depth + 3));
        return Status::OK();
      }
      l.elem_def = l.entry_def;
      for (int c : r.children) WILDCHAT_RETURN_IF_ERROR(Walk(c, l, depth + 2));
      return Status::OK();
    }
    // Plain struct.
    if (!top) l.logical_path.push_back(e.name);
    l.struct_def = l.max_def;
    for (int c : n.children) WILDCHAT_RETURN_IF_ERROR(Walk(c, l, depth + 1));
    return Status::OK();
  }
};

std::string JoinPath(const std::vector<std::string>& p) {
  std::string s;
  for (const std::string& x : p) s += (s.empty() ? "" : ".") + x;
  return s;
}

bool KindMatches(LeafKind k, const LeafLayout& l) {
  switch (k) {
    case LeafKind::kString:
      return l.type == PhysicalType::kByteArray;
    case LeafKind::kBool:
      return l.type == PhysicalType::kBoolean;
    case LeafKind::kInt64:
      return !l.timestamp && (l.type == PhysicalType::kInt64 || l.type == PhysicalType::kInt32);
    case LeafKind::kDouble:
      return l.type == PhysicalType::kDouble || l.type == PhysicalType::kFloat;
    case LeafKind::kTimestamp:
      return l.type == PhysicalType::kInt96 || l.type == PhysicalType::kInt64;
  }
  return false;
}

}  // namespace

const std::vector<WildChatLeaf>& WildChatLeaves() {
  static const std::vector<WildChatLeaf> leaves = MakeLeaves();
  return leaves;
}

Status ResolveSchema(const std::vector<SchemaElement>& schema, ResolvedSchema* out) {
  out->leaves.clear();
  out->column_of.assign(kWildChatLeafCount, -1);
  std::vector<Node> nodes;
  WILDCHAT_RETURN_IF_ERROR(BuildTree(schema, &nodes));
  Walker w{nodes, &out->leaves};
  for (int c : nodes[0].children) WILDCHAT_RETURN_IF_ERROR(w.Walk(c, LeafLayout(), 0));

  std::map<std::vector<std::string>, int> by_path;
  for (size_t i = 0; i < out->leaves.size(); ++i)
    by_path[out->leaves[i].logical_path] = static_cast<int>(i);
  const auto& want = WildChatLeaves();
  std::string missing;
  for (size_t i = 0; i < want.size(); ++i) {
    auto it = by_path.find(want[i].path);
    if (it == by_path.end()) {
      if (missing.size() < 300) missing += (missing.empty() ? "" : ", ") + JoinPath(want[i].path);
      continue;
    }
    const LeafLayout& l = out->leaves[it->second];
    bool list = want[i].group != LeafGroup::kRow;
    if (!KindMatches(want[i].kind, l) || l.in_list != list || l.max_rep != (list ? 1 : 0)) {
      return Status::InvalidArgument("not a WildChat schema: column " + l.dotted +
                                     " has an incompatible type or nesting");
    }
    out->column_of[i] = it->second;
  }
  if (!missing.empty())
    return Status::InvalidArgument("not a WildChat schema: missing column(s) " + missing);
  return Status::OK();
}

std::vector<SchemaElement> BuildWildChatSchema(const SchemaStyle& style) {
  std::vector<SchemaElement> s;
  auto group = [&](const std::string& name, int children, Repetition rep, bool list = false) {
    SchemaElement e;
    e.name = name;
    e.num_children = children;
    e.repetition = rep;
    if (list) {
      e.converted_type = kConvertedList;
      e.logical_type = kLogicalList;
    }
    s.push_back(e);
  };
  auto leaf = [&](const std::string& name, LeafKind k) {
    SchemaElement e;
    e.name = name;
    e.repetition = Repetition::kOptional;
    switch (k) {
      case LeafKind::kString:
        e.type = PhysicalType::kByteArray;
        e.converted_type = kConvertedUtf8;
        e.logical_type = kLogicalString;
        break;
      case LeafKind::kBool:
        e.type = PhysicalType::kBoolean;
        break;
      case LeafKind::kInt64:
        e.type = PhysicalType::kInt64;
        break;
      case LeafKind::kDouble:
        e.type = PhysicalType::kDouble;
        break;
      case LeafKind::kTimestamp:
        if (style.int96_timestamps) {
          e.type = PhysicalType::kInt96;
        } else {
          e.type = PhysicalType::kInt64;
          e.converted_type = kConvertedTimestampMicros;
          e.logical_type = kLogicalTimestamp;
          e.timestamp_unit = TimeUnit::kMicros;
          e.timestamp_utc = true;
        }
        break;
    }
    s.push_back(e);
  };
  // Opens a list of structs with `fields` fields; the caller adds the fields.
  auto list = [&](const std::string& name, int fields) {
    group(name, 1, Repetition::kOptional, true);
    if (style.legacy_two_level_lists) {
      group("array", fields, Repetition::kRepeated);
    } else {
      group("list", 1, Repetition::kRepeated);
      group("element", fields, Repetition::kOptional);
    }
  };
  auto header = [&] {
    group("header", 2, Repetition::kOptional);
    leaf("accept-language", LeafKind::kString);
    leaf("user-agent", LeafKind::kString);
  };
  SchemaElement root;
  root.name = "schema";
  root.num_children = 14;
  s.push_back(root);
  leaf("conversation_hash", LeafKind::kString);
  leaf("model", LeafKind::kString);
  leaf("timestamp", LeafKind::kTimestamp);
  list("conversation", 11);
  leaf("content", LeafKind::kString);
  leaf("country", LeafKind::kString);
  leaf("hashed_ip", LeafKind::kString);
  header();
  leaf("language", LeafKind::kString);
  leaf("redacted", LeafKind::kBool);
  leaf("role", LeafKind::kString);
  leaf("state", LeafKind::kString);
  leaf("timestamp", LeafKind::kTimestamp);
  leaf("toxic", LeafKind::kBool);
  leaf("turn_identifier", LeafKind::kInt64);
  leaf("turn", LeafKind::kInt64);
  leaf("language", LeafKind::kString);
  list("openai_moderation", 3);
  group("categories", kModerationCategoryCount, Repetition::kOptional);
  for (auto c : kModerationCategories) leaf(std::string(c), LeafKind::kBool);
  group("category_scores", kModerationCategoryCount, Repetition::kOptional);
  for (auto c : kModerationCategories) leaf(std::string(c), LeafKind::kDouble);
  leaf("flagged", LeafKind::kBool);
  list("detoxify_moderation", kDetoxifyFieldCount);
  for (auto f : kDetoxifyFields) leaf(std::string(f), LeafKind::kDouble);
  leaf("toxic", LeafKind::kBool);
  leaf("redacted", LeafKind::kBool);
  leaf("state", LeafKind::kString);
  leaf("country", LeafKind::kString);
  leaf("hashed_ip", LeafKind::kString);
  header();
  return s;
}

}  // namespace wildchat::parquet
