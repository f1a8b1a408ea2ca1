// Measuring map quality on real, labelled text. LoadDebianCorpus reads text
// that ships with Debian and labels each piece with its group: manual pages
// in twelve languages (/usr/share/man/<lang>/, troff markup stripped), and
// three kinds of English text — manual pages of system calls (man2), licence
// texts (/usr/share/common-licenses, cut into paragraphs) and Debian package
// changelogs (/usr/share/doc/*/changelog.Debian.gz). NeighbourAgreement is the
// share of each point's nearest neighbours that lie in its own group.
// Pure functions over the file system; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace wildchat {

struct LabelledText {
  std::string group;
  std::string text;
};

// Up to per_group texts of at least 200 bytes for each group that has at
// least min_group of them, in a fixed order (sorted file names). Groups with
// fewer texts on this machine are left out.
Status LoadDebianCorpus(int per_group, int min_group, std::vector<LabelledText>* out);

// neighbours: n × k ids (kNoNeighbour padded); uses the first `use` of each
// row. Mean over points of (same-label neighbours / neighbours present).
double NeighbourAgreement(const std::vector<uint32_t>& neighbours, int k, int use,
                          const std::vector<int>& labels);

}  // namespace wildchat
