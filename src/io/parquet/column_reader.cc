#include "io/parquet/column_reader.h"

#include <algorithm>
#include <cstring>

#include "io/parquet/compression.h"
#include "io/parquet/encodings.h"

namespace wildchat::parquet {

void ColumnData::Clear() {
  def.clear();
  rep.clear();
  bools.clear();
  ints.clear();
  doubles.clear();
  strings.clear();
  chunk.clear();
  buffers.clear();
  arenas.clear();
}

namespace {

enum class ValueKind { kBool, kInt, kDouble, kString };

ValueKind KindOf(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean:
      return ValueKind::kBool;
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
    case PhysicalType::kInt96:
      return ValueKind::kInt;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      return ValueKind::kDouble;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      return ValueKind::kString;
  }
  return ValueKind::kString;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0)) ? q - 1 : q;
}

int64_t LoadLE64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
int32_t LoadLE32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Values in a dictionary or appended from a page: the same shape as ColumnData.
struct Values {
  std::vector<uint8_t> bools;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strings;
  size_t size(ValueKind k) const {
    switch (k) {
      case ValueKind::kBool:
        return bools.size();
      case ValueKind::kInt:
        return ints.size();
      case ValueKind::kDouble:
        return doubles.size();
      case ValueKind::kString:
        return strings.size();
    }
    return 0;
  }
};

class ChunkDecoder {
 public:
  ChunkDecoder(const LeafLayout& leaf, Codec codec, ColumnData* out)
      : leaf_(leaf), codec_(codec), kind_(KindOf(leaf.type)), out_(out) {}

  Status Run(int64_t num_values);

 private:
  Status Page(const PageHeader& h, const uint8_t* data, size_t size);
  Status DictionaryPage(const PageHeader& h, const uint8_t* data, size_t size);
  Status DataPage(const PageHeader& h, const uint8_t* data, size_t size);
  // Decompresses `size` bytes into a buffer of `raw_size`; *result views it.
  Status Inflate(const uint8_t* data, size_t size, int64_t raw_size, bool keep,
                 const uint8_t** result);
  Status Levels(const uint8_t* data, size_t size, int max_level, size_t n,
                std::vector<uint8_t>* out, size_t offset);
  Status DecodeValues(Encoding enc, const uint8_t* data, size_t size, size_t count, Values* v,
                      bool plain_only);
  Status Plain(const uint8_t* data, size_t size, size_t count, Values* v);
  int64_t ScaleInt64(int64_t raw) const;
  void Append(const Values& v);

  const LeafLayout& leaf_;
  Codec codec_;
  ValueKind kind_;
  ColumnData* out_;
  Values dict_;
  bool have_dict_ = false;
  std::vector<uint32_t> indices_;
  std::unique_ptr<char[]> scratch_;
  size_t scratch_size_ = 0;
  int64_t entries_ = 0;
  int64_t num_values_ = 0;
};

int64_t ChunkDecoder::ScaleInt64(int64_t raw) const {
  if (!leaf_.timestamp) return raw;
  switch (leaf_.unit) {
    case TimeUnit::kMillis:
      return static_cast<int64_t>(static_cast<uint64_t>(raw) * 1000u);
    case TimeUnit::kNanos:
      return FloorDiv(raw, 1000);
    default:
      return raw;
  }
}

Status ChunkDecoder::Run(int64_t num_values) {
  num_values_ = num_values;
  out_->def.reserve(static_cast<size_t>(std::min<int64_t>(num_values, 1 << 20)));
  const std::string& chunk = out_->chunk;
  size_t off = 0;
  for (int page = 0; entries_ < num_values; ++page) {
    auto where = [&] {
      return "page " + std::to_string(page) + " (byte " + std::to_string(off) + " of the chunk): ";
    };
    if (off >= chunk.size()) {
      return Status::Corruption(where() + "column chunk ends after " + std::to_string(entries_) +
                                " of " + std::to_string(num_values) + " values");
    }
    PageHeader h;
    size_t hsize = 0;
    Status st = ParsePageHeader(std::string_view(chunk).substr(off), &h, &hsize);
    if (!st.ok()) return st.WithContext(where());
    if (h.compressed_page_size < 0 ||
        static_cast<uint64_t>(h.compressed_page_size) > chunk.size() - off - hsize) {
      return Status::Corruption(where() + "page size " + std::to_string(h.compressed_page_size) +
                                " runs past the column chunk");
    }
    if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes) {
      return Status::Corruption(where() + "bad uncompressed page size " +
                                std::to_string(h.uncompressed_page_size));
    }
    const uint8_t* data = reinterpret_cast<const uint8_t*>(chunk.data()) + off + hsize;
    st = Page(h, data, static_cast<size_t>(h.compressed_page_size));
    if (!st.ok()) return st.WithContext(where());
    off += hsize + static_cast<size_t>(h.compressed_page_size);
  }
  return Status::OK();
}

