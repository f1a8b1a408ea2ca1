#include "peers/sqlite_peer.h"

#include <sqlite3.h>

#include <memory>

#include "io/record_files.h"

namespace wildchat::bench {

namespace {

Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Status::IOError("sqlite: " + message + " in: " + sql);
  }
  return Status::OK();
}

struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

Status Prepare(sqlite3* db, const std::string& sql, Statement* out) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &out->stmt, nullptr) != SQLITE_OK) {
    return Status::IOError(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  return Status::OK();
}

void BindText(sqlite3_stmt* s, int i, const std::optional<std::string>& v) {
  if (v) {
    sqlite3_bind_text(s, i, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(s, i);
  }
}

}  // namespace

Status BuildSqliteFts(const std::string& input, const std::string& db_path,
                      uint64_t* conversations) {
  std::remove(db_path.c_str());
  sqlite3* raw = nullptr;
  if (sqlite3_open(db_path.c_str(), &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::IOError("sqlite: cannot open " + db_path);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  WILDCHAT_RETURN_IF_ERROR(Exec(db.get(),
                                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                                "PRAGMA cache_size=-262144;"
                                "CREATE TABLE conv(id INTEGER, model TEXT, language TEXT,"
                                " country TEXT, state TEXT, toxic INTEGER, redacted INTEGER,"
                                " turn INTEGER, ts INTEGER);"
                                "CREATE VIRTUAL TABLE fts USING fts5(text,"
                                " tokenize='unicode61 remove_diacritics 0');"
                                "BEGIN;"));
  Statement conv, fts;
  WILDCHAT_RETURN_IF_ERROR(Prepare(db.get(),
                                   "INSERT INTO conv(rowid, id, model, language, country, state,"
                                   " toxic, redacted, turn, ts) VALUES(?,?,?,?,?,?,?,?,?,?)",
                                   &conv));
  WILDCHAT_RETURN_IF_ERROR(Prepare(db.get(), "INSERT INTO fts(rowid, text) VALUES(?,?)", &fts));
  std::unique_ptr<RecordReader> reader;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordReader(input, ReadOptions{}, &reader));
  Conversation c;
  std::string text;
  int64_t row = 0;
  for (;;) {
    bool done = false;
    WILDCHAT_RETURN_IF_ERROR(reader->Next(&c, &done));
    if (done) break;
    ++row;
    sqlite3_bind_int64(conv.stmt, 1, row);
    sqlite3_bind_int64(conv.stmt, 2, c.id());
    BindText(conv.stmt, 3, c.model);
    BindText(conv.stmt, 4, c.language);
    BindText(conv.stmt, 5, c.country);
    BindText(conv.stmt, 6, c.state);
    sqlite3_bind_int(conv.stmt, 7, IsTrue(c.toxic));
    sqlite3_bind_int(conv.stmt, 8, IsTrue(c.redacted));
    sqlite3_bind_int64(conv.stmt, 9, c.turn);
    if (c.timestamp) {
      sqlite3_bind_int64(conv.stmt, 10, *c.timestamp);
    } else {
      sqlite3_bind_null(conv.stmt, 10);
    }
    if (sqlite3_step(conv.stmt) != SQLITE_DONE) {
      return Status::IOError(std::string("sqlite: ") + sqlite3_errmsg(db.get()));
    }
    sqlite3_reset(conv.stmt);
    text.clear();
    for (const Utterance& u : c.conversation) {
      if (!text.empty()) text += '\n';
      text += u.content;
    }
    sqlite3_bind_int64(fts.stmt, 1, row);
    sqlite3_bind_text(fts.stmt, 2, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    if (sqlite3_step(fts.stmt) != SQLITE_DONE) {
      return Status::IOError(std::string("sqlite: ") + sqlite3_errmsg(db.get()));
    }
    sqlite3_reset(fts.stmt);
  }
  *conversations = static_cast<uint64_t>(row);
  return Exec(db.get(),
              "COMMIT;"
              "CREATE INDEX conv_model ON conv(model);"
              "CREATE INDEX conv_language ON conv(language);"
              "CREATE INDEX conv_country ON conv(country);"
              "CREATE INDEX conv_ts ON conv(ts, id);"
              "INSERT INTO fts(fts) VALUES('optimize');");
}

SqlitePeer::~SqlitePeer() {
  sqlite3_close(db_);
}

Status SqlitePeer::Open(const std::string& db_path) {
  if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return Status::IOError("sqlite: cannot open " + db_path);
  }
  return Exec(db_, "PRAGMA cache_size=-262144;");
}

Status SqlitePeer::Run(const MixQuery& q, int64_t* count) {
  std::string match = q.Fts5Match();
  std::string filter = q.SqlFilter();
  std::string from;
  std::string where;
  if (!match.empty()) {
    from = "fts JOIN conv c ON c.rowid = fts.rowid";
    where = "fts MATCH ?1";
    if (!filter.empty()) where += " AND " + filter;
  } else {
    from = "conv c";
    where = filter.empty() ? "1" : filter;
  }
  auto run = [&](const std::string& sql, int64_t* first) -> Status {
    Statement s;
    WILDCHAT_RETURN_IF_ERROR(Prepare(db_, sql, &s));
    if (!match.empty()) {
      sqlite3_bind_text(s.stmt, 1, match.data(), static_cast<int>(match.size()), SQLITE_STATIC);
    }
    int rc;
    bool got_first = false;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
      if (first && !got_first) *first = sqlite3_column_int64(s.stmt, 0);
      got_first = true;
    }
    if (rc != SQLITE_DONE) return Status::IOError(std::string("sqlite: ") + sqlite3_errmsg(db_));
    return Status::OK();
  };
  std::string count_sql = match.empty() || !filter.empty()
                              ? "SELECT count(*) FROM " + from + " WHERE " + where
                              : "SELECT count(*) FROM fts WHERE fts MATCH ?1";
  WILDCHAT_RETURN_IF_ERROR(run(count_sql, count));
  if (q.facet) {
    WILDCHAT_RETURN_IF_ERROR(run(
        "SELECT c.language, count(*) FROM " + from + " WHERE " + where + " GROUP BY 1", nullptr));
  }
  return run("SELECT c.id FROM " + from + " WHERE " + where +
                 " ORDER BY c.ts DESC, c.id LIMIT 30 OFFSET " + std::to_string(q.offset),
             nullptr);
}

}  // namespace wildchat::bench
