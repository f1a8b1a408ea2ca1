// libFuzzer target: the untrusted streams inside a segment file — one term's
// posting and position streams, and one store block with its dictionaries —
// must decode or be rejected as corrupt, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/segment/coding.h"
#include "engine/segment/postings.h"
#include "engine/store/record_codec.h"
#include "engine/store/store_reader.h"

namespace wildchat {
namespace {

// Input: byte selector, varint df (or block docs), varint segment docs, then
// length-prefixed pieces.
void Run(std::string_view in) {
  ByteReader r(in);
  const uint8_t kind = r.Byte();
  const uint32_t count = static_cast<uint32_t>(r.Varint() % 100000);
  const uint32_t num_docs = 1 + static_cast<uint32_t>(r.Varint() % (1u << 24));
  const std::string_view a = r.String();
  const std::string_view b = r.String();
  const std::string_view rest(r.pos(), r.remaining());
  if (kind % 2 == 0) {
    PostingCursor c(a, b, count, num_docs, kind & 4 ? TailCoding::kPatched : TailCoding::kVarints);
    std::vector<uint32_t> positions;
    uint32_t steps = 0;
    while (kind & 2 ? c.Advance(c.doc() + 1 + (steps % 7) * 50) : c.Next()) {
      if (c.doc() >= num_docs || ++steps > count) std::abort();
      // Some docs read one after another (whole-block unpack), some alone.
      if (steps % 3 != 0) c.ReadPositions(&positions);
    }
    return;
  }
  std::unique_ptr<StoreReader> reader;
  // Every block layout; and texts read for every record, or only some.
  const TextFrames layout = kind & 2   ? TextFrames::kPerBlock
                            : kind & 8 ? TextFrames::kPerRecordChunks
                                       : TextFrames::kPerRecord;
  if (!StoreReader::Open(a, b, {}, layout, &reader).ok()) return;
  std::string raw;
  std::vector<std::string_view> records;
  const uint32_t docs = count % 512;
  if (kind & 4) {
    std::string meta_raw;
    std::vector<std::string_view> metas;
    // One record's text, decompressed a part at a time.
    RecordText text;
    std::string_view meta;
    const uint32_t one = docs ? kind % docs : 0;
    Status rs = reader->ReadMetaAndRecordText(rest, docs, one, &meta_raw, &meta, &text);
    for (uint64_t n = 1; rs.ok() && text.decoded() < text.text().size(); n *= 4) {
      rs = text.Through(n);
      if (rs.ok() && text.decoded() < std::min<uint64_t>(n, text.text().size())) std::abort();
    }
    if (!rs.ok() && rs.code() != Status::Code::kCorruption &&
        rs.code() != Status::Code::kNotFound) {
      std::abort();
    }
    // The wanted records' texts in order, each decompressed a part at a time
    // and left early (as regex verification reads them).
    uint32_t visited = 0;
    const Status ws = reader->ForEachRecordText(
        rest, docs, [&](uint32_t i) { return (i + kind) % 2 == 0; }, &meta_raw, &metas, &text,
        [&](uint32_t i, RecordText* t) -> Status {
          if (i >= docs || metas.size() != docs) std::abort();
          ++visited;
          // Some read from a later chunk on (as regex verification may),
          // with utterance ends that may disagree with the frames.
          const uint64_t size = t->text().size();
          if (i % 2 == 1 && size > 0) {
            const uint64_t ends[] = {size / 5 + i % 3, size / 2, size - i % 2, size};
            WILDCHAT_RETURN_IF_ERROR(t->From((size * (i % 7)) / 7, ends));
          }
          for (uint64_t n = 1 + i % 5; t->decoded() < t->text().size() && n < 1u << 20; n *= 8) {
            WILDCHAT_RETURN_IF_ERROR(t->Through(n));
            if (i % 3 == 0) break;
          }
          return Status::OK();
        });
    if (!ws.ok() && ws.code() != Status::Code::kCorruption) std::abort();
    if (ws.ok() && metas.size() != docs) std::abort();
    if (visited > docs) std::abort();
    return;
  }
  const Status st = reader->ReadBlock(rest, docs, &raw, &records);
  if (!st.ok()) {
    if (st.code() != Status::Code::kCorruption) std::abort();
    return;
  }
  for (std::string_view rec : records) {
    Conversation c;
    const Status ds = DecodeConversation(rec, &c);
    if (!ds.ok() && ds.code() != Status::Code::kCorruption) std::abort();
  }
}

}  // namespace
}  // namespace wildchat

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wildchat::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
