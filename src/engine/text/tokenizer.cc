#include "engine/text/tokenizer.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace wildchat {
namespace text_internal {

int32_t DecodeUtf8(std::string_view s, size_t* i) {
  int32_t c;
  int32_t pos = static_cast<int32_t>(*i);
  const int32_t len = static_cast<int32_t>(s.size());
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), pos, len, c);
  *i = static_cast<size_t>(pos);
  return c < 0 ? 0xFFFD : c;
}

int ClassifyCodePoint(int32_t c) {
  const uint32_t mask = U_GET_GC_MASK(c);
  if (!(mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK))) return 0;
  UErrorCode err = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &err);
  if (U_SUCCESS(err) && (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA ||
                         script == USCRIPT_KATAKANA || script == USCRIPT_THAI)) {
    return 2;
  }
  return 1;
}

void AppendFolded(std::string* out, int32_t c) {
  const UChar32 f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
  char tmp[4];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(tmp), len, 4, f, error);
  if (error) return;
  out->append(tmp, static_cast<size_t>(len));
}

}  // namespace text_internal

std::string FoldText(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) text_internal::AppendFolded(&out, text_internal::DecodeUtf8(text, &i));
  return out;
}

size_t CodePointCount(std::string_view text) {
  size_t i = 0, n = 0;
  while (i < text.size()) {
    text_internal::DecodeUtf8(text, &i);
    ++n;
  }
  return n;
}

}  // namespace wildchat
