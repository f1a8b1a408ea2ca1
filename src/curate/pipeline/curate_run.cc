#include "curate/pipeline/curate_run.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <unordered_set>

#include "curate/moderation/toxic_rule.h"
#include "curate/release/release_card.h"
#include "io/record_files.h"

namespace wildchat::curate {
namespace fs = std::filesystem;
namespace {

// Streams conversations from every input in turn, skipping (and recording)
// malformed records when asked to.
class InputStream {
 public:
  InputStream(const CurateRunOptions& o, bool record_rejects) : o_(o), rejects_(record_rejects) {}

  // Next conversation into *c; *done at the end of the last input.
  Status Next(Conversation* c, bool* done, CurateStats* stats) {
    while (true) {
      if (!reader_) {
        if (next_input_ == o_.inputs.size()) {
          *done = true;
          return Status::OK();
        }
        WILDCHAT_RETURN_IF_ERROR(
            OpenRecordReader(o_.inputs[next_input_++], ReadOptions(), &reader_));
      }
      bool end = false;
      Status st = reader_->Next(c, &end);
      if (!st.ok()) {
        if (!o_.on_error_skip || !reader_->CanSkip()) return st;
        if (rejects_) {
          if (o_.log) {
            // Reader errors usually start with the position already.
            const std::string pos = reader_->Position();
            o_.log("rejected " +
                   (st.message().rfind(pos, 0) == 0 ? st.message() : pos + ": " + st.message()));
          }
          if (!reject_file_.is_open()) {
            reject_file_.open(fs::path(o_.out_dir) / "rejects.jsonl",
                              std::ios::app | std::ios::binary);
          }
          reject_file_ << reader_->LastRaw() << "\n";
          if (stats != nullptr) stats->Add("rejected");
        }
        continue;
      }
      if (end) {
        reader_.reset();
        continue;
      }
      *done = false;
      return Status::OK();
    }
  }

 private:
  const CurateRunOptions& o_;
  bool rejects_;
  size_t next_input_ = 0;
  std::unique_ptr<RecordReader> reader_;
  std::ofstream reject_file_;
};

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  if (threads <= 1 || n < 2) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < n; i += static_cast<size_t>(threads)) fn(i, t);
    });
  }
  for (auto& th : pool) th.join();
}

std::string PartName(int64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld", static_cast<long long>(k));
  return buf;
}

std::string ShardName(int64_t k, int64_t n, const std::string& ext) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "train-%05lld-of-%05lld.", static_cast<long long>(k),
                static_cast<long long>(n));
  return buf + ext;
}

// Counters as "key\tvalue" lines (the per-chunk stats file).
std::string CountersText(const CurateStats& s) {
  std::string out;
  for (const auto& [k, v] : s.counters) out += k + "\t" + std::to_string(v) + "\n";
  return out;
}

void ReadCounters(const fs::path& p, CurateStats* s) {
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    s->Add(line.substr(0, tab), std::stoll(line.substr(tab + 1)));
  }
}

// Asks the endpoint for every non-empty utterance whose openai_moderation
// entry is missing (or every one, with rescore).
Status ModerateWithEndpoint(ModerationClient* client, bool rescore,
                            std::vector<Conversation>* batch, CurateStats* stats) {
  std::vector<std::pair<size_t, size_t>> where;
  std::vector<std::string_view> texts;
  for (size_t i = 0; i < batch->size(); ++i) {
    Conversation& c = (*batch)[i];
    c.openai_moderation.resize(c.conversation.size());
    for (size_t j = 0; j < c.conversation.size(); ++j) {
      if (c.conversation[j].content.empty()) continue;
      if (!rescore && !c.openai_moderation[j].empty()) continue;
      where.emplace_back(i, j);
      texts.push_back(c.conversation[j].content);
    }
  }
  std::vector<OpenAiModeration> results;
  WILDCHAT_RETURN_IF_ERROR(client->Moderate(texts, &results));
  for (size_t k = 0; k < where.size(); ++k)
    (*batch)[where[k].first].openai_moderation[where[k].second] = results[k];
  stats->Add("moderation.endpoint", static_cast<int64_t>(where.size()));
  return Status::OK();
}

}  // namespace

