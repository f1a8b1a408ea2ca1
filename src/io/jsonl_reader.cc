#include "io/jsonl_reader.h"

namespace wildchat {

Status OpenJsonlReader(const std::string& path, const ReadOptions&,
                       std::unique_ptr<RecordReader>*) {
  return Status::Unsupported(path + ": JSONL reading is not built yet");
}

}  // namespace wildchat
