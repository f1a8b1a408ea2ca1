#include "engine/store/store_reader.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>

#include "engine/segment/coding.h"
#include "engine/segment/segment_file.h"
#include "engine/store/record_codec.h"
#include "engine/store/store_builder.h"
#include "engine/store/text_chunks.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

// Conversations with enough varied text for the dictionaries to be trained.
// What the store was given for c: the oracle of every read.
RecordParts Parts(const Conversation& c) {
  RecordParts p;
  EncodeConversationParts(c, &p);
  return p;
}

std::vector<Conversation> Corpus(size_t n) {
  static const char* kWords[] = {"climate", "change",  "python", "function", "return", "the",
                                 "recipe",  "bonjour", "数据",   "模型",     "über",   "why"};
  std::mt19937 rng(11);
  std::vector<Conversation> out;
  for (size_t i = 0; i < n; ++i) {
    Conversation c;
    c.conversation_hash = std::to_string(rng());
    c.model = i % 3 ? "gpt-4" : "gpt-3.5-turbo";
    c.timestamp = 1700000000000000 + static_cast<int64_t>(i);
    for (int u = 0; u < 2 + static_cast<int>(i % 3); ++u) {
      Utterance utt;
      utt.role = u % 2 ? "assistant" : "user";
      utt.turn_identifier = static_cast<int64_t>(1000 + i);
      for (int w = 0; w < 40 + static_cast<int>(rng() % 200); ++w) {
        utt.content += kWords[rng() % 12];
        utt.content += ' ';
      }
      c.conversation.push_back(utt);
      OpenAiModeration m;
      m.categories_null = m.scores_null = false;
      m.categories.fill(TriBool::kFalse);
      for (double& s : m.category_scores) s = static_cast<float>(rng() % 1000 / 7919.0);
      c.openai_moderation.push_back(m);
      DetoxifyModeration d;
      for (double& s : d.scores) s = rng() % 1000 / 7919.0;
      c.detoxify_moderation.push_back(d);
    }
    c.turn = static_cast<int64_t>(c.conversation.size() / 2);
    out.push_back(c);
  }
  return out;
}

// Corpus(n), every fifth conversation made 48 utterances long.
std::vector<Conversation> LongCorpus(size_t n) {
  std::vector<Conversation> docs = Corpus(n);
  for (size_t i = 0; i < docs.size(); i += 5) {
    Conversation& c = docs[i];
    const size_t m = c.conversation.size();
    for (size_t u = m; u < 48; ++u) {
      c.conversation.push_back(c.conversation[u % m]);
      c.openai_moderation.push_back(c.openai_moderation[u % m]);
      c.detoxify_moderation.push_back(c.detoxify_moderation[u % m]);
    }
    c.turn = 24;
  }
  return docs;
}

// A text's utterance ends, and its longest utterance.
std::vector<uint64_t> UtteranceEnds(const Conversation& c, uint64_t* longest) {
  std::vector<uint64_t> ends;
  *longest = 0;
  for (const Utterance& u : c.conversation) {
    ends.push_back((ends.empty() ? 0 : ends.back()) + u.content.size());
    *longest = std::max<uint64_t>(*longest, u.content.size());
  }
  return ends;
}

class StoreReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("store_reader_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes docs with a StoreBuilder and maps the resulting file.
  void Write(const std::vector<Conversation>& docs) {
    StoreBuilder b;
    for (const Conversation& c : docs) b.Add(c);
    SegmentFileWriter w;
    ASSERT_TRUE(w.Open(dir_, "tmp-1").ok());
    ASSERT_TRUE(b.WriteTo(&w).ok());
    std::string name;
    uint64_t size = 0;
    ASSERT_TRUE(w.Finish(&name, &size).ok());
    ASSERT_TRUE(MappedSegmentFile::Open(dir_ + "/" + name, &file_).ok());
    ASSERT_TRUE(file_->Section("store.dict.meta", &meta_dict_).ok());
    ASSERT_TRUE(file_->Section("store.dict.text", &text_dict_).ok());
    ASSERT_TRUE(file_->Section("store.vocab", &vocab_).ok());
    ASSERT_TRUE(file_->Section("store.blocks", &blocks_).ok());
    std::string_view offsets, first;
    ASSERT_TRUE(file_->Section("store.offsets", &offsets).ok());
    ASSERT_TRUE(file_->Section("store.first", &first).ok());
    offsets_.resize(offsets.size() / 8);
    std::memcpy(offsets_.data(), offsets.data(), offsets.size());
    first_.resize(first.size() / 4);
    std::memcpy(first_.data(), first.data(), first.size());
  }
  // A reader of what Write wrote (null if it does not open).
  std::unique_ptr<StoreReader> Reader() const {
    std::unique_ptr<StoreReader> r;
    const Status st =
        StoreReader::Open(meta_dict_, text_dict_, vocab_, TextFrames::kPerRecordChunks, &r);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return r;
  }
  std::string_view Block(size_t b) const {
    return blocks_.substr(offsets_[b], offsets_[b + 1] - offsets_[b]);
  }

  std::string dir_;
  std::unique_ptr<MappedSegmentFile> file_;
  std::string_view meta_dict_, text_dict_, vocab_, blocks_;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> first_;
};

TEST_F(StoreReaderTest, BlocksRoundTripWithTrainedDictionaries) {
  const std::vector<Conversation> docs = Corpus(700);
  Write(docs);
  EXPECT_FALSE(meta_dict_.empty());
  EXPECT_FALSE(text_dict_.empty());
  EXPECT_FALSE(vocab_.empty());  // the texts are coded
  ASSERT_GT(offsets_.size(), 3u);
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  std::string raw;
  std::vector<std::string_view> records;
  size_t seen = 0;
  for (size_t b = 0; b + 1 < offsets_.size(); ++b) {
    ASSERT_TRUE(reader->ReadBlock(Block(b), first_[b + 1] - first_[b], &raw, &records).ok());
    for (size_t i = 0; i < records.size(); ++i) {
      Conversation c;
      ASSERT_TRUE(DecodeConversation(records[i], &c).ok());
      EXPECT_EQ(c, docs[first_[b] + i]);
      std::string one;
      ASSERT_TRUE(reader->ReadRecord(Block(b), first_[b + 1] - first_[b], i, &one).ok());
      EXPECT_EQ(one, records[i]);
      ++seen;
    }
  }
  EXPECT_EQ(seen, docs.size());
}

TEST_F(StoreReaderTest, SmallStoreHasNoDictionaries) {
  const std::vector<Conversation> docs = Corpus(3);
  Write(docs);
  EXPECT_TRUE(meta_dict_.empty());
  EXPECT_TRUE(text_dict_.empty());
  EXPECT_TRUE(vocab_.empty());
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  std::string raw;
  std::vector<std::string_view> records;
  ASSERT_TRUE(reader->ReadBlock(Block(0), 3, &raw, &records).ok());
  ASSERT_EQ(records.size(), 3u);
}

TEST_F(StoreReaderTest, CorruptBlocksAndDictionariesAreRejectedNotCrashed) {
  Write(Corpus(700));
  std::mt19937 rng(5);
  int rejected = 0;
  for (int i = 0; i < 400; ++i) {
    std::string meta_dict(meta_dict_), text_dict(text_dict_), vocab(vocab_);
    const size_t b = rng() % (offsets_.size() - 1);
    std::string block(Block(b));
    uint32_t docs = first_[b + 1] - first_[b];
    switch (i % 6) {
      case 0:
        block.resize(rng() % block.size());
        break;
      case 1:
        for (int k = 0; k < 3; ++k) block[rng() % block.size()] = static_cast<char>(rng());
        break;
      case 2:
        block[rng() % 8] = static_cast<char>(rng());  // the frame lengths
        break;
      case 3:
        (rng() % 2 ? meta_dict : text_dict)[rng() % 4096] = static_cast<char>(rng());
        break;
      case 4:
        vocab[rng() % vocab.size()] = static_cast<char>(rng());
        break;
      default:
        docs = rng() % (2 * docs + 2);
        break;
    }
    std::unique_ptr<StoreReader> reader;
    Status st =
        StoreReader::Open(meta_dict, text_dict, vocab, TextFrames::kPerRecordChunks, &reader);
    if (st.ok()) {
      std::string raw;
      std::vector<std::string_view> records;
      st = reader->ReadBlock(block, docs, &raw, &records);
      for (size_t r = 0; st.ok() && r < records.size(); ++r) {
        Conversation c;
        st = DecodeConversation(records[r], &c);
      }
    }
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 150);
}

