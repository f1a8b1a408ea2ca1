// A small index for the explorer's tests: generated conversations plus a few
// hostile ones whose text and metadata carry HTML, script, event-handler
// attributes, javascript: links, markdown and very long lines. Test-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/conversation.h"

namespace wildchat {

// A word that occurs only in the hostile conversations.
inline constexpr const char* kHostileMarker = "zqxhostile";
// A word found in many generated conversations (a broad query).
inline constexpr const char* kBroadWord = "the";

struct TestCorpus {
  std::vector<Conversation> records;  // as indexed
  int64_t hostile_id = 0;             // first turn_identifier of a hostile conversation
  std::string hostile_ip;             // its user, who has two conversations
};

// Generates `n` conversations (seeded, deterministic), appends the hostile
// ones and builds an index in `dir` (replacing what is there).
Status BuildTestCorpus(const std::string& dir, int64_t n, TestCorpus* out);

// A fresh, empty folder below the build tree for one test's files, private
// to this process: ctest runs the tests of one suite as parallel processes,
// and a shared folder would be wiped or locked under another's feet.
std::string TestDir(const std::string& name);

}  // namespace wildchat
