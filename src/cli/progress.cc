#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace wildchat {

Progress::Progress(std::string label, uint64_t total, Unit unit, std::string noun, bool enabled)
    : label_(std::move(label)),
      noun_(std::move(noun)),
      total_(total),
      unit_(unit),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

bool Progress::ShouldShow(bool quiet) {
  return !quiet && isatty(STDERR_FILENO);
}

std::string Progress::FormatAmount(uint64_t v, Unit unit) {
  char buf[32];
  const double d = static_cast<double>(v);
  if (unit == Unit::kBytes) {
    if (v >= (1ull << 30)) {
      std::snprintf(buf, sizeof buf, "%.1f GB", d / (1ull << 30));
    } else if (v >= (1ull << 20)) {
      std::snprintf(buf, sizeof buf, "%.1f MB", d / (1ull << 20));
    } else {
      std::snprintf(buf, sizeof buf, "%.1f kB", d / 1024);
    }
  } else if (v >= 10000000) {
    std::snprintf(buf, sizeof buf, "%.1fM", d / 1e6);
  } else if (v >= 10000) {
    std::snprintf(buf, sizeof buf, "%.1fk", d / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
  }
  return buf;
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  Draw(now);
}

void Progress::Draw(std::chrono::steady_clock::time_point now) {
  last_draw_ = now;
  drawn_ = true;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const uint64_t rate = secs > 0 ? static_cast<uint64_t>(static_cast<double>(done_) / secs) : 0;
  std::string line = "\r";
  line.append(label_).append("  ");
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const int width = 24, filled = static_cast<int>(frac * width);
    line.push_back('[');
    line.append(static_cast<size_t>(filled), '#').append(static_cast<size_t>(width - filled), '-');
    line.append("] ");
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(frac * 100));
    line += pct;
    line.append("  ")
        .append(FormatAmount(done_, unit_))
        .append("/")
        .append(FormatAmount(total_, unit_));
  } else {
    line += FormatAmount(done_, unit_);
  }
  if (!noun_.empty()) line.append(" ").append(noun_);
  line.append("  ").append(FormatAmount(rate, unit_)).append("/s");
  if (total_ > 0 && rate > 0 && done_ < total_) {
    const uint64_t eta = (total_ - done_) / rate;
    char buf[32];
    std::snprintf(buf, sizeof buf, "  ETA %llu:%02llu", static_cast<unsigned long long>(eta / 60),
                  static_cast<unsigned long long>(eta % 60));
    line += buf;
  }
  line += "\x1b[K";  // clear the rest of the line
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void Progress::Finish() {
  if (drawn_) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

}  // namespace wildchat
