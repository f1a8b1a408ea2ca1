#include "io/parquet/column_writer.h"

#include <cstring>

#include "io/parquet/compression.h"
#include "io/parquet/encodings.h"

namespace wildchat::parquet {

namespace {
constexpr size_t kMaxDictionaryBytes = size_t{1} << 20;
}

ColumnWriter::ColumnWriter(const LeafLayout* leaf, Codec codec, size_t page_bytes, bool dictionary)
    : leaf_(leaf),
      codec_(codec),
      page_bytes_(page_bytes),
      dictionary_(dictionary && leaf->type == PhysicalType::kByteArray),
      dict_active_(dictionary_) {}

void ColumnWriter::String(uint8_t rep, std::string_view v) {
  Present(rep);
  if (dict_active_) {
    auto [it, inserted] =
        dict_index_.try_emplace(std::string(v), static_cast<uint32_t>(dict_order_.size()));
    if (inserted) {
      dict_order_.push_back(&it->first);
      dict_bytes_ += v.size() + 4;
    }
    indices_.push_back(it->second);
    return;
  }
  uint32_t n = static_cast<uint32_t>(v.size());
  values_.append(reinterpret_cast<const char*>(&n), 4);
  values_.append(v);
}

void ColumnWriter::Bool(uint8_t rep, bool v) {
  Present(rep);
  bools_.push_back(v ? 1 : 0);
}

void ColumnWriter::Int64(uint8_t rep, int64_t v) {
  Present(rep);
  if (leaf_->type == PhysicalType::kInt96) {
    // Nanoseconds in the day, then the Julian day.
    constexpr int64_t kDay = 86400000000;
    int64_t day = v / kDay - (v % kDay < 0 ? 1 : 0);
    int64_t nanos = (v - day * kDay) * 1000;
    int32_t julian = static_cast<int32_t>(day + 2440588);
    values_.append(reinterpret_cast<const char*>(&nanos), 8);
    values_.append(reinterpret_cast<const char*>(&julian), 4);
    return;
  }
  values_.append(reinterpret_cast<const char*>(&v), 8);
}

void ColumnWriter::Double(uint8_t rep, double v) {
  Present(rep);
  values_.append(reinterpret_cast<const char*>(&v), 8);
}

Status ColumnWriter::EndRow() {
  if (values_.size() + bools_.size() / 8 + def_.size() / 4 + indices_.size() >= page_bytes_) {
    WILDCHAT_RETURN_IF_ERROR(FlushPage());
  }
  // Past the size limit the dictionary stops growing: later pages are PLAIN.
  if (dict_active_ && dict_bytes_ > kMaxDictionaryBytes) {
    WILDCHAT_RETURN_IF_ERROR(FlushPage());
    dict_active_ = false;
  }
  return Status::OK();
}

Status ColumnWriter::AppendPage(PageHeader h, const std::string& raw) {
  WILDCHAT_RETURN_IF_ERROR(Compress(codec_, raw, &compressed_));
  h.uncompressed_page_size = static_cast<int32_t>(raw.size());
  h.compressed_page_size = static_cast<int32_t>(compressed_.size());
  size_t before = pages_.size();
  SerializePageHeader(h, &pages_);
  uncompressed_ += static_cast<int64_t>(pages_.size() - before + raw.size());
  pages_.append(compressed_);
  return Status::OK();
}

Status ColumnWriter::FlushPage() {
  if (def_.empty()) return Status::OK();
  if (values_.size() > (size_t{1} << 30)) return Status::InvalidArgument("column page over 1 GiB");
  std::string& raw = scratch_;
  raw.clear();
  auto levels = [&](const std::vector<uint8_t>& lv, int max_level) {
    if (max_level == 0) return;
    size_t at = raw.size();
    raw.append(4, '\0');
    EncodeRleBitPacked(lv.data(), lv.size(), BitWidth(static_cast<uint64_t>(max_level)), &raw);
    uint32_t len = static_cast<uint32_t>(raw.size() - at - 4);
    std::memcpy(raw.data() + at, &len, 4);
  };
  levels(rep_, leaf_->max_rep);
  levels(def_, leaf_->max_def);
  // Without a single dictionary value (all nulls so far) there will be no
  // dictionary page to refer to: such a page is PLAIN (with no values).
  bool dict_page = dict_active_ && !dict_order_.empty();
  if (dict_page) {
    int width = BitWidth(dict_order_.empty() ? 0 : dict_order_.size() - 1);
    raw.push_back(static_cast<char>(width));
    EncodeRleBitPacked(indices_.data(), indices_.size(), width, &raw);
  } else if (leaf_->type == PhysicalType::kBoolean) {
    size_t at = raw.size();
    raw.append((bools_.size() + 7) / 8, '\0');
    for (size_t i = 0; i < bools_.size(); ++i)
      if (bools_[i]) raw[at + i / 8] = static_cast<char>(raw[at + i / 8] | (1 << (i % 8)));
  } else {
    raw.append(values_);
  }
  PageHeader h;
  h.type = PageType::kDataPage;
  DataPageHeader& d = h.data_page_header.emplace();
  d.num_values = static_cast<int32_t>(def_.size());
  d.encoding = dict_page ? Encoding::kRleDictionary : Encoding::kPlain;
  used_plain_ |= !dict_page;
  WILDCHAT_RETURN_IF_ERROR(AppendPage(h, raw));
  indices_.clear();
  num_values_ += static_cast<int64_t>(def_.size());
  def_.clear();
  rep_.clear();
  values_.clear();
  bools_.clear();
  present_ = 0;
  return Status::OK();
}

Status ColumnWriter::Finish(int64_t offset, std::string* bytes, ColumnChunk* meta) {
  WILDCHAT_RETURN_IF_ERROR(FlushPage());
  *meta = ColumnChunk();
  meta->file_offset = offset;
  ColumnMetaData& m = meta->meta_data.emplace();
  m.type = leaf_->type;
  m.encodings = {static_cast<int32_t>(Encoding::kRle)};
  int64_t data_offset = offset;
  if (!dict_order_.empty()) {
    // The dictionary page goes first; the data pages follow it.
    std::string dict_pages;
    dict_pages.swap(pages_);
    std::string& raw = scratch_;
    raw.clear();
    for (const std::string* v : dict_order_) {
      uint32_t n = static_cast<uint32_t>(v->size());
      raw.append(reinterpret_cast<const char*>(&n), 4);
      raw.append(*v);
    }
    PageHeader h;
    h.type = PageType::kDictionaryPage;
    DictionaryPageHeader& d = h.dictionary_page_header.emplace();
    d.num_values = static_cast<int32_t>(dict_order_.size());
    d.encoding = Encoding::kPlain;
    WILDCHAT_RETURN_IF_ERROR(AppendPage(h, raw));
    m.dictionary_page_offset = offset;
    data_offset = offset + static_cast<int64_t>(pages_.size());
    pages_.append(dict_pages);
    m.encodings.push_back(static_cast<int32_t>(Encoding::kRleDictionary));
  }
  if (used_plain_ || dict_order_.empty())
    m.encodings.push_back(static_cast<int32_t>(Encoding::kPlain));
  m.path_in_schema = leaf_->path_in_schema;
  m.codec = codec_;
  m.num_values = num_values_;
  m.total_uncompressed_size = uncompressed_;
  m.total_compressed_size = static_cast<int64_t>(pages_.size());
  m.data_page_offset = data_offset;
  bytes->swap(pages_);
  pages_.clear();
  dict_index_.clear();
  dict_order_.clear();
  dict_bytes_ = 0;
  dict_active_ = dictionary_;
  used_plain_ = false;
  num_values_ = 0;
  uncompressed_ = 0;
  return Status::OK();
}

}  // namespace wildchat::parquet
