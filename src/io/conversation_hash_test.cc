#include "io/conversation_hash.h"

#include <gtest/gtest.h>

#include "io/conversation_json.h"
#include "io/python_oracle.h"

namespace wildchat {
namespace {

TEST(ConversationHashTest, MatchesPythonJsonDumpsSha256) {
  std::vector<Conversation> convs;
  const std::vector<std::vector<std::string>> texts = {
      {"Hello", "Hi! How can I help?"},
      {"", "I'm sorry, it seems your message was empty."},
      {"Напиши стих про кота", "Кот сидит на окне 🐈", "ещё", "Ещё один: «мяу»"},
      {"写一个Python函数\n```python\nprint('你好')\n```", "好的：\t\"ok\" \\ done"},
      {"emoji 😀𝄞 and control \x01\x7f", "مرحبا"},
  };
  std::string lines;
  for (const auto& t : texts) {
    Conversation c;
    for (size_t i = 0; i < t.size(); ++i) {
      Utterance u;
      u.content = t[i];
      u.role = i % 2 ? "assistant" : "user";
      c.conversation.push_back(u);
    }
    std::string line;
    AppendConversationJson(&line, c);
    lines += line + "\n";
    convs.push_back(c);
  }
  const std::string script =
      "import json,hashlib,sys\n"
      "for line in open(sys.argv[1],encoding='utf-8'):\n"
      "    d=json.loads(line)\n"
      "    msgs=[{'content':u['content'],'role':u['role']} for u in d['conversation']]\n"
      "    print(hashlib.sha256(json.dumps(msgs).encode('utf-8')).hexdigest()[:32])\n";
  std::string expected;
  for (const auto& c : convs) expected += ConversationHash(c) + "\n";
  EXPECT_EQ(RunPythonOracle(script, lines), expected);
}

}  // namespace
}  // namespace wildchat