// Reading only some records' texts visits exactly those, each whole as it was
// written, and gives the meta part of every record as it was encoded.
TEST_F(StoreReaderTest, WantedTextsAloneAreDecompressed) {
  std::vector<Conversation> docs = Corpus(700);
  docs[5].conversation[0].content.clear();                      // an utterance with no text
  for (Utterance& u : docs[9].conversation) u.content.clear();  // a record with no text at all
  Write(docs);
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  std::mt19937 rng(3);
  size_t multi = 0;
  RecordText text;
  for (size_t b = 0; b + 1 < offsets_.size(); ++b) {
    const uint32_t n = first_[b + 1] - first_[b];
    multi += n > 1;
    std::string meta_raw;
    std::vector<std::string_view> metas;
    const uint32_t pick = rng() % n;
    std::vector<uint32_t> visited;
    ASSERT_TRUE(reader
                    ->ForEachRecordText(
                        Block(b), n, [&](uint32_t i) { return i == pick; }, &meta_raw, &metas,
                        &text,
                        [&](uint32_t i, RecordText* t) {
                          visited.push_back(i);
                          WILDCHAT_RETURN_IF_ERROR(t->Through(t->text().size()));
                          EXPECT_EQ(t->text(), Parts(docs[first_[b] + i]).text);
                          return Status::OK();
                        })
                    .ok());
    EXPECT_EQ(visited, std::vector<uint32_t>{pick});
    ASSERT_EQ(metas.size(), n);
    for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(metas[i], Parts(docs[first_[b] + i]).meta);
  }
  EXPECT_GT(multi, 10u);  // blocks of several records were tried
}

// One record's meta and its text read on demand are what a whole-block read
// gives; the first utterance decompresses without the rest of the text.
TEST_F(StoreReaderTest, RecordTextsDecompressTheFirstUtteranceAlone) {
  std::vector<Conversation> docs = Corpus(700);
  docs[5].conversation[0].content.clear();                      // an empty first utterance
  for (Utterance& u : docs[9].conversation) u.content.clear();  // a record with no text at all
  Write(docs);
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  size_t alone = 0;
  RecordText text;  // one decoder for every record, as a page of hits uses it
  for (size_t b = 0; b + 1 < offsets_.size(); ++b) {
    const uint32_t n = first_[b + 1] - first_[b];
    std::string meta_one;
    for (uint32_t i = 0; i < n; ++i) {
      std::string_view meta;
      ASSERT_TRUE(reader->ReadMetaAndRecordText(Block(b), n, i, &meta_one, &meta, &text).ok());
      const Conversation& c = docs[first_[b] + i];
      const RecordParts parts = Parts(c);
      EXPECT_EQ(meta, parts.meta);
      const size_t first = c.conversation[0].content.size();
      ASSERT_TRUE(text.Through(first).ok());
      EXPECT_EQ(text.text().substr(0, first), parts.text.substr(0, first));
      if (first > 0 && first < parts.text.size()) {
        EXPECT_EQ(text.decoded(), first);
        ++alone;
      }
      ASSERT_TRUE(text.Through(parts.text.size()).ok());
      EXPECT_EQ(text.text(), parts.text);
    }
    EXPECT_EQ(reader->ReadMetaAndRecordText(Block(b), n, n, &meta_one, nullptr, &text).code(),
              Status::Code::kNotFound);
  }
  EXPECT_GT(alone, 600u);
}

