#include "io/jsonl_fuzz_input.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "io/conversation_json.h"
#include "io/jsonl_reader.h"

namespace wildchat {

namespace {
void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}
}  // namespace

void FuzzConversationJsonInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  Conversation c;
  if (!ParseConversationJson(json, &c).ok()) return;
  std::string once;
  AppendConversationJson(&once, c);
  Conversation again;
  Check(ParseConversationJson(once, &again).ok(), "re-parse of written JSON failed");
  Check(again == c, "re-parsed record differs");
  std::string twice;
  AppendConversationJson(&twice, again);
  Check(twice == once, "JSON differs after a round trip");
  ReadOptions meta;
  meta.need_text = false;
  Check(ParseConversationJson(json, &again, meta).ok(), "metadata-only parse failed");
}

void FuzzJsonlFileInput(const uint8_t* data, size_t size, const std::string& scratch_path) {
  if (FILE* f = std::fopen(scratch_path.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return;
  }
  std::unique_ptr<RecordReader> reader;
  if (!OpenJsonlReader(scratch_path, ReadOptions(), &reader).ok()) return;
  Conversation c;
  for (int guard = 0; guard < 1000000; ++guard) {
    bool done = false;
    Status st = reader->Next(&c, &done);
    if (st.ok() && done) return;
    if (!st.ok()) {
      Check(!st.message().empty(), "error without a message");
      if (!reader->CanSkip()) return;
    }
  }
  Check(false, "reader did not terminate");
}

}  // namespace wildchat
