#include "io/jsonl_writer.h"

namespace wildchat {

Status OpenJsonlWriter(const std::string& path, const WriteOptions&,
                       std::unique_ptr<RecordWriter>*) {
  return Status::Unsupported(path + ": JSONL writing is not built yet");
}

}  // namespace wildchat