// Long conversations' texts are read in runs of utterances: through
// ForEachRecordText, a wanted record's text decompresses to an utterance end
// at most about kTextChunkBytes (plus one utterance) past the
// one asked for, and whole it is what a whole-block read gives. Records not
// wanted are not visited, and an error of the callback ends the walk.
TEST_F(StoreReaderTest, LongTextsDecompressOnlyAboutAsFarAsAsked) {
  const std::vector<Conversation> docs = LongCorpus(700);
  Write(docs);
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  RecordText text;
  size_t early = 0, visited = 0;
  for (size_t b = 0; b + 1 < offsets_.size(); ++b) {
    const uint32_t n = first_[b + 1] - first_[b];
    std::string meta_raw;
    std::vector<std::string_view> metas;
    std::vector<RecordParts> parts;
    for (uint32_t i = 0; i < n; ++i) parts.push_back(Parts(docs[first_[b] + i]));
    uint32_t next = 0;
    const Status st = reader->ForEachRecordText(
        Block(b), n, {}, &meta_raw, &metas, &text, [&](uint32_t i, RecordText* t) -> Status {
          EXPECT_EQ(i, next++);
          EXPECT_EQ(metas[i], parts[i].meta);
          uint64_t longest = 0;
          const std::vector<uint64_t> ends = UtteranceEnds(docs[first_[b] + i], &longest);
          uint64_t after_second = 0;  // decoded once the second utterance is asked for
          for (const uint64_t end : ends) {
            WILDCHAT_RETURN_IF_ERROR(t->Through(end));
            if (ends.size() > 1 && end == ends[1] && after_second == 0) {
              after_second = t->decoded();
            }
            EXPECT_EQ(t->text().substr(0, end), parts[i].text.substr(0, end));
            EXPECT_TRUE(std::find(ends.begin(), ends.end(), t->decoded()) != ends.end())
                << "decoded to " << t->decoded() << ", not an utterance end";
            EXPECT_LE(t->decoded(), end + kTextChunkBytes + longest);
          }
          // A long text's first utterances decompress without most of the rest.
          if (ends.size() > 12 && ends[1] < parts[i].text.size() / 4) {
            early += after_second < parts[i].text.size() / 2;
          }
          ++visited;
          return Status::OK();
        });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(next, n);

    // Only the wanted records, in order; the callback's error is returned.
    std::vector<uint32_t> seen;
    ASSERT_TRUE(reader
                    ->ForEachRecordText(
                        Block(b), n, [](uint32_t i) { return i % 2 == 1; }, &meta_raw, &metas,
                        &text,
                        [&](uint32_t i, RecordText*) {
                          seen.push_back(i);
                          return Status::OK();
                        })
                    .ok());
    for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], 2 * k + 1);
    EXPECT_EQ(seen.size(), n / 2);
    int calls = 0;
    const Status stop = reader->ForEachRecordText(Block(b), n, {}, &meta_raw, &metas, &text,
                                                  [&](uint32_t, RecordText*) {
                                                    ++calls;
                                                    return Status::Corruption("stop here");
                                                  });
    EXPECT_EQ(stop.code(), Status::Code::kCorruption);
    EXPECT_EQ(calls, 1);
  }
  EXPECT_EQ(visited, docs.size());
  EXPECT_GT(early, 100u);
}