Status ChunkDecoder::Page(const PageHeader& h, const uint8_t* data, size_t size) {
  switch (h.type) {
    case PageType::kDictionaryPage:
      return DictionaryPage(h, data, size);
    case PageType::kDataPage:
    case PageType::kDataPageV2:
      return DataPage(h, data, size);
    case PageType::kIndexPage:
      return Status::OK();
  }
  return Status::Corruption("unknown page type " + std::to_string(static_cast<int>(h.type)));
}

Status ChunkDecoder::Inflate(const uint8_t* data, size_t size, int64_t raw_size, bool keep,
                             const uint8_t** result) {
  if (codec_ == Codec::kUncompressed) {
    if (static_cast<int64_t>(size) != raw_size)
      return Status::Corruption("uncompressed page is " + std::to_string(size) +
                                " bytes, header says " + std::to_string(raw_size));
    *result = data;
    return Status::OK();
  }
  WILDCHAT_RETURN_IF_ERROR(
      CheckDecompressedSize(codec_, std::string_view(reinterpret_cast<const char*>(data), size),
                            static_cast<size_t>(raw_size)));
  char* buf;
  if (keep) {
    out_->buffers.emplace_back(new char[raw_size > 0 ? raw_size : 1]);
    buf = out_->buffers.back().get();
  } else {
    if (scratch_size_ < static_cast<size_t>(raw_size)) {
      scratch_.reset(new char[raw_size]);
      scratch_size_ = static_cast<size_t>(raw_size);
    }
    buf = scratch_.get();
  }
  WILDCHAT_RETURN_IF_ERROR(Decompress(codec_,
                                      std::string_view(reinterpret_cast<const char*>(data), size),
                                      buf, static_cast<size_t>(raw_size)));
  *result = reinterpret_cast<const uint8_t*>(buf);
  return Status::OK();
}

Status ChunkDecoder::DictionaryPage(const PageHeader& h, const uint8_t* data, size_t size) {
  if (!h.dictionary_page_header) return Status::Corruption("dictionary page without its header");
  if (have_dict_) return Status::Corruption("second dictionary page in one column chunk");
  const auto& dh = *h.dictionary_page_header;
  if (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary)
    return Status::Unsupported("dictionary encoding " +
                               std::to_string(static_cast<int>(dh.encoding)));
  if (dh.num_values < 0) return Status::Corruption("negative dictionary size");
  const uint8_t* raw;
  WILDCHAT_RETURN_IF_ERROR(
      Inflate(data, size, h.uncompressed_page_size, kind_ == ValueKind::kString, &raw));
  WILDCHAT_RETURN_IF_ERROR(Plain(raw, static_cast<size_t>(h.uncompressed_page_size),
                                 static_cast<size_t>(dh.num_values), &dict_)
                               .WithContext("dictionary: "));
  have_dict_ = true;
  return Status::OK();
}

Status ChunkDecoder::Levels(const uint8_t* data, size_t size, int max_level, size_t n,
                            std::vector<uint8_t>* out, size_t offset) {
  out->resize(offset + n);
  if (max_level == 0) {
    std::fill(out->begin() + offset, out->end(), 0);
    return Status::OK();
  }
  RleBitPackedDecoder d(data, size, BitWidth(static_cast<uint64_t>(max_level)));
  if (!d.Get(out->data() + offset, n)) return Status::Corruption("corrupt RLE levels");
  for (size_t i = offset; i < offset + n; ++i) {
    if ((*out)[i] > max_level)
      return Status::Corruption("level " + std::to_string((*out)[i]) + " above the maximum " +
                                std::to_string(max_level));
  }
  return Status::OK();
}