Status RunCuration(const CurateRunOptions& o, CurateStats* total) {
  if (o.inputs.empty()) return Status::InvalidArgument("no input files");
  if (o.out_dir.empty()) return Status::InvalidArgument("--out DIR is required");
  if (o.shard_rows <= 0) return Status::InvalidArgument("--shard-rows must be positive");
  if (o.format != "parquet" && o.format.rfind("jsonl", 0) != 0)
    return Status::InvalidArgument("--format must be parquet, jsonl, jsonl.gz or jsonl.zst");
  const int threads = std::max(1, o.threads);
  std::error_code ec;
  const fs::path out(o.out_dir), parts = out / ".parts", full = out / "full", pub = out / "public";
  for (const auto& d : {out, parts, full, pub}) {
    fs::create_directories(d, ec);
    if (ec) return Status::IOError(d.string() + ": " + ec.message());
  }

  std::unique_ptr<ConversationCurator> curator;
  WILDCHAT_RETURN_IF_ERROR(ConversationCurator::Create(o.curator, &curator));
  std::unique_ptr<ModerationClient> moderation;
  if (!o.moderation.url.empty() && o.curator.stages.moderation) {
    ModerationClientOptions mo = o.moderation;
    if (mo.cache_dir.empty()) mo.cache_dir = (out / "moderation-cache").string();
    WILDCHAT_RETURN_IF_ERROR(ModerationClient::Create(mo, &moderation));
  }

  // Pass 1: how many conversations each PII candidate appears in.
  PublicValueCounter public_values;
  if (o.curator.stages.pii && o.curator.public_threshold > 0) {
    InputStream in(o, /*record_rejects=*/false);
    std::vector<PublicValueCounter> per_thread(static_cast<size_t>(threads));
    uint64_t ordinal = 0;
    bool done = false;
    while (!done) {
      std::vector<Conversation> batch;
      while (batch.size() < 4096) {
        Conversation c;
        WILDCHAT_RETURN_IF_ERROR(in.Next(&c, &done, nullptr));
        if (done) break;
        batch.push_back(std::move(c));
      }
      // Strided ordinals keep each thread's Add() calls in increasing order.
      ParallelFor(batch.size(), threads, [&](size_t i, int t) {
        curator->CountCandidates(batch[i], ordinal + i, &per_thread[static_cast<size_t>(t)]);
      });
      ordinal += batch.size();
    }
    for (const auto& c : per_thread) public_values.Merge(c);
    curator->set_public_values(&public_values);
  }

  // Pass 2: curate chunk by chunk.
  const std::string ext = o.format;
  InputStream in(o, /*record_rejects=*/true);
  std::unordered_set<std::string> seen_hashes;
  int64_t chunk = 0;
  bool done = false;
  while (!done) {
    std::vector<Conversation> batch;
    CurateStats chunk_stats;
    while (static_cast<int64_t>(batch.size()) < o.shard_rows) {
      Conversation c;
      WILDCHAT_RETURN_IF_ERROR(in.Next(&c, &done, &chunk_stats));
      if (done) break;
      batch.push_back(std::move(c));
    }
    if (batch.empty() && chunk > 0) break;
    const fs::path stats_path = parts / (PartName(chunk) + ".stats");
    if (fs::exists(stats_path)) {  // finished by an earlier run
      ReadCounters(stats_path, total);
      ++chunk;
      continue;
    }
    if (moderation) {
      WILDCHAT_RETURN_IF_ERROR(
          ModerateWithEndpoint(moderation.get(), o.curator.rescore, &batch, &chunk_stats));
    }
    std::vector<CurateStats> per_thread(static_cast<size_t>(threads));
    ParallelFor(batch.size(), threads, [&](size_t i, int t) {
      curator->Curate(&batch[i], &per_thread[static_cast<size_t>(t)]);
    });
    for (const auto& s : per_thread) chunk_stats.Merge(s);
    // Same text gives the same hash: reported, never removed.
    for (const Conversation& c : batch) {
      if (!c.conversation_hash.empty() && !seen_hashes.insert(c.conversation_hash).second)
        chunk_stats.Add("duplicate_hashes");
    }

    if (o.curator.stages.release) {
      std::unique_ptr<RecordWriter> wf, wp;
      WILDCHAT_RETURN_IF_ERROR(
          OpenRecordWriter((full / (PartName(chunk) + "." + ext)).string(), WriteOptions(), &wf));
      WILDCHAT_RETURN_IF_ERROR(
          OpenRecordWriter((pub / (PartName(chunk) + "." + ext)).string(), WriteOptions(), &wp));
      for (const Conversation& c : batch) {
        if (HasSexualMinors(c)) {
          chunk_stats.Add("release.sexual_minors");
          continue;
        }
        WILDCHAT_RETURN_IF_ERROR(wf->Write(c));
        chunk_stats.Add("release.full");
        if (IsTrue(c.toxic)) continue;
        WILDCHAT_RETURN_IF_ERROR(wp->Write(c));
        chunk_stats.Add("release.public");
      }
      WILDCHAT_RETURN_IF_ERROR(wf->Close());
      WILDCHAT_RETURN_IF_ERROR(wp->Close());
    }
    WILDCHAT_RETURN_IF_ERROR(WriteFileAtomically(stats_path.string(), CountersText(chunk_stats)));
    total->Merge(chunk_stats);
    ++chunk;
  }

  // Final names: part-k -> train-k-of-n, in both splits.
  int shards = 0;
  if (o.curator.stages.release) {
    shards = static_cast<int>(chunk);
    for (const auto& dir : {full, pub}) {
      for (int64_t k = 0; k < chunk; ++k) {
        const fs::path from = dir / (PartName(k) + "." + ext);
        if (!fs::exists(from)) continue;
        fs::rename(from, dir / ShardName(k, chunk, ext), ec);
        if (ec) return Status::IOError(from.string() + ": " + ec.message());
      }
    }
  }
  WILDCHAT_RETURN_IF_ERROR(
      WriteFileAtomically((out / "report.json").string(), ReportJson(*total, shards, shards)));
  WILDCHAT_RETURN_IF_ERROR(
      WriteFileAtomically((out / "README.md").string(), DatasetCard(*total, shards, shards)));
  fs::remove_all(parts, ec);
  return Status::OK();
}

}  // namespace wildchat::curate