// Read from a later utterance on (as a regex whose candidates lie there
// reads it), a long text gives that utterance exactly, having passed over
// the chunks before it and decoded only about a chunk past it.
TEST_F(StoreReaderTest, LongTextsReadFromALaterUtteranceOn) {
  const std::vector<Conversation> docs = LongCorpus(400);
  Write(docs);
  const std::unique_ptr<StoreReader> reader = Reader();
  ASSERT_TRUE(reader);
  RecordText text;
  size_t checked = 0, skipped = 0;
  for (size_t b = 0; b + 1 < offsets_.size(); ++b) {
    const uint32_t n = first_[b + 1] - first_[b];
    for (uint32_t i = 0; i < n; ++i) {
      const RecordParts parts = Parts(docs[first_[b] + i]);
      uint64_t longest = 0;
      const std::vector<uint64_t> ends = UtteranceEnds(docs[first_[b] + i], &longest);
      for (size_t k = 1; k < ends.size(); k += 3) {
        std::string meta_raw;
        std::string_view meta;
        ASSERT_TRUE(reader->ReadMetaAndRecordText(Block(b), n, i, &meta_raw, &meta, &text).ok());
        const uint64_t start = ends[k - 1], end = ends[k];
        ASSERT_TRUE(text.From(start, ends).ok());
        EXPECT_LE(text.decoded(), start);  // the chunk holding it starts there or before
        skipped += text.decoded() > 0;
        ASSERT_TRUE(text.Through(end).ok());
        EXPECT_EQ(text.text().substr(start, end - start), parts.text.substr(start, end - start));
        EXPECT_LE(text.decoded(), end + kTextChunkBytes + longest);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(skipped, checked / 2);
}

// Segments of format 5 and before keep one text frame per block: such a
// block (built here by hand, as those builds wrote it) still decodes.
TEST(StoreReaderLayoutTest, ReadsBlocksWithOneTextFrame) {
  const std::vector<Conversation> docs = Corpus(3);
  std::string lengths, metas, scores, text;
  for (const Conversation& c : docs) {
    RecordParts p;
    EncodeConversationParts(c, &p);
    PutVarint(&lengths, p.meta.size());
    PutVarint(&lengths, p.scores.size() / 4);
    PutVarint(&lengths, p.text.size());
    metas += p.meta;
    scores += p.scores;
    text += p.text;
  }
  auto frame = [](const std::string& raw) {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
  };
  std::string shuffled;
  ShuffleWordBytes(scores, &shuffled);
  const std::string meta_frame = frame(lengths + metas), scores_frame = frame(shuffled);
  std::string block;
  PutVarint(&block, meta_frame.size());
  PutVarint(&block, scores_frame.size());
  block += meta_frame + scores_frame + frame(text);

  std::unique_ptr<StoreReader> reader;
  ASSERT_TRUE(StoreReader::Open({}, {}, {}, TextFrames::kPerBlock, &reader).ok());
  std::string raw;
  std::vector<std::string_view> records;
  ASSERT_TRUE(reader->ReadBlock(block, 3, &raw, &records).ok());
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    Conversation c;
    ASSERT_TRUE(DecodeConversation(records[i], &c).ok());
    EXPECT_EQ(c, docs[i]);
  }
  std::string one;
  ASSERT_TRUE(reader->ReadRecord(block, 3, 1, &one).ok());
  EXPECT_EQ(one, records[1]);
  std::string meta_raw;
  std::string_view meta;
  RecordText record_text;
  ASSERT_TRUE(reader->ReadMetaAndRecordText(block, 3, 2, &meta_raw, &meta, &record_text).ok());
  RecordParts p;
  EncodeConversationParts(docs[2], &p);
  EXPECT_EQ(meta, p.meta);
  ASSERT_TRUE(record_text.Through(1).ok());
  EXPECT_EQ(record_text.text(), p.text);
  // Read as the new layout, the same bytes are corrupt, not misread.
  ASSERT_TRUE(StoreReader::Open({}, {}, {}, TextFrames::kPerRecord, &reader).ok());
  EXPECT_EQ(reader->ReadBlock(block, 3, &raw, &records).code(), Status::Code::kCorruption);
}

TEST(ShuffleWordBytesTest, RoundTripsAnyLength) {
  for (size_t n : {0, 1, 4, 7, 8, 13, 64}) {
    std::string in;
    for (size_t i = 0; i < n; ++i) in.push_back(static_cast<char>(i * 37 + 1));
    std::string shuffled, back;
    ShuffleWordBytes(in, &shuffled);
    UnshuffleWordBytes(shuffled, &back);
    EXPECT_EQ(back, in) << n;
  }
}

}  // namespace
}  // namespace wildchat
