// Progress: a one-line progress bar on stderr for commands that run longer
// than a second ("gen  [#####-----]  48%  480000/1000000 conversations  9.1k/s
// ETA 0:57"). It stays silent for the first second, when stderr is not a
// terminal, or when the command got --quiet; Finish() erases the line. Not
// thread-safe: update it from the thread that owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wildchat {

class Progress {
 public:
  enum class Unit { kCount, kBytes };

  // total 0 means unknown (no bar or ETA, just the count and rate).
  Progress(std::string label, uint64_t total, Unit unit, std::string noun, bool enabled);
  ~Progress() { Finish(); }

  // True when a bar should be shown at all: stderr is a TTY and not quiet.
  static bool ShouldShow(bool quiet);

  void set_total(uint64_t total) { total_ = total; }
  // Records progress; redraws at most ten times a second.
  void Update(uint64_t done);
  void Finish();

  // "1.5 GB", "12.3k": the figures the bar shows (exposed for tests).
  static std::string FormatAmount(uint64_t v, Unit unit);

 private:
  void Draw(std::chrono::steady_clock::time_point now);

  std::string label_, noun_;
  uint64_t total_;
  Unit unit_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace wildchat
