// Static files compiled into the binary (web pages, scripts, styles), made by
// the wildchat_assets() CMake function. Each table ends with a null entry.
// Data is immutable and lives for the whole program.
#pragma once

#include <cstddef>
#include <string_view>

namespace wildchat {

struct EmbeddedAsset {
  const char* path;  // relative to the asset root, '/'-separated: "index.html", "js/app.js"
  const char* data;
  size_t size;
};

// Looks `path` up in a table; nullptr when absent.
inline const EmbeddedAsset* FindAsset(const EmbeddedAsset* table, std::string_view path) {
  for (; table && table->path; ++table) {
    if (path == table->path) return table;
  }
  return nullptr;
}

}  // namespace wildchat
