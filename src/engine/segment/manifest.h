// Manifest: the list of live segment files of an index directory. The file
// "MANIFEST" is replaced only by writing MANIFEST.tmp, fsyncing it and
// renaming it over the old one (then fsyncing the directory): a commit is that
// one rename, so readers see either the old or the new index, never a mix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

struct ManifestEntry {
  std::string file;  // file name inside the index directory
  uint32_t num_docs = 0;
  uint64_t bytes = 0;
};

inline constexpr char kManifestName[] = "MANIFEST";

// kNotFound when dir holds no MANIFEST; kCorruption when it is malformed.
Status ReadManifest(const std::string& dir, std::vector<ManifestEntry>* out);
Status CommitManifest(const std::string& dir, const std::vector<ManifestEntry>& entries);

}  // namespace wildchat
