// Rebuilds Conversations, one row at a time, from the decoded leaf columns of
// one row group, following their definition and repetition levels. Borrows
// the ColumnData and LeafLayout it is given (they must outlive it until the
// next Reset). Inconsistent levels across columns are kCorruption naming the
// column; a leaf that was not read (nullptr) leaves its field empty.
#pragma once

#include <array>
#include <cstdint>

#include "base/status.h"
#include "io/parquet/column_reader.h"
#include "io/parquet/wildchat_schema.h"
#include "model/conversation.h"

namespace wildchat::parquet {

class RecordAssembler {
 public:
  struct Leaf {
    const ColumnData* data = nullptr;  // nullptr: not read
    const LeafLayout* layout = nullptr;
  };

  void Reset(const std::array<Leaf, kWildChatLeafCount>& leaves);
  Status Next(Conversation* out);
  // After the row group's last row: every read column must be used up.
  Status Finish() const;

 private:
  struct Cursor {
    size_t pos = 0;
    size_t vpos = 0;
  };
  Status Row(int leaf, Conversation* c);
  Status List(LeafGroup group, int first, int last, Conversation* c);
  Status Bad(int leaf, const std::string& what) const;

  std::array<Leaf, kWildChatLeafCount> leaves_{};
  std::array<Cursor, kWildChatLeafCount> cursors_{};
};

}  // namespace wildchat::parquet
