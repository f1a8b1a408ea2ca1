#include "engine/store/store_builder.h"

#include <zdict.h>
#define ZSTD_STATIC_LINKING_ONLY  // magicless frames (text_chunks.h)
#include <zstd.h>

#include <algorithm>

#include "engine/segment/coding.h"
#include "engine/segment/segment_file.h"
#include "engine/store/store_reader.h"
#include "engine/store/text_chunks.h"
#include "engine/store/text_vocab.h"

namespace wildchat {
namespace {

// Raw bytes (all three parts) per block: small enough that fetching one
// conversation (a snippet, a page, a sparse regex candidate) decompresses
// little; the trained dictionaries keep small blocks compressing nearly as
// well as large ones (8 KB: +0.7% index size over 32 KB at 100k).
constexpr size_t kBlockBytes = 8 * 1024;
// The meta and score frames' level. At 6 the meta frames are 7.5% smaller
// (13 MB at 1M), but 100k builds took 1.4–4 s more CPU than at 3.
constexpr int kZstdLevel = 3;
// Text is most of the store; a higher level pays for itself there. At 100k,
// level 6 stores the text 2.9% smaller than 5 for 18% more compression CPU
// and decompresses as fast (~620 MB/s a core); 7 saves 1.6% more for 21%
// more CPU again (at 1M about 20 s of CPU for 28 MB). Beyond, each step
// costs more than it saves: 8 and 9 save 0.8% and 1.1% more than 7 for
// 37% and 49% more CPU, 10 0.7% more again for 61% more.
constexpr int kTextLevel = 7;
// The text vocabulary is trained on the segment's first kSampleDocs records,
// the text dictionary on the first kTextSampleDocs (coded), the meta
// dictionary on the first kMetaSampleDocs.
constexpr size_t kSampleDocs = 32768;
constexpr size_t kTextSampleDocs = 8192;
constexpr size_t kMetaSampleDocs = 2048;
constexpr size_t kTextDictBytes = 1 << 20;
constexpr size_t kMetaDictBytes = 128 << 10;
// Dictionaries are trained only from samples at least this many times their size.
constexpr size_t kSamplesPerDictByte = 8;

// A dictionary of up to `capacity` bytes for samples, or empty when they are
// too few to train on.
std::string Train(const std::vector<std::string_view>& samples, size_t capacity) {
  std::string all;
  std::vector<size_t> sizes;
  for (const std::string_view p : samples) {
    if (p.empty()) continue;
    all += p;
    sizes.push_back(p.size());
  }
  capacity = std::min(capacity, all.size() / kSamplesPerDictByte);
  if (capacity < 1024 || sizes.size() < 8) return {};
  std::string dict(capacity, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return {};
  dict.resize(n);
  return dict;
}

}  // namespace

struct StoreBuilder::Compressor {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CDict* meta = nullptr;
  ZSTD_CDict* text = nullptr;
  std::unique_ptr<TextVocab> vocab;  // null: the text is stored as it is
  std::string codes;                 // a text's codes, with vocab
  ~Compressor() {
    ZSTD_freeCDict(meta);
    ZSTD_freeCDict(text);
    ZSTD_freeCCtx(cctx);
  }
  // Appends one zstd frame of src to out; a text chunk's (`chunk`) is
  // magicless and names no dictionary (text_chunks.h).
  void Compress(std::string_view src, const ZSTD_CDict* dict, std::string* out,
                bool chunk = false) {
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    if (dict) {
      ZSTD_CCtx_refCDict(cctx, dict);
    } else {
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kZstdLevel);
    }
    if (chunk) {
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_format, ZSTD_f_zstd1_magicless);
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 0);
    }
    const size_t bound = ZSTD_compressBound(src.size());
    const size_t old = out->size();
    out->resize(old + bound);
    const size_t n = ZSTD_compress2(cctx, out->data() + old, bound, src.data(), src.size());
    // Compression into a buffer of compressBound bytes cannot fail.
    out->resize(old + (ZSTD_isError(n) ? 0 : n));
  }
  // A text's chunks, each its own frame: [0, starts[0]), [starts[0], starts[1]), …
  // With a vocabulary, each chunk's codes, coded afresh.
  void CompressText(std::string_view text, const std::vector<uint64_t>& starts, std::string* out) {
    uint64_t at = 0;
    for (size_t k = 0; k <= starts.size(); ++k) {
      const uint64_t end = k < starts.size() ? starts[k] : text.size();
      const std::string_view chunk = text.substr(at, end - at);
      if (vocab) {
        codes.clear();
        vocab->Encode(chunk, &codes);
        Compress(codes, this->text, out, /*chunk=*/true);
      } else {
        Compress(chunk, this->text, out, /*chunk=*/true);
      }
      at = end;
    }
  }
};

