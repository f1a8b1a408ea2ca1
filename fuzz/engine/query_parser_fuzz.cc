// libFuzzer target: the query parser must accept or reject any bytes with a
// positioned kInvalidArgument, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "engine/query/query_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<wildchat::QueryNode> root;
  const wildchat::Status st =
      wildchat::ParseQuery(std::string_view(reinterpret_cast<const char*>(data), size), &root);
  if (st.ok() && root == nullptr) std::abort();
  if (!st.ok() && (st.code() != wildchat::Status::Code::kInvalidArgument ||
                   st.message().rfind("query error at ", 0) != 0)) {
    std::abort();
  }
  return 0;
}
