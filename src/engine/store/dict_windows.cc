#include "engine/store/dict_windows.h"

#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_createDDict_byReference
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <new>

#include "engine/store/open_shared.h"

namespace wildchat {

struct DictWindows::Window {
  std::unique_ptr<char[]> bytes;  // the dictionary's copy, then the output room
  uint64_t room = 0;              // output bytes that fit
  ZSTD_DDict* ddict = nullptr;    // refers to the copy at bytes
  ~Window() { ZSTD_freeDDict(ddict); }
};

DictWindows::DictWindows(std::string_view dict) : dict_(dict) {}
DictWindows::~DictWindows() = default;

Status DictWindows::Open(std::string_view dict, std::unique_ptr<DictWindows>* out) {
  std::unique_ptr<DictWindows> w(new DictWindows(dict));
  // One window made (and pooled) now: a dictionary zstd cannot digest is
  // found here, not at the first read.
  Lease probe = w->Acquire();
  char* room;
  if (!probe.Reserve(0, &room).ok()) return Status::Corruption("bad store dictionary");
  probe = Lease();
  *out = std::move(w);
  return Status::OK();
}

Status DictWindows::OpenShared(std::string_view dict, std::shared_ptr<const DictWindows>* out) {
  return wildchat::OpenShared<DictWindows>(
      dict, [](std::string_view d, std::unique_ptr<DictWindows>* w) { return Open(d, w); },
      [](const DictWindows& w) -> std::string_view { return w.dict_; }, out);
}

DictWindows::Lease DictWindows::Acquire() const {
  Lease l;
  l.owner_ = this;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      l.window_ = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!l.window_) l.window_ = std::make_unique<Window>();
  return l;
}

void DictWindows::Release(std::unique_ptr<Window> w) const {
  if (!w || w->ddict == nullptr || w->room > kMaxPooledOutput) return;
  std::lock_guard<std::mutex> lock(mu_);
  pool_.push_back(std::move(w));
}

DictWindows::Lease::Lease() = default;

DictWindows::Lease::Lease(Lease&& o) noexcept : owner_(o.owner_), window_(std::move(o.window_)) {
  o.owner_ = nullptr;
}

DictWindows::Lease::~Lease() {
  if (owner_) owner_->Release(std::move(window_));
}

DictWindows::Lease& DictWindows::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    if (owner_) owner_->Release(std::move(window_));
    owner_ = o.owner_;
    window_ = std::move(o.window_);
    o.owner_ = nullptr;
  }
  return *this;
}

Status DictWindows::Lease::Reserve(uint64_t size, char** out) {
  if (!window_) return Status::Internal("no dictionary window");
  Window& w = *window_;
  const std::string& dict = owner_->dict_;
  if (w.ddict == nullptr || size > w.room) {
    // Grown in 64 KB steps, at least doubling, so a page of hits of rising
    // sizes moves the dictionary's copy a few times, not once per hit.
    uint64_t room = std::max<uint64_t>(size, 2 * w.room);
    room = (room + 0xFFFF) & ~uint64_t{0xFFFF};
    ZSTD_freeDDict(w.ddict);
    w.ddict = nullptr;
    w.room = 0;
    w.bytes.reset(new (std::nothrow) char[dict.size() + room]);
    if (!w.bytes) return Status::Internal("out of memory");
    std::memcpy(w.bytes.get(), dict.data(), dict.size());
    w.ddict = ZSTD_createDDict_byReference(w.bytes.get(), dict.size());
    if (w.ddict == nullptr) return Status::Internal("cannot digest the store dictionary");
    w.room = room;
  }
  *out = w.bytes.get() + dict.size();
  return Status::OK();
}

const ZSTD_DDict_s* DictWindows::Lease::ddict() const {
  return window_ ? window_->ddict : nullptr;
}

}  // namespace wildchat
