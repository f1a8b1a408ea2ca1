// How the WildChat record maps onto Parquet columns. WildChatLeaves() lists
// the 68 leaf columns of the record in file order; ResolveSchema() turns a
// file's flattened schema into per-leaf layouts (definition-level thresholds
// for every node on the path, list framing) and matches them to those leaves,
// accepting the 3-level LIST layout (pyarrow `list`/`element`, DuckDB), the
// legacy 2-level one and bare repeated groups. A schema that lacks a WildChat
// column or gives one an incompatible type is kInvalidArgument naming the
// column. BuildWildChatSchema() is the schema this project writes.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "io/parquet/parquet_metadata.h"

namespace wildchat::parquet {

enum class LeafKind : uint8_t { kString, kBool, kInt64, kDouble, kTimestamp };
// Which list a leaf lives in (kRow: a top-level scalar or header field).
enum class LeafGroup : uint8_t { kRow, kConversation, kOpenAi, kDetoxify };

// Row-level fields, utterance fields (kUtteranceFields order) and moderation
// slots that a leaf fills.
enum RowField : int {
  kRowHash,
  kRowModel,
  kRowTimestamp,
  kRowTurn,
  kRowLanguage,
  kRowToxic,
  kRowRedacted,
  kRowState,
  kRowCountry,
  kRowHashedIp,
  kRowAcceptLanguage,
  kRowUserAgent
};
enum UtteranceField : int {
  kUttContent,
  kUttCountry,
  kUttHashedIp,
  kUttAcceptLanguage,
  kUttUserAgent,
  kUttLanguage,
  kUttRedacted,
  kUttRole,
  kUttState,
  kUttTimestamp,
  kUttToxic,
  kUttTurnIdentifier
};
// kOpenAi fields: 0..17 categories, 18..35 category_scores, 36 flagged.
inline constexpr int kOpenAiScoreBase = 18;
inline constexpr int kOpenAiFlagged = 36;

struct WildChatLeaf {
  std::vector<std::string> path;  // logical: {"conversation", "header", "user-agent"}
  LeafKind kind;
  LeafGroup group;
  int field;
  // True for leaves under a nested struct (header, categories, category_scores).
  bool in_struct;
};

const std::vector<WildChatLeaf>& WildChatLeaves();
inline constexpr int kWildChatLeafCount = 68;

// One leaf column of a file, with everything needed to assemble values.
struct LeafLayout {
  std::vector<std::string> path_in_schema;  // physical, as in ColumnMetaData
  std::string dotted;                       // path_in_schema joined by '.'
  std::vector<std::string> logical_path;    // list wrappers removed
  PhysicalType type = PhysicalType::kByteArray;
  int32_t type_length = 0;
  TimeUnit unit = TimeUnit::kNone;  // INT64 timestamps
  bool timestamp = false;           // TIMESTAMP / INT96
  int max_def = 0;
  int max_rep = 0;
  bool in_list = false;
  // For list leaves: the list is non-null iff def >= list_def, has an entry
  // iff def >= entry_def, and the element struct is non-null iff def >= elem_def.
  int list_def = 0, entry_def = 0, elem_def = 0;
  // Nested struct (header / categories / category_scores) non-null iff
  // def >= struct_def; for top-level `header`, same.
  int struct_def = 0;
};

struct ResolvedSchema {
  std::vector<LeafLayout> leaves;  // file column order
  // For each WildChatLeaves() index, the file column index.
  std::vector<int> column_of;
};

Status ResolveSchema(const std::vector<SchemaElement>& schema, ResolvedSchema* out);

struct SchemaStyle {
  bool legacy_two_level_lists = false;  // repeated group "array" holding the fields
  bool int96_timestamps = false;
};
std::vector<SchemaElement> BuildWildChatSchema(const SchemaStyle& style = {});

}  // namespace wildchat::parquet
