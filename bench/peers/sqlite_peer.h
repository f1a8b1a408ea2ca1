// SQLite FTS5 as a peer for the query-mix benchmark: the same records in a
// metadata table `conv` (indexed on model, language, country, timestamp) and
// an FTS5 table over each conversation's utterance text (unicode61, no
// diacritic removal; utterances joined by newlines, so an FTS5 phrase may span
// two utterances where wildchat's may not). Single-threaded; one SqlitePeer
// per thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "peers/query_mix.h"

struct sqlite3;

namespace wildchat::bench {

// Streams the records of `input` (any record file) into a new database.
Status BuildSqliteFts(const std::string& input, const std::string& db_path,
                      uint64_t* conversations);

class SqlitePeer {
 public:
  SqlitePeer() = default;
  ~SqlitePeer();
  SqlitePeer(const SqlitePeer&) = delete;
  SqlitePeer& operator=(const SqlitePeer&) = delete;

  Status Open(const std::string& db_path);
  // Exact COUNT(*), GROUP BY language when q.facet, and the 30 newest rows
  // from q.offset: what a search page needs. *count is the total.
  Status Run(const MixQuery& q, int64_t* count);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace wildchat::bench
