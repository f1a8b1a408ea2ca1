// DictWindows: a zstd dictionary for decoding, lent out as windows. A window
// is a buffer holding a copy of the dictionary's bytes directly followed by
// room for one frame's output, with a digested dictionary (ZSTD_DDict) that
// refers to that copy. zstd copies a match reaching back into a dictionary
// kept elsewhere with a call to memmove, but one reaching into bytes the
// output continues as an ordinary back-reference: a store's text frames (1 MB
// dictionaries, conversation-sized frames) decode about a quarter faster into
// a window (docs/engine.md "Store blocks"). Decoding into any other buffer
// with ddict() still works; it is only slower.
//
// Windows are pooled: there are as many as were ever leased at once (a window
// whose output room grew past kMaxPooledOutput is freed instead). Acquire is
// thread-safe; a Lease is used by one thread at a time. OpenShared gives every
// reader of the same dictionary bytes in the process one DictWindows: the
// segments of an index built with one dictionary then share its pool, and a
// page of hits from alternating segments decodes in one window per thread
// that stays in cache, not in a window per segment.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct ZSTD_DDict_s;

namespace wildchat {

class DictWindows {
 public:
  // Corruption if dict is not a usable zstd dictionary.
  static Status Open(std::string_view dict, std::unique_ptr<DictWindows>* out);
  // Open, or the DictWindows of the same bytes that is already open (and
  // alive) in this process.
  static Status OpenShared(std::string_view dict, std::shared_ptr<const DictWindows>* out);
  ~DictWindows();
  DictWindows(const DictWindows&) = delete;
  DictWindows& operator=(const DictWindows&) = delete;

  static constexpr uint64_t kMaxPooledOutput = 4 << 20;

  struct Window;
  class Lease {
   public:
    Lease();
    ~Lease();
    Lease(Lease&& o) noexcept;
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    const DictWindows* owner() const { return owner_; }
    // Room for `size` bytes of output right after the dictionary's copy;
    // returns its start. Invalidates earlier output pointers and ddict().
    // Internal error when memory runs out or the dictionary cannot be
    // digested again (the window is then not pooled again).
    Status Reserve(uint64_t size, char** out);
    // The dictionary to decode with (refers to the window's copy).
    const ZSTD_DDict_s* ddict() const;

   private:
    friend class DictWindows;
    const DictWindows* owner_ = nullptr;
    std::unique_ptr<Window> window_;
  };

  // A window, pooled or new (its output room grows on Reserve).
  Lease Acquire() const;

 private:
  explicit DictWindows(std::string_view dict);
  void Release(std::unique_ptr<Window> w) const;

  const std::string dict_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Window>> pool_;
};

}  // namespace wildchat