StoreBuilder::StoreBuilder(std::shared_ptr<const StoreDictionaries> shared, bool code_text)
    : code_text_(code_text) {
  if (shared && !(shared->meta.empty() && shared->text.empty() && shared->vocab.empty())) {
    UseDictionaries(std::move(shared));
  }
}
StoreBuilder::~StoreBuilder() = default;

uint64_t StoreBuilder::memory_bytes() const {
  return sample_bytes_ + blocks_.size() + open_meta_.size() + open_scores_.size() +
         text_frames_.size();
}

void StoreBuilder::Add(const Conversation& c) {
  ++num_docs_;
  if (compressor_) {
    scratch_.meta.clear();
    scratch_.scores.clear();
    scratch_.text.clear();
    EncodeConversationParts(c, &scratch_);
    AppendToBlock(scratch_);
    return;
  }
  samples_.emplace_back();
  EncodeConversationParts(c, &samples_.back());
  sample_bytes_ +=
      samples_.back().meta.size() + samples_.back().scores.size() + samples_.back().text.size();
  // Without a vocabulary the dictionaries need only their own samples.
  if (samples_.size() >= (code_text_ ? kSampleDocs : kTextSampleDocs)) TrainDictionaries();
}

void StoreBuilder::UseDictionaries(std::shared_ptr<const StoreDictionaries> dicts,
                                   std::unique_ptr<TextVocab> vocab) {
  dicts_ = std::move(dicts);
  compressor_ = std::make_unique<Compressor>();
  if (!dicts_->meta.empty()) {
    compressor_->meta = ZSTD_createCDict(dicts_->meta.data(), dicts_->meta.size(), kZstdLevel);
  }
  if (!dicts_->text.empty()) {
    compressor_->text = ZSTD_createCDict(dicts_->text.data(), dicts_->text.size(), kTextLevel);
  }
  compressor_->vocab = std::move(vocab);
  // A shared vocabulary was written by TextVocab::Train: opening it cannot fail.
  if (!compressor_->vocab && !dicts_->vocab.empty() &&
      !TextVocab::Open(dicts_->vocab, &compressor_->vocab).ok()) {
    compressor_->vocab.reset();
  }
}

void StoreBuilder::TrainDictionaries() {
  auto trained = std::make_shared<StoreDictionaries>();
  std::vector<std::string_view> metas, texts;
  for (const RecordParts& doc : samples_) {
    if (metas.size() < kMetaSampleDocs) metas.push_back(doc.meta);
    texts.push_back(doc.text);
  }
  trained->meta = Train(metas, kMetaDictBytes);
  // The vocabulary from all the samples; the text dictionary from the first
  // kTextSampleDocs texts as they are stored: coded.
  if (code_text_) trained->vocab = TextVocab::Train(texts);
  texts.resize(std::min(texts.size(), kTextSampleDocs));
  std::vector<std::string> coded(texts.size());
  std::unique_ptr<TextVocab> vocab;
  if (!trained->vocab.empty() && TextVocab::Open(trained->vocab, &vocab).ok()) {
    for (size_t i = 0; i < texts.size(); ++i) {
      vocab->Encode(texts[i], &coded[i]);
      texts[i] = coded[i];
    }
  }
  trained->text = Train(texts, kTextDictBytes);
  UseDictionaries(std::move(trained), std::move(vocab));
  for (const RecordParts& doc : samples_) AppendToBlock(doc);
  samples_.clear();
  samples_.shrink_to_fit();
  sample_bytes_ = 0;
}

