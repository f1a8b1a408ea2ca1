# Run as a script: cmake -DOUT=file.cc -DNAME=sym -DROOT=dir -DFILES="a;b" -P embed_assets.cmake
# Writes a C++ file defining the embedded asset table declared in
# base/embedded_assets.h, one entry per file, keyed by its path below ROOT.
string(REPLACE "|" ";" FILES "${FILES}")
set(body "")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  file(READ "${ROOT}/${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR size "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "static const unsigned char d${i}[] = {${bytes} 0};\n")
  string(APPEND table "  {\"${f}\", reinterpret_cast<const char*>(d${i}), ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from ${ROOT}; do not edit.\n#include \"base/embedded_assets.h\"\nnamespace wildchat {\nnamespace {\n${body}const EmbeddedAsset kTable[] = {\n${table}  {nullptr, nullptr, 0}};\n}  // namespace\nconst EmbeddedAsset* ${NAME}() { return kTable; }\n}  // namespace wildchat\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
