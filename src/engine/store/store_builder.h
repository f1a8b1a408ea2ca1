// StoreBuilder: packs encoded conversations into zstd-compressed blocks for
// one segment's "store.*" sections (layout: store_reader.h, TextFrames::
// kPerRecordChunks). A block keeps the records' meta parts in one zstd frame,
// their scores in another, and each record's text in frames of its own, one
// per chunk of utterances (text_chunks.h; record_text.h reads a text only
// where asked); meta and text are compressed with dictionaries
// trained on the first conversations of a build (or of the segment), so that
// small frames compress nearly as well as a long stream while one
// conversation is fetched quickly. Single-threaded; blocks and dictionaries
// depend only on the sequence of records, so the output is deterministic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/store/record_codec.h"
#include "model/conversation.h"

namespace wildchat {

class SegmentFileWriter;
class TextVocab;

// The zstd dictionaries a store's meta and text parts are compressed with,
// and the serialized vocabulary its texts are coded with before zstd
// (text_vocab.h) (empty: none).
struct StoreDictionaries {
  std::string meta, text, vocab;
};

class StoreBuilder {
 public:
  // With `shared` (another builder's dictionaries()), the records are
  // compressed with those dictionaries instead of ones trained on this
  // builder's first records: the segments of one build then share them, and
  // readers share their decoding windows (dict_windows.h). Without (or when
  // `shared` has none), dictionaries are trained here, and a vocabulary
  // unless `code_text` is false (texts are then stored as zstd on their
  // bytes: a third larger, and read faster).
  explicit StoreBuilder(std::shared_ptr<const StoreDictionaries> shared = nullptr,
                        bool code_text = true);
  ~StoreBuilder();
  StoreBuilder(const StoreBuilder&) = delete;
  StoreBuilder& operator=(const StoreBuilder&) = delete;

  void Add(const Conversation& c);
  uint32_t num_docs() const { return num_docs_; }
  uint64_t memory_bytes() const;
  // The dictionaries in use, trained now on the records added so far if they
  // are not yet (a segment of fewer than the sample's records).
  std::shared_ptr<const StoreDictionaries> dictionaries() {
    if (!compressor_) TrainDictionaries();
    return dicts_;
  }
  // Flushes the open block and writes the store.* sections.
  Status WriteTo(SegmentFileWriter* w);

 private:
  struct Compressor;
  void TrainDictionaries();
  // With `vocab`, dicts->vocab already opened (else it is opened here).
  void UseDictionaries(std::shared_ptr<const StoreDictionaries> dicts,
                       std::unique_ptr<TextVocab> vocab = nullptr);
  void AppendToBlock(const RecordParts& doc);
  void FlushBlock();

  // Records held back until the dictionaries are trained on them.
  std::vector<RecordParts> samples_;
  uint64_t sample_bytes_ = 0;
  std::unique_ptr<Compressor> compressor_;  // set once trained
  std::shared_ptr<const StoreDictionaries> dicts_;
  bool code_text_ = true;
  // The open block: per doc (varint |meta|, varint |scores| / 4, varint |text|), then the parts;
  // the texts already compressed, a frame per doc, and per doc varint |text frame|.
  std::string lengths_;
  std::string open_meta_, open_scores_;
  std::string text_frames_, text_frame_lengths_;
  std::vector<uint64_t> chunk_starts_;  // the current text's (text_chunks.h)
  uint64_t open_text_bytes_ = 0;
  uint32_t open_docs_ = 0;
  uint32_t blocked_docs_ = 0;  // records appended to blocks so far
  std::string blocks_;
  std::vector<uint64_t> offsets_{0};
  std::vector<uint32_t> first_doc_;
  uint32_t num_docs_ = 0;
  RecordParts scratch_;
  std::string frame_;
};

}  // namespace wildchat
