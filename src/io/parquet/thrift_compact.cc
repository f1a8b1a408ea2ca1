#include "io/parquet/thrift_compact.h"

#include <cstring>

namespace wildchat::parquet {

namespace {
int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
}  // namespace

void ThriftReader::Fail(const std::string& what) {
  if (error_.empty()) error_ = what + " at byte " + std::to_string(consumed());
  p_ = end_;
}

uint64_t ThriftReader::ReadVarint() {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p_ >= end_) {
      Fail("truncated varint");
      return 0;
    }
    uint8_t b = *p_++;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return result;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

void ThriftReader::BeginStruct() {
  if (last_ids_.size() >= static_cast<size_t>(kMaxDepth)) {
    Fail("thrift structs nested too deeply");
    return;
  }
  last_ids_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftReader::EndStruct() {
  if (last_ids_.empty()) return;
  last_id_ = last_ids_.back();
  last_ids_.pop_back();
}

bool ThriftReader::ReadFieldHeader(int16_t* id, ThriftType* type) {
  if (!ok() || p_ >= end_) {
    if (ok()) Fail("truncated struct (no stop field)");
    return false;
  }
  uint8_t b = *p_++;
  uint8_t t = b & 0x0f;
  if (t == 0) return false;  // stop
  if (t > static_cast<uint8_t>(ThriftType::kStruct)) {
    Fail("bad thrift field type " + std::to_string(t));
    return false;
  }
  uint8_t delta = b >> 4;
  if (delta != 0) {
    last_id_ = static_cast<int16_t>(last_id_ + delta);
  } else {
    last_id_ = static_cast<int16_t>(ZigZagDecode(ReadVarint()));
  }
  *id = last_id_;
  *type = static_cast<ThriftType>(t);
  return ok();
}

bool ThriftReader::ReadBool(ThriftType type) {
  if (type == ThriftType::kBoolTrue) return true;
  if (type == ThriftType::kBoolFalse) return false;
  if (p_ >= end_) {
    Fail("truncated bool");
    return false;
  }
  return *p_++ == 1;
}

int32_t ThriftReader::ReadI32() {
  return static_cast<int32_t>(ZigZagDecode(ReadVarint()));
}
int64_t ThriftReader::ReadI64() {
  return ZigZagDecode(ReadVarint());
}

double ThriftReader::ReadDouble() {
  if (end_ - p_ < 8) {
    Fail("truncated double");
    return 0;
  }
  double d;
  std::memcpy(&d, p_, 8);
  p_ += 8;
  return d;
}

std::string_view ThriftReader::ReadBinary() {
  uint64_t n = ReadVarint();
  if (!ok()) return {};
  if (n > static_cast<uint64_t>(end_ - p_)) {
    Fail("binary length " + std::to_string(n) + " past the end");
    return {};
  }
  std::string_view s(reinterpret_cast<const char*>(p_), n);
  p_ += n;
  return s;
}

void ThriftReader::ReadListHeader(ThriftType* elem_type, uint32_t* count) {
  *elem_type = ThriftType::kStop;
  *count = 0;
  if (p_ >= end_) {
    Fail("truncated list header");
    return;
  }
  uint8_t b = *p_++;
  uint64_t n = b >> 4;
  if (n == 15) n = ReadVarint();
  // Every element takes at least one byte, except bools which also take one.
  if (!ok() || n > static_cast<uint64_t>(end_ - p_)) {
    Fail("list of " + std::to_string(n) + " elements past the end");
    return;
  }
  *elem_type = static_cast<ThriftType>(b & 0x0f);
  *count = static_cast<uint32_t>(n);
}

void ThriftReader::Skip(ThriftType type) {
  SkipDepth(type, 0);
}

void ThriftReader::SkipDepth(ThriftType type, int depth) {
  if (depth > kMaxDepth) {
    Fail("thrift values nested too deeply");
    return;
  }
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return;
    case ThriftType::kByte:
      if (p_ >= end_)
        Fail("truncated byte");
      else
        ++p_;
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      ReadVarint();
      return;
    case ThriftType::kDouble:
      ReadDouble();
      return;
    case ThriftType::kBinary:
      ReadBinary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType et;
      uint32_t n;
      ReadListHeader(&et, &n);
      for (uint32_t i = 0; i < n && ok(); ++i) {
        if (et == ThriftType::kBoolTrue || et == ThriftType::kBoolFalse) {
          SkipDepth(ThriftType::kByte, depth + 1);
        } else {
          SkipDepth(et, depth + 1);
        }
      }
      return;
    }
    case ThriftType::kMap: {
      uint64_t n = ReadVarint();
      if (n == 0 || !ok()) return;
      if (p_ >= end_ || n > static_cast<uint64_t>(end_ - p_)) {
        Fail("map past the end");
        return;
      }
      uint8_t kv = *p_++;
      auto kt = static_cast<ThriftType>(kv >> 4), vt = static_cast<ThriftType>(kv & 0x0f);
      for (uint64_t i = 0; i < n && ok(); ++i) {
        SkipDepth(kt == ThriftType::kBoolTrue ? ThriftType::kByte : kt, depth + 1);
        SkipDepth(vt == ThriftType::kBoolTrue ? ThriftType::kByte : vt, depth + 1);
      }
      return;
    }
    case ThriftType::kStruct: {
      BeginStruct();
      int16_t id;
      ThriftType ft;
      while (ReadFieldHeader(&id, &ft)) SkipDepth(ft, depth + 1);
      EndStruct();
      return;
    }
    case ThriftType::kStop:
      break;
  }
  Fail("bad thrift type " + std::to_string(static_cast<int>(type)));
}

// ---- writer ----

void ThriftWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ThriftWriter::FieldHeader(int16_t id, ThriftType type) {
  int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZagEncode(id));
  }
  last_id_ = id;
}

void ThriftWriter::BeginStruct() {
  last_ids_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftWriter::EndStruct() {
  out_->push_back(0);
  last_id_ = last_ids_.empty() ? 0 : last_ids_.back();
  if (!last_ids_.empty()) last_ids_.pop_back();
}

void ThriftWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, ThriftType::kI32);
  Varint(ZigZagEncode(v));
}
void ThriftWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, ThriftType::kI64);
  Varint(ZigZagEncode(v));
}
void ThriftWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}
void ThriftWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, ThriftType::kBinary);
  Binary(v);
}
void ThriftWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, ThriftType::kStruct);
  BeginStruct();
}
void ThriftWriter::FieldListBegin(int16_t id, ThriftType elem, uint32_t count) {
  FieldHeader(id, ThriftType::kList);
  if (count < 15) {
    out_->push_back(static_cast<char>((count << 4) | static_cast<int>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xf0 | static_cast<int>(elem)));
    Varint(count);
  }
}
void ThriftWriter::I32(int32_t v) {
  Varint(ZigZagEncode(v));
}
void ThriftWriter::Binary(std::string_view v) {
  Varint(v.size());
  out_->append(v);
}

}  // namespace wildchat::parquet
