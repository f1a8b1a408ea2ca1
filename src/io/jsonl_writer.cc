#include "io/jsonl_writer.h"

#include "io/compressed_file.h"
#include "io/conversation_json.h"

namespace wildchat {

namespace {

constexpr size_t kFlushAt = 1 << 20;

class JsonlWriter : public RecordWriter {
 public:
  explicit JsonlWriter(std::unique_ptr<OutputFile> file) : file_(std::move(file)) {
    buf_.reserve(kFlushAt + (kFlushAt >> 2));
  }

  Status Write(const Conversation& c) override {
    AppendConversationJson(&buf_, c);
    buf_.push_back('\n');
    if (buf_.size() >= kFlushAt) return Flush();
    return Status::OK();
  }

  Status Close() override {
    WILDCHAT_RETURN_IF_ERROR(Flush());
    return file_->Close();
  }

 private:
  Status Flush() {
    Status st = file_->Write(buf_.data(), buf_.size());
    buf_.clear();
    return st;
  }

  std::unique_ptr<OutputFile> file_;
  std::string buf_;
};

}  // namespace

Status OpenJsonlWriter(const std::string& path, const WriteOptions& options,
                       std::unique_ptr<RecordWriter>* out) {
  std::unique_ptr<OutputFile> file;
  WILDCHAT_RETURN_IF_ERROR(OutputFile::Open(path, &file));
  *out = std::make_unique<JsonlWriter>(std::move(file));
  return Status::OK();
}

}  // namespace wildchat