void StoreBuilder::AppendToBlock(const RecordParts& doc) {
  if (open_docs_ == 0) first_doc_.push_back(blocked_docs_);
  ++blocked_docs_;
  PutVarint(&lengths_, doc.meta.size());
  PutVarint(&lengths_, doc.scores.size() / 4);
  PutVarint(&lengths_, doc.text.size());
  open_meta_ += doc.meta;
  open_scores_ += doc.scores;
  // Each record's text is frames of its own (an empty text none), so reading
  // one record decompresses only its text, and only its chunks its reader
  // asks for (text_chunks.h): the first utterance is a chunk of its own (a
  // snippet of it decompresses only that), and so is each later run of
  // utterances of at least kTextChunkBytes (a regex verified in a long
  // conversation decompresses about that much around its candidates).
  const size_t before = text_frames_.size();
  if (!doc.text.empty()) {
    TextChunkStarts(doc.utterance_ends, doc.text.size(), &chunk_starts_);
    compressor_->CompressText(doc.text, chunk_starts_, &text_frames_);
  }
  PutVarint(&text_frame_lengths_, text_frames_.size() - before);
  open_text_bytes_ += doc.text.size();
  ++open_docs_;
  if (lengths_.size() + open_meta_.size() + open_scores_.size() + open_text_bytes_ >= kBlockBytes) {
    FlushBlock();
  }
}

void StoreBuilder::FlushBlock() {
  if (open_docs_ == 0) return;
  lengths_ += open_meta_;
  std::string meta_frame, scores_frame;
  compressor_->Compress(lengths_, compressor_->meta, &meta_frame);
  // The words' high bytes (a score's sign and exponent) compress; bytes 0–2,
  // the mantissa's noise, are stored raw after them (store_reader.h).
  ShuffleWordBytes(open_scores_, &frame_);
  const size_t low_planes = open_scores_.size() / 4 * 3;
  compressor_->Compress(std::string_view(frame_).substr(low_planes), nullptr, &scores_frame);
  scores_frame.append(frame_, 0, low_planes);
  PutVarint(&blocks_, meta_frame.size());
  PutVarint(&blocks_, scores_frame.size());
  blocks_ += text_frame_lengths_;
  blocks_ += meta_frame;
  blocks_ += scores_frame;
  blocks_ += text_frames_;
  offsets_.push_back(blocks_.size());
  lengths_.clear();
  open_meta_.clear();
  open_scores_.clear();
  text_frames_.clear();
  text_frame_lengths_.clear();
  open_text_bytes_ = 0;
  open_docs_ = 0;
}

Status StoreBuilder::WriteTo(SegmentFileWriter* w) {
  if (!compressor_) TrainDictionaries();
  FlushBlock();
  first_doc_.push_back(num_docs_);
  WILDCHAT_RETURN_IF_ERROR(w->Add("store.dict.meta", dicts_->meta));
  WILDCHAT_RETURN_IF_ERROR(w->Add("store.dict.text", dicts_->text));
  WILDCHAT_RETURN_IF_ERROR(w->Add("store.vocab", dicts_->vocab));
  WILDCHAT_RETURN_IF_ERROR(w->Add("store.blocks", blocks_));
  WILDCHAT_RETURN_IF_ERROR(
      w->Add("store.offsets", std::string_view(reinterpret_cast<const char*>(offsets_.data()),
                                               offsets_.size() * sizeof(uint64_t))));
  return w->Add("store.first", std::string_view(reinterpret_cast<const char*>(first_doc_.data()),
                                                first_doc_.size() * sizeof(uint32_t)));
}

}  // namespace wildchat
