// Client request bodies and upstream replies (whole bodies and SSE streams fed
// in two pieces at a data-chosen split).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/proxy/chat_request.h"
#include "gateway/proxy/completion_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wildchat;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ChatRequest req;
  if (ParseChatRequest(in, &req).ok() && req.messages.empty()) __builtin_trap();
  CompletionReply reply;
  (void)ParseCompletionBody(in, &reply);
  SseReplyReader reader;
  std::vector<std::string> events;
  const size_t split = size ? data[0] % (size + 1) : 0;
  reader.Feed(in.substr(0, split), &events);
  reader.Feed(in.substr(split), &events);
  size_t total = reader.pending_bytes();
  for (const std::string& e : events) total += e.size();
  if (total > size) __builtin_trap();  // events are slices of the input
  return 0;
}
