// Text chunks: since segment format 9 a record's text is stored as one zstd
// frame per chunk, and each chunk decodes on its own (its codes, with a
// vocabulary, too: text_vocab.h). A reader that needs only a conversation's
// later utterances — a regex whose candidate positions lie there — skips the
// frames before them instead of decompressing the text from its start
// (record_text.h). A chunk ends after the text's first utterance, then after
// each utterance closing at least kTextChunkBytes since the last chunk ended.
// Both sides find the chunks from the utterance lengths alone, so they cost no
// bytes; the frames are magicless and name no dictionary, so that a chunk's
// frame costs only its header over one frame a text (at 100k the store's text
// is 0.2% larger than one frame a text with zstd blocks ending there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace wildchat {

inline constexpr uint64_t kTextChunkBytes = 2048;

// The offsets where a text's chunks after the first start, ascending and
// strictly inside [0, size): given the ends of its utterances (ascending;
// those at or past size end no chunk, nor does an empty first one).
void TextChunkStarts(std::span<const uint64_t> utterance_ends, uint64_t size,
                     std::vector<uint64_t>* out);

// The bytes of the whole magicless zstd frame at the front of `frames`
// (its header, blocks and checksum), or 0 when none is there whole.
size_t ChunkFrameSize(std::string_view frames);

}  // namespace wildchat
