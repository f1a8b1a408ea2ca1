#include "io/parquet/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

namespace wildchat::parquet {

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "codec?";
}

Status ParseCodec(std::string_view name, Codec* out) {
  if (name == "zstd")
    *out = Codec::kZstd;
  else if (name == "snappy")
    *out = Codec::kSnappy;
  else if (name == "gzip")
    *out = Codec::kGzip;
  else if (name == "lz4_raw" || name == "lz4")
    *out = Codec::kLz4Raw;
  else if (name == "brotli")
    *out = Codec::kBrotli;
  else if (name == "none" || name == "uncompressed")
    *out = Codec::kUncompressed;
  else
    return Status::InvalidArgument("unknown Parquet compression '" + std::string(name) +
                                   "' (expected zstd, snappy, gzip, lz4_raw, brotli or none)");
  return Status::OK();
}

namespace {

Status Bad(Codec codec, const std::string& what) {
  return Status::Corruption(std::string(CodecName(codec)) + " page: " + what);
}

Status Gunzip(std::string_view in, char* out, size_t out_size) {
  z_stream z;
  std::memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Internal("zlib init failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out);
  z.avail_out = static_cast<uInt>(out_size);
  int rc = inflate(&z, Z_FINISH);
  size_t produced = out_size - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return Bad(Codec::kGzip, rc == Z_BUF_ERROR && z.avail_out == 0
                                 ? "expands past the declared size"
                                 : "corrupt deflate stream");
  }
  if (produced != out_size) return Bad(Codec::kGzip, "expands to fewer bytes than declared");
  return Status::OK();
}

uint32_t LoadBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

// The Hadoop LZ4 framing: blocks of [BE u32 raw size][BE u32 compressed size][lz4].
bool HadoopLz4(std::string_view in, char* out, size_t out_size) {
  size_t ip = 0, op = 0;
  while (ip < in.size()) {
    if (in.size() - ip < 8) return false;
    uint32_t raw = LoadBigEndian32(in.data() + ip);
    uint32_t comp = LoadBigEndian32(in.data() + ip + 4);
    ip += 8;
    if (comp > in.size() - ip || raw > out_size - op) return false;
    int n = LZ4_decompress_safe(in.data() + ip, out + op, static_cast<int>(comp),
                                static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) return false;
    ip += comp;
    op += raw;
  }
  return op == out_size;
}

}  // namespace

Status CheckDecompressedSize(Codec codec, std::string_view in, size_t out_size) {
  auto too_big = [&] {
    return Bad(codec, std::to_string(in.size()) + " bytes cannot expand to the declared " +
                          std::to_string(out_size));
  };
  switch (codec) {
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n))
        return Bad(codec, "corrupt length header");
      if (n != out_size)
        return Bad(codec, "expands to " + std::to_string(n) + " bytes, header says " +
                              std::to_string(out_size));
      return Status::OK();
    }
    case Codec::kZstd: {
      unsigned long long n = ZSTD_getFrameContentSize(in.data(), in.size());
      if (n == ZSTD_CONTENTSIZE_ERROR) return Bad(codec, "not a zstd frame");
      if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != out_size) return too_big();
      return Status::OK();
    }
    case Codec::kGzip:
      if (out_size > in.size() * 1100 + 1024) return too_big();
      return Status::OK();
    case Codec::kLz4:
    case Codec::kLz4Raw:
      if (out_size > in.size() * 256 + 1024) return too_big();
      return Status::OK();
    default:
      return Status::OK();
  }
}

Status Decompress(Codec codec, std::string_view in, char* out, size_t out_size) {
  switch (codec) {
    case Codec::kUncompressed:
      if (in.size() != out_size) return Bad(codec, "size differs from the declared size");
      if (out_size) std::memcpy(out, in.data(), out_size);
      return Status::OK();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n))
        return Bad(codec, "corrupt length header");
      if (n != out_size)
        return Bad(codec, "expands to " + std::to_string(n) + " bytes, header says " +
                              std::to_string(out_size));
      if (!snappy::RawUncompress(in.data(), in.size(), out)) return Bad(codec, "corrupt data");
      return Status::OK();
    }
    case Codec::kGzip:
      return Gunzip(in, out, out_size);
    case Codec::kZstd: {
      thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx);
      size_t n = ZSTD_decompressDCtx(ctx.get(), out, out_size, in.data(), in.size());
      if (ZSTD_isError(n)) return Bad(codec, ZSTD_getErrorName(n));
      if (n != out_size) return Bad(codec, "expands to fewer bytes than declared");
      return Status::OK();
    }
    case Codec::kLz4Raw:
    case Codec::kLz4: {
      if (out_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) ||
          in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        return Bad(codec, "page too large");
      if (codec == Codec::kLz4 && HadoopLz4(in, out, out_size)) return Status::OK();
      int n = LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()),
                                  static_cast<int>(out_size));
      if (n < 0) return Bad(codec, "corrupt data");
      if (static_cast<size_t>(n) != out_size)
        return Bad(codec, "expands to fewer bytes than declared");
      return Status::OK();
    }
    case Codec::kBrotli: {
      size_t n = out_size;
      if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                                  reinterpret_cast<uint8_t*>(out)) != BROTLI_DECODER_RESULT_SUCCESS)
        return Bad(codec, "corrupt data");
      if (n != out_size) return Bad(codec, "expands to fewer bytes than declared");
      return Status::OK();
    }
    case Codec::kLzo:
      break;
  }
  return Status::Unsupported("compression codec " + std::string(CodecName(codec)) + " (code " +
                             std::to_string(static_cast<int>(codec)) + ") is not supported");
}

Status Compress(Codec codec, std::string_view in, std::string* out) {
  out->clear();
  switch (codec) {
    case Codec::kUncompressed:
      out->assign(in);
      return Status::OK();
    case Codec::kSnappy:
      snappy::Compress(in.data(), in.size(), out);
      return Status::OK();
    case Codec::kZstd: {
      thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(),
                                                                          ZSTD_freeCCtx);
      out->resize(ZSTD_compressBound(in.size()));
      size_t n = ZSTD_compressCCtx(ctx.get(), out->data(), out->size(), in.data(), in.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
      out->resize(n);
      return Status::OK();
    }
    case Codec::kGzip: {
      z_stream z;
      std::memset(&z, 0, sizeof z);
      if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return Status::Internal("zlib init failed");
      out->resize(deflateBound(&z, in.size()) + 32);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out->data());
      z.avail_out = static_cast<uInt>(out->size());
      int rc = deflate(&z, Z_FINISH);
      out->resize(out->size() - z.avail_out);
      deflateEnd(&z);
      if (rc != Z_STREAM_END) return Status::Internal("gzip compression failed");
      return Status::OK();
    }
    case Codec::kLz4Raw: {
      if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        return Status::InvalidArgument("page too large for lz4");
      out->resize(LZ4_compressBound(static_cast<int>(in.size())));
      int n = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()),
                                   static_cast<int>(out->size()));
      if (n <= 0) return Status::Internal("lz4 compression failed");
      out->resize(n);
      return Status::OK();
    }
    case Codec::kBrotli: {
      size_t n = BrotliEncoderMaxCompressedSize(in.size());
      out->resize(n);
      if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(),
                                 reinterpret_cast<const uint8_t*>(in.data()), &n,
                                 reinterpret_cast<uint8_t*>(out->data())))
        return Status::Internal("brotli compression failed");
      out->resize(n);
      return Status::OK();
    }
    default:
      break;
  }
  return Status::Unsupported("writing " + std::string(CodecName(codec)) + " is not supported");
}

}  // namespace wildchat::parquet