Status ChunkDecoder::DataPage(const PageHeader& h, const uint8_t* data, size_t size) {
  bool v2 = h.type == PageType::kDataPageV2;
  if (v2 ? !h.data_page_header_v2 : !h.data_page_header)
    return Status::Corruption("data page without its header");
  int32_t n32 = v2 ? h.data_page_header_v2->num_values : h.data_page_header->num_values;
  Encoding enc = v2 ? h.data_page_header_v2->encoding : h.data_page_header->encoding;
  if (n32 < 0 || n32 > num_values_ - entries_)
    return Status::Corruption("page holds " + std::to_string(n32) +
                              " values, more than the chunk's " +
                              std::to_string(num_values_ - entries_) + " left");
  // Real writers cut pages at about 20k rows; a count far beyond what the page
  // bytes could plausibly describe is a corrupt header, not a page to inflate.
  if (n32 > std::max<int64_t>(int64_t{1} << 22, int64_t{64} * h.uncompressed_page_size))
    return Status::Corruption("page claims " + std::to_string(n32) + " values in " +
                              std::to_string(h.uncompressed_page_size) + " bytes");
  size_t n = static_cast<size_t>(n32);
  size_t base = out_->def.size();
  const uint8_t* values;
  size_t values_size;
  if (v2) {
    const auto& d = *h.data_page_header_v2;
    if (d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0 ||
        static_cast<uint64_t>(d.repetition_levels_byte_length) + d.definition_levels_byte_length >
            size ||
        d.repetition_levels_byte_length + d.definition_levels_byte_length >
            h.uncompressed_page_size)
      return Status::Corruption("level lengths exceed the page");
    size_t rl = static_cast<size_t>(d.repetition_levels_byte_length);
    size_t dl = static_cast<size_t>(d.definition_levels_byte_length);
    WILDCHAT_RETURN_IF_ERROR(
        Levels(data, rl, leaf_.max_rep, n, &out_->rep, base).WithContext("repetition "));
    WILDCHAT_RETURN_IF_ERROR(
        Levels(data + rl, dl, leaf_.max_def, n, &out_->def, base).WithContext("definition "));
    if (leaf_.max_def == 0) std::fill(out_->def.begin() + base, out_->def.end(), 0);
    const uint8_t* rest = data + rl + dl;
    size_t rest_size = size - rl - dl;
    int64_t raw_size = h.uncompressed_page_size - static_cast<int64_t>(rl + dl);
    if (d.is_compressed && codec_ != Codec::kUncompressed) {
      WILDCHAT_RETURN_IF_ERROR(
          Inflate(rest, rest_size, raw_size, kind_ == ValueKind::kString, &values));
      values_size = static_cast<size_t>(raw_size);
    } else {
      values = rest;
      values_size = rest_size;
    }
  } else {
    const uint8_t* raw;
    WILDCHAT_RETURN_IF_ERROR(
        Inflate(data, size, h.uncompressed_page_size, kind_ == ValueKind::kString, &raw));
    size_t left = static_cast<size_t>(h.uncompressed_page_size);
    auto v1_levels = [&](int max_level, std::vector<uint8_t>* out, const char* what) -> Status {
      if (max_level == 0) return Levels(nullptr, 0, 0, n, out, base);
      if (left < 4) return Status::Corruption(std::string(what) + " levels truncated");
      uint32_t len;
      std::memcpy(&len, raw, 4);
      if (len > left - 4)
        return Status::Corruption(std::string(what) + " levels run past the page");
      Status st = Levels(raw + 4, len, max_level, n, out, base);
      raw += 4 + len;
      left -= 4 + len;
      return st.WithContext(std::string(what) + " ");
    };
    if (leaf_.max_rep > 0 && h.data_page_header->repetition_level_encoding != Encoding::kRle)
      return Status::Unsupported("repetition level encoding other than RLE");
    if (leaf_.max_def > 0 && h.data_page_header->definition_level_encoding != Encoding::kRle)
      return Status::Unsupported("definition level encoding other than RLE");
    WILDCHAT_RETURN_IF_ERROR(v1_levels(leaf_.max_rep, &out_->rep, "repetition"));
    WILDCHAT_RETURN_IF_ERROR(v1_levels(leaf_.max_def, &out_->def, "definition"));
    values = raw;
    values_size = left;
  }
  if (leaf_.max_def == 0) {
    std::fill(out_->def.begin() + base, out_->def.end(), 0);
  }
  if (leaf_.max_rep > 0 && n > 0 && base == 0 && out_->rep[0] != 0)
    return Status::Corruption("column chunk starts inside a list");
  size_t present = 0;
  const uint8_t max_def = static_cast<uint8_t>(leaf_.max_def);
  for (size_t i = base; i < base + n; ++i) present += out_->def[i] == max_def;
  entries_ += n32;
  Values v;
  WILDCHAT_RETURN_IF_ERROR(DecodeValues(enc, values, values_size, present, &v, false));
  Append(v);
  return Status::OK();
}

