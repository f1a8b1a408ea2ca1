// Walking one posting list only at the docs of a bitset: the cursor skips to
// each wanted doc (passing whole 128-doc blocks on their skip entries) instead
// of decoding the list through. Header-only; used by the executor and the
// regex word-sequence narrowing.
#pragma once

#include <cstdint>

#include "engine/collect/bitset.h"
#include "engine/segment/postings.h"

namespace wildchat {

// Calls fn(doc of `docs`) for each doc of `docs` in [base, base + n) that
// cursor c (over a segment whose doc d is `docs`' base + d) holds, with c
// positioned on it.
template <typename Fn>
void CursorDocsIn(const Bitset& docs, uint32_t base, uint32_t n, PostingCursor* c, Fn&& fn) {
  bool more = true;
  docs.ForEachInRange(base, base + n, [&](uint32_t doc) {
    if (!more) return;
    more = c->Advance(doc - base);
    if (more && c->doc() == doc - base) fn(doc);
  });
}

}  // namespace wildchat
