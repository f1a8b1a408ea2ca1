// StoreReader: the read side of a segment's store — decodes one block written
// by StoreBuilder back into the joined records DecodeConversation reads. The
// block layout (docs/engine.md): varint |meta frame|, varint |scores frame|,
// with TextFrames::kPerRecord one varint |text frame| per record, then the
// zstd frames (a text's frame holding its codes when the store has a
// vocabulary: text_vocab.h): meta (per doc varint |meta|, varint |scores| / 4, varint
// |text|, then the docs' meta parts), scores (the docs' score words, byte
// planes apart as ShuffleWordBytes puts them: a zstd frame of the high bytes
// followed by bytes 0, 1 and 2 raw; before format 7 one zstd frame of all
// four planes, told apart by the frame ending the part) and the text: per
// record, magicless frames one per chunk of it (TextFrames::kPerRecordChunks,
// text_chunks.h) or one frame (kPerRecord, formats 6 to 8), an empty record
// text none (length 0); or with TextFrames::kPerBlock (segment formats up to
// 5) one frame of the block's texts back to back.
// Blocks and dictionaries are untrusted bytes: any inconsistency is
// Corruption, never a crash. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/store/record_text.h"

namespace wildchat {

// Regroups n 4-byte words as 4 planes: every word's byte 0, then every
// word's byte 1, ... The sign and exponent bytes of scores then repeat and
// compress; the low mantissa bytes are noise either way. A trailing partial
// word is copied as is.
void ShuffleWordBytes(std::string_view in, std::string* out);
void UnshuffleWordBytes(std::string_view in, std::string* out);

// How a block holds its records' texts. Per record, reading one record's
// text (a snippet, a fetch, a sparse regex candidate) decompresses only it;
// in chunks (format 9), only the chunks its reader asks for (text_chunks.h).
enum class TextFrames { kPerBlock, kPerRecord, kPerRecordChunks };

class StoreReader {
 public:
  ~StoreReader();
  // Empty dictionaries mean none, an empty vocabulary texts stored as they
  // are (else coded: text_vocab.h; a text frame per record only). Corruption
  // if a dictionary or the vocabulary is malformed.
  static Status Open(std::string_view meta_dict, std::string_view text_dict, std::string_view vocab,
                     TextFrames layout, std::unique_ptr<StoreReader>* out);
  // Decodes a block of `docs` records into *raw; records[i] points at the
  // joined bytes of the block's i-th record.
  Status ReadBlock(std::string_view block, uint32_t docs, std::string* raw,
                   std::vector<std::string_view>* records) const;
  // Which records' texts a read needs (record index within the block); an
  // empty function: all of them.
  using Wanted = std::function<bool(uint32_t)>;
  // The text of the block's index-th record, `size` bytes, started in *text
  // as ReadMetaAndRecordText does, without decompressing the meta part
  // (blocks with a text frame per record only).
  Status ReadRecordText(std::string_view block, uint32_t docs, uint32_t index, uint64_t size,
                        RecordText* text) const;
  // The meta part of the block's index-th record (*meta points into
  // *meta_raw) and its text, started in *text to be decompressed only as far
  // as the caller asks (record_text.h).
  Status ReadMetaAndRecordText(std::string_view block, uint32_t docs, uint32_t index,
                               std::string* meta_raw, std::string_view* meta,
                               RecordText* text) const;
  // The meta part of every record of the block ((*metas)[i] points into
  // *meta_raw), then fn(i, text) for each wanted record i in order, its
  // text started in *text to be decompressed only as far as fn asks
  // (record_text.h): a reader that stops early (a regex verified in a
  // conversation's first utterances) decompresses no further. A status fn
  // returns other than OK ends the walk and is returned.
  using RecordFn = std::function<Status(uint32_t, RecordText*)>;
  Status ForEachRecordText(std::string_view block, uint32_t docs, const Wanted& wanted,
                           std::string* meta_raw, std::vector<std::string_view>* metas,
                           RecordText* text, const RecordFn& fn) const;
  // The joined bytes of the block's index-th record only (what a single
  // fetch needs: the other records are not copied).
  Status ReadRecord(std::string_view block, uint32_t docs, uint32_t index,
                    std::string* joined) const;

 private:
  struct Dictionaries;
  // only: the index of the one record to join, or UINT32_MAX for all.
  Status Decode(std::string_view block, uint32_t docs, uint32_t only, std::string* raw,
                std::vector<std::string_view>* records) const;
  StoreReader() = default;
  bool chunked() const { return layout_ == TextFrames::kPerRecordChunks; }
  std::unique_ptr<Dictionaries> dicts_;
  TextFrames layout_ = TextFrames::kPerRecord;
};

}  // namespace wildchat