void ChunkDecoder::Append(const Values& v) {
  switch (kind_) {
    case ValueKind::kBool:
      out_->bools.insert(out_->bools.end(), v.bools.begin(), v.bools.end());
      break;
    case ValueKind::kInt:
      out_->ints.insert(out_->ints.end(), v.ints.begin(), v.ints.end());
      break;
    case ValueKind::kDouble:
      out_->doubles.insert(out_->doubles.end(), v.doubles.begin(), v.doubles.end());
      break;
    case ValueKind::kString:
      out_->strings.insert(out_->strings.end(), v.strings.begin(), v.strings.end());
      break;
  }
}

Status ChunkDecoder::Plain(const uint8_t* p, size_t size, size_t count, Values* v) {
  auto need = [&](uint64_t bytes) -> Status {
    if (bytes > size)
      return Status::Corruption("PLAIN values need " + std::to_string(bytes) + " bytes, page has " +
                                std::to_string(size));
    return Status::OK();
  };
  switch (leaf_.type) {
    case PhysicalType::kBoolean:
      WILDCHAT_RETURN_IF_ERROR(need((uint64_t{count} + 7) / 8));
      v->bools.resize(count);
      for (size_t i = 0; i < count; ++i) v->bools[i] = (p[i / 8] >> (i % 8)) & 1;
      return Status::OK();
    case PhysicalType::kInt32:
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * 4));
      v->ints.resize(count);
      for (size_t i = 0; i < count; ++i) v->ints[i] = LoadLE32(p + 4 * i);
      return Status::OK();
    case PhysicalType::kInt64:
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * 8));
      v->ints.resize(count);
      for (size_t i = 0; i < count; ++i) v->ints[i] = ScaleInt64(LoadLE64(p + 8 * i));
      return Status::OK();
    case PhysicalType::kInt96:
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * 12));
      v->ints.resize(count);
      for (size_t i = 0; i < count; ++i) {
        // 8 bytes of nanoseconds in the day, then the Julian day number.
        int64_t nanos = LoadLE64(p + 12 * i);
        int64_t julian = LoadLE32(p + 12 * i + 8);
        constexpr int64_t kUnixEpochJulian = 2440588;
        v->ints[i] =
            static_cast<int64_t>(static_cast<uint64_t>(julian - kUnixEpochJulian) * 86400000000u +
                                 static_cast<uint64_t>(FloorDiv(nanos, 1000)));
      }
      return Status::OK();
    case PhysicalType::kFloat:
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * 4));
      v->doubles.resize(count);
      for (size_t i = 0; i < count; ++i) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        v->doubles[i] = f;
      }
      return Status::OK();
    case PhysicalType::kDouble:
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * 8));
      v->doubles.resize(count);
      if (count) std::memcpy(v->doubles.data(), p, count * 8);
      return Status::OK();
    case PhysicalType::kByteArray: {
      v->strings.resize(count);
      size_t off = 0;
      for (size_t i = 0; i < count; ++i) {
        if (size - off < 4)
          return Status::Corruption("PLAIN strings truncated at value " + std::to_string(i));
        uint32_t len;
        std::memcpy(&len, p + off, 4);
        off += 4;
        if (len > size - off)
          return Status::Corruption("PLAIN string " + std::to_string(i) + " of length " +
                                    std::to_string(len) + " runs past the page");
        v->strings[i] = std::string_view(reinterpret_cast<const char*>(p + off), len);
        off += len;
      }
      return Status::OK();
    }
    case PhysicalType::kFixedLenByteArray: {
      if (leaf_.type_length < 0) return Status::Corruption("negative fixed length");
      size_t w = static_cast<size_t>(leaf_.type_length);
      WILDCHAT_RETURN_IF_ERROR(need(uint64_t{count} * w));
      v->strings.resize(count);
      for (size_t i = 0; i < count; ++i)
        v->strings[i] = std::string_view(reinterpret_cast<const char*>(p + i * w), w);
      return Status::OK();
    }
  }
  return Status::Corruption("unknown physical type");
}

