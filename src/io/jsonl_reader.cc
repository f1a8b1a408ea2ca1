#include "io/jsonl_reader.h"

#include <cstring>

#include "io/compressed_file.h"
#include "io/conversation_json.h"

namespace wildchat {

namespace {

constexpr size_t kChunk = 1 << 20;

class JsonlReader : public RecordReader {
 public:
  JsonlReader(std::string path, const ReadOptions& options, std::unique_ptr<InputFile> file)
      : path_(std::move(path)), options_(options), file_(std::move(file)) {}

  Status Next(Conversation* out, bool* done) override {
    *done = false;
    if (fatal_) return Status::Internal(path_ + ": read after a fatal error");
    for (;;) {
      std::string_view line;
      bool eof = false;
      Status st = NextLine(&line, &eof);
      if (!st.ok()) {
        fatal_ = true;
        return st;
      }
      if (eof) {
        *done = true;
        last_raw_ = {};
        return Status::OK();
      }
      last_raw_ = line;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
      st = ParseConversationJson(line, out, options_);
      if (!st.ok()) return st.WithContext(Position() + ": ");
      return Status::OK();
    }
  }

  std::string Position() const override { return path_ + ":" + std::to_string(line_no_); }
  std::string_view LastRaw() const override { return last_raw_; }
  bool CanSkip() const override { return !fatal_; }
  uint64_t BytesRead() const override { return file_->compressed_bytes_read(); }
  uint64_t BytesTotal() const override { return file_->compressed_size(); }

 private:
  // The next line without its "\n" (and "\r"), valid until the next call.
  Status NextLine(std::string_view* line, bool* eof) {
    for (;;) {
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      if (nl) {
        size_t len = static_cast<size_t>(nl - start);
        pos_ += len + 1;
        ++line_no_;
        if (len && start[len - 1] == '\r') --len;
        *line = std::string_view(start, len);
        return Status::OK();
      }
      if (input_done_) {
        if (pos_ == end_) {
          *eof = true;
          return Status::OK();
        }
        // Last line without a trailing newline.
        *line = std::string_view(start, end_ - pos_);
        pos_ = end_;
        ++line_no_;
        return Status::OK();
      }
      // Move the partial line to the front and read more after it.
      if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
      }
      if (buf_.size() - end_ < kChunk) buf_.resize(std::max(buf_.size() * 2, end_ + kChunk));
      size_t n = 0;
      Status st = file_->Read(buf_.data() + end_, buf_.size() - end_, &n);
      if (!st.ok()) return st.WithContext(path_ + ":" + std::to_string(line_no_ + 1) + ": ");
      if (n == 0) input_done_ = true;
      end_ += n;
    }
  }

  std::string path_;
  ReadOptions options_;
  std::unique_ptr<InputFile> file_;
  std::vector<char> buf_ = std::vector<char>(2 * kChunk);
  size_t pos_ = 0, end_ = 0;
  bool input_done_ = false;
  bool fatal_ = false;
  uint64_t line_no_ = 0;
  std::string_view last_raw_;
};

}  // namespace

Status OpenJsonlReader(const std::string& path, const ReadOptions& options,
                       std::unique_ptr<RecordReader>* out) {
  std::unique_ptr<InputFile> file;
  WILDCHAT_RETURN_IF_ERROR(InputFile::Open(path, &file));
  *out = std::make_unique<JsonlReader>(path, options, std::move(file));
  return Status::OK();
}

}  // namespace wildchat
