// StoreReader: the read side of a segment's store — decodes one block written
// by StoreBuilder back into the joined records DecodeConversation reads. The
// block layout (docs/engine.md): varint |meta frame|, varint |scores frame|,
// then three zstd frames: meta (per doc varint |meta|, varint |scores| / 4,
// varint |text|, then the docs' meta parts), scores (the docs' score parts,
// byte planes apart: ShuffleWordBytes) and text. Blocks and dictionaries are untrusted
// bytes: any inconsistency is Corruption, never a crash. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wildchat {

// Regroups n 4-byte words as 4 planes: every word's byte 0, then every
// word's byte 1, ... The sign and exponent bytes of scores then repeat and
// compress; the low mantissa bytes are noise either way. A trailing partial
// word is copied as is.
void ShuffleWordBytes(std::string_view in, std::string* out);
void UnshuffleWordBytes(std::string_view in, std::string* out);

class StoreReader {
 public:
  ~StoreReader();
  // Empty dictionaries mean none. Corruption if a dictionary is malformed.
  static Status Open(std::string_view meta_dict, std::string_view text_dict,
                     std::unique_ptr<StoreReader>* out);
  // Decodes a block of `docs` records into *raw; records[i] points at the
  // joined bytes of the block's i-th record.
  Status ReadBlock(std::string_view block, uint32_t docs, std::string* raw,
                   std::vector<std::string_view>* records) const;
  // The meta and text parts of every record of the block (the scores frame
  // is not decompressed): (*metas)[i], (*texts)[i] point into *meta_raw and
  // *text_raw.
  Status ReadMetaAndText(std::string_view block, uint32_t docs, std::string* meta_raw,
                         std::string* text_raw, std::vector<std::string_view>* metas,
                         std::vector<std::string_view>* texts) const;
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
  std::unique_ptr<Dictionaries> dicts_;
};

}  // namespace wildchat