Status ChunkDecoder::DecodeValues(Encoding enc, const uint8_t* p, size_t size, size_t count,
                                  Values* v, bool) {
  const std::string enc_name = std::to_string(static_cast<int>(enc));
  switch (enc) {
    case Encoding::kPlain:
      return Plain(p, size, count, v);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!have_dict_)
        return Status::Corruption("dictionary-encoded page without a dictionary page");
      if (count == 0) return Status::OK();
      if (size < 1) return Status::Corruption("dictionary indices truncated");
      int bw = p[0];
      if (bw > 32) return Status::Corruption("dictionary index bit width " + std::to_string(bw));
      indices_.resize(count);
      RleBitPackedDecoder d(p + 1, size - 1, bw);
      if (!d.Get(indices_.data(), count)) return Status::Corruption("corrupt dictionary indices");
      size_t dn = dict_.size(kind_);
      for (uint32_t idx : indices_) {
        if (idx >= dn)
          return Status::Corruption("dictionary index " + std::to_string(idx) +
                                    " out of range (dictionary has " + std::to_string(dn) + ")");
      }
      switch (kind_) {
        case ValueKind::kBool:
          v->bools.resize(count);
          for (size_t i = 0; i < count; ++i) v->bools[i] = dict_.bools[indices_[i]];
          break;
        case ValueKind::kInt:
          v->ints.resize(count);
          for (size_t i = 0; i < count; ++i) v->ints[i] = dict_.ints[indices_[i]];
          break;
        case ValueKind::kDouble:
          v->doubles.resize(count);
          for (size_t i = 0; i < count; ++i) v->doubles[i] = dict_.doubles[indices_[i]];
          break;
        case ValueKind::kString:
          v->strings.resize(count);
          for (size_t i = 0; i < count; ++i) v->strings[i] = dict_.strings[indices_[i]];
          break;
      }
      return Status::OK();
    }
    case Encoding::kRle: {
      if (leaf_.type != PhysicalType::kBoolean)
        return Status::Unsupported("RLE values for a non-boolean column");
      if (size < 4) return Status::Corruption("RLE booleans truncated");
      uint32_t len;
      std::memcpy(&len, p, 4);
      if (len > size - 4) return Status::Corruption("RLE booleans run past the page");
      v->bools.resize(count);
      RleBitPackedDecoder d(p + 4, len, 1);
      if (!d.Get(v->bools.data(), count)) return Status::Corruption("corrupt RLE booleans");
      return Status::OK();
    }
    case Encoding::kDeltaBinaryPacked: {
      if (leaf_.type != PhysicalType::kInt32 && leaf_.type != PhysicalType::kInt64)
        return Status::Unsupported("DELTA_BINARY_PACKED for a non-integer column");
      size_t used;
      if (!DecodeDeltaBinaryPacked(p, size, count, &v->ints, &used) || v->ints.size() != count)
        return Status::Corruption("corrupt DELTA_BINARY_PACKED values");
      if (leaf_.type == PhysicalType::kInt32) {
        for (int64_t& x : v->ints) x = static_cast<int32_t>(x);
      } else {
        for (int64_t& x : v->ints) x = ScaleInt64(x);
      }
      return Status::OK();
    }
    case Encoding::kDeltaLengthByteArray:
      if (kind_ != ValueKind::kString)
        return Status::Unsupported("DELTA_LENGTH_BYTE_ARRAY for a non-string column");
      if (!DecodeDeltaLengthByteArray(p, size, count, &v->strings) || v->strings.size() != count)
        return Status::Corruption("corrupt DELTA_LENGTH_BYTE_ARRAY values");
      return Status::OK();
    case Encoding::kDeltaByteArray: {
      if (kind_ != ValueKind::kString)
        return Status::Unsupported("DELTA_BYTE_ARRAY for a non-string column");
      out_->arenas.emplace_back();
      if (!DecodeDeltaByteArray(p, size, count, &out_->arenas.back(), &v->strings) ||
          v->strings.size() != count)
        return Status::Corruption("corrupt DELTA_BYTE_ARRAY values");
      return Status::OK();
    }
    case Encoding::kByteStreamSplit: {
      size_t w;
      switch (leaf_.type) {
        case PhysicalType::kFloat:
        case PhysicalType::kInt32:
          w = 4;
          break;
        case PhysicalType::kDouble:
        case PhysicalType::kInt64:
          w = 8;
          break;
        default:
          return Status::Unsupported("BYTE_STREAM_SPLIT for this column type");
      }
      if (uint64_t{count} * w > size)
        return Status::Corruption("BYTE_STREAM_SPLIT values truncated");
      std::vector<uint8_t> joined(count * w);
      for (size_t i = 0; i < count; ++i)
        for (size_t b = 0; b < w; ++b) joined[i * w + b] = p[b * count + i];
      return Plain(joined.data(), joined.size(), count, v);
    }
    default:
      break;
  }
  return Status::Unsupported("value encoding " + enc_name + " is not supported");
}

}  // namespace

Status ReadColumnChunk(std::string chunk, Codec codec, int64_t num_values, const LeafLayout& leaf,
                       ColumnData* out) {
  out->Clear();
  out->chunk = std::move(chunk);
  if (num_values < 0) return Status::Corruption("negative value count");
  ChunkDecoder d(leaf, codec, out);
  return d.Run(num_values);
}

}  // namespace wildchat::parquet
