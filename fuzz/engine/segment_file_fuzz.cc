// libFuzzer target: a damaged segment file. A valid segment (built once, from
// conversations that give it bigram and role tables, float and double score
// columns, a packed hex dictionary, coded store texts, several store blocks, utterance lengths over
// 16 bits) is patched at the offsets the input names; Segment::Open must refuse it with Corruption,
// or every read after it — term lookups, posting, bigram and role streams, documents, columns —
// must stay in bounds and report damage as corrupt, never crash, hang or leak.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/segment/coding.h"
#include "engine/segment/segment.h"
#include "engine/segment/segment_builder.h"
#include "engine/store/store_builder.h"

namespace wildchat {
namespace {

struct Valid {
  std::string dir, bytes;
};
char dir_for_cleanup[64] = {};

Valid* MakeValid() {
  auto* v = new Valid;
  char tmpl[] = "/tmp/segment_file_fuzz_XXXXXX";
  if (!mkdtemp(tmpl)) std::abort();
  std::snprintf(dir_for_cleanup, sizeof(dir_for_cleanup), "%s", tmpl);
  v->dir = tmpl;
  std::atexit([] {
    std::remove((std::string(dir_for_cleanup) + "/fuzz.wcs").c_str());
    rmdir(dir_for_cleanup);
  });
  const char* words[] = {"the", "cat", "and", "dog", "a", "story", "write", "über", "函数"};
  SegmentBuilder b;
  StoreBuilder store;
  for (int i = 0; i < 300; ++i) {
    Conversation c;
    c.conversation_hash = "h" + std::to_string(i);
    // Hex hashed IPs: a packed dictionary (dict.ip.hex).
    c.hashed_ip = std::string(60, 'a') + "0123456789abcdef"[i % 16] + "fedc";
    for (int u = 0; u < 3; ++u) {
      Utterance utt;
      utt.role = u == 2 && i % 7 == 0 ? "system" : u % 2 ? "assistant" : "user";
      utt.turn_identifier = i * 10 + u;
      for (int k = 0; k < 2 + (i + u) % 6; ++k) {
        utt.content += std::string(k ? " " : "") + words[(i * 3 + u * 5 + k * k) % 9];
      }
      // One utterance too long for utt.bytes' 16 bits (listed in utt.bytes.long).
      while (i == 5 && u == 1 && utt.content.size() < 70000) utt.content += " the cat";
      c.conversation.push_back(utt);
      OpenAiModeration m;
      m.scores_null = false;
      m.category_scores.fill(0.25);
      m.category_scores[1] = 0.1 + 1e-3 * i;  // not a float
      c.openai_moderation.push_back(m);
    }
    b.Add(c);
    store.Add(c);
  }
  std::string name;
  uint64_t size = 0;
  if (!b.Finish(v->dir, "tmp-1", &store, &name, &size).ok()) std::abort();
  std::ifstream in(v->dir + "/" + name, std::ios::binary);
  v->bytes.assign(std::istreambuf_iterator<char>(in), {});
  std::remove((v->dir + "/" + name).c_str());
  return v;
}

void Drain(PostingCursor c, uint32_t num_docs, bool positions) {
  std::vector<uint32_t> pos;
  uint32_t steps = 0;
  while (c.Next()) {
    if (c.doc() >= num_docs || ++steps > num_docs) std::abort();
    if (positions) c.ReadPositions(&pos);
  }
}

// Input: up to 16 (varint offset, byte) patches.
void Run(std::string_view in) {
  static Valid* valid = MakeValid();
  std::string bytes = valid->bytes;
  ByteReader r(in);
  for (int i = 0; i < 16 && !r.done(); ++i) {
    const uint64_t at = r.Varint();
    const uint8_t value = r.Byte();
    if (r.failed()) break;
    bytes[at % bytes.size()] = static_cast<char>(value);
  }
  const std::string path = valid->dir + "/fuzz.wcs";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::unique_ptr<Segment> seg;
  const Status st = Segment::Open(path, &seg);
  if (!st.ok()) {
    if (st.code() != Status::Code::kCorruption && st.code() != Status::Code::kIOError) std::abort();
    return;
  }
  const uint32_t n = seg->num_docs();
  for (uint64_t t = 0; t < seg->num_terms(); ++t) {
    Drain(seg->Postings(t), n, true);
    for (const uint8_t role : {kRoleUser, kRoleOther}) {
      if (auto c = seg->RolePostings(t, role)) Drain(*c, n, false);
    }
    for (uint64_t u = 0; u < seg->num_terms() && u < 12; ++u) {
      if (auto bg = seg->FindBigram(t, u)) Drain(seg->BigramPostings(*bg), n, false);
    }
    seg->FindTerm(seg->term(t));
    // Block impacts and block ends are read without decoding the blocks.
    unsigned sum = 0;
    for (const char q : seg->BlockImpacts(t)) sum += static_cast<uint8_t>(q);
    std::vector<uint32_t> ends;
    if (seg->Postings(t).FullBlockEnds(&ends)) {
      for (size_t i = 0; i < ends.size(); ++i) {
        if (ends[i] >= n || (i > 0 && ends[i] <= ends[i - 1])) std::abort();
      }
    }
    PostingCursor whole = seg->Postings(t);
    uint64_t last = 0, seen = 0;
    whole.ForEachRemaining([&](uint32_t d, uint32_t tf) {
      if (d >= n || tf == 0 || (seen++ > 0 && d <= last)) std::abort();
      last = d;
    });
    (void)sum;
  }
  for (uint32_t d = 0; d < n; ++d) {
    Conversation c;
    const Status ds = seg->Document(d, &c);
    if (!ds.ok() && ds.code() != Status::Code::kCorruption) std::abort();
    // What snippets read: the utterances, decompressed one at a time.
    std::string meta_raw;
    RecordText text;
    std::vector<std::string_view> roles, contents;
    Status ts = seg->DocumentTexts(d, &meta_raw, &text, &roles, &contents);
    for (size_t u = 0; ts.ok() && u < contents.size(); ++u) {
      if (roles.size() != contents.size()) std::abort();
      const auto end =
          static_cast<uint64_t>(contents[u].data() + contents[u].size() - text.text().data());
      if (end > text.text().size()) std::abort();  // a view past the text
      ts = text.Through(end);
    }
    if (!ts.ok() && ts.code() != Status::Code::kCorruption) std::abort();
    for (int k = 0; k < kScoreColumnCount; ++k) (void)seg->score(k, d);
    (void)seg->DocOfTurn(static_cast<int64_t>(d) * 10);
    for (uint32_t doc : seg->DocsOfTurn(static_cast<int64_t>(d) * 10)) {
      if (doc >= n) std::abort();  // opening checks every listed doc
    }
  }
}

}  // namespace
}  // namespace wildchat

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wildchat::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
