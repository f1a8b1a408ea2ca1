#include "embed/labelled_corpus.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "embed/knn.h"

namespace wildchat {
namespace {

namespace fs = std::filesystem;

std::string ReadMaybeGz(const std::string& path, size_t limit) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return "";
  std::string out(limit, '\0');
  const int got = gzread(f, out.data(), static_cast<unsigned>(limit));
  gzclose(f);
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

// Text lines of a troff page: macro lines dropped, common escapes removed.
std::string StripTroff(const std::string& src) {
  std::string out;
  size_t pos = 0;
  while (pos < src.size()) {
    size_t end = src.find('\n', pos);
    if (end == std::string::npos) end = src.size();
    const std::string_view line(src.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '.' || line[0] == '\'') continue;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '\\') {
        out += line[i];
        continue;
      }
      if (i + 1 >= line.size()) break;
      const char c = line[i + 1];
      if (c == 'f' || c == 's') {
        if (i + 2 < line.size() && line[i + 2] == '[') {
          const size_t close = line.find(']', i + 3);
          i = close == std::string_view::npos ? line.size() : close;
        } else {
          i += 2;
        }
      } else if (c == '(') {
        i += 3;
      } else {
        if (c == '-' || c == 'e') out += c == '-' ? '-' : '\\';
        i += 1;
      }
    }
    out += '\n';
  }
  return out;
}

std::vector<std::string> SortedFiles(const std::string& dir, bool recursive) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
  } else {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

constexpr size_t kMinText = 200, kMaxText = 3000;

void AddText(std::vector<std::string>* group, std::string text) {
  if (text.size() < kMinText) return;
  if (text.size() > kMaxText) text.resize(kMaxText);
  group->push_back(std::move(text));
}

}  // namespace

Status LoadDebianCorpus(int per_group, int min_group, std::vector<LabelledText>* out) {
  std::map<std::string, std::vector<std::string>> groups;
  const size_t cap = static_cast<size_t>(per_group);
  for (const char* lang :
       {"de", "fr", "es", "it", "pt", "nl", "sv", "pl", "ru", "uk", "ja", "zh_CN"}) {
    auto& g = groups[std::string("man-") + lang];
    for (const std::string& f : SortedFiles(std::string("/usr/share/man/") + lang, true)) {
      if (g.size() >= cap) break;
      AddText(&g, StripTroff(ReadMaybeGz(f, 64 << 10)));
    }
  }
  {
    auto& g = groups["en-syscall-man"];
    for (const std::string& f : SortedFiles("/usr/share/man/man2", false)) {
      if (g.size() >= cap) break;
      AddText(&g, StripTroff(ReadMaybeGz(f, 64 << 10)));
    }
  }
  {
    // Licences are few and long: paragraphs of about a thousand bytes.
    auto& g = groups["en-licence"];
    for (const std::string& f : SortedFiles("/usr/share/common-licenses", false)) {
      const std::string text = ReadMaybeGz(f, 256 << 10);
      std::string chunk;
      size_t pos = 0;
      while (pos < text.size() && g.size() < cap) {
        size_t end = text.find("\n\n", pos);
        if (end == std::string::npos) end = text.size();
        chunk.append(text, pos, end - pos).append("\n");
        pos = end + 2;
        if (chunk.size() >= 1000) AddText(&g, std::move(chunk)), chunk.clear();
      }
    }
  }
  {
    auto& g = groups["en-changelog"];
    std::error_code ec;
    std::vector<std::string> dirs;
    for (auto it = fs::directory_iterator("/usr/share/doc", ec); !ec && it != fs::end(it);
         it.increment(ec))
      dirs.push_back(it->path().string());
    std::sort(dirs.begin(), dirs.end());
    for (const std::string& d : dirs) {
      if (g.size() >= cap) break;
      const std::string f = d + "/changelog.Debian.gz";
      if (fs::is_regular_file(f, ec) && !fs::is_symlink(f, ec)) AddText(&g, ReadMaybeGz(f, 2000));
    }
  }
  out->clear();
  for (auto& [name, texts] : groups) {
    if (static_cast<int>(texts.size()) < min_group) continue;
    for (std::string& t : texts) out->push_back({name, std::move(t)});
  }
  if (out->empty()) return Status::NotFound("no labelled Debian text found on this machine");
  return Status::OK();
}

double NeighbourAgreement(const std::vector<uint32_t>& neighbours, int k, int use,
                          const std::vector<int>& labels) {
  double sum = 0;
  size_t points = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    int same = 0, present = 0;
    for (int r = 0; r < std::min(k, use); ++r) {
      const uint32_t j = neighbours[i * k + r];
      if (j == kNoNeighbour) break;
      ++present;
      same += labels[j] == labels[i];
    }
    if (present == 0) continue;
    sum += static_cast<double>(same) / present;
    ++points;
  }
  return points ? sum / points : 0;
}

}  // namespace wildchat
