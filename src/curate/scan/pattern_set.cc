#include "curate/scan/pattern_set.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <cstdint>

namespace wildchat::curate {

struct PatternSet::ScratchPool {
  std::mutex mu;
  hs_scratch_t* prototype = nullptr;
  std::vector<hs_scratch_t*> free;
  ~ScratchPool() {
    for (hs_scratch_t* s : free) hs_free_scratch(s);
    if (prototype != nullptr) hs_free_scratch(prototype);
  }
  hs_scratch_t* Take() {
    std::lock_guard<std::mutex> lock(mu);
    if (!free.empty()) {
      hs_scratch_t* s = free.back();
      free.pop_back();
      return s;
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(prototype, &s) != HS_SUCCESS) return nullptr;
    return s;
  }
  void Give(hs_scratch_t* s) {
    std::lock_guard<std::mutex> lock(mu);
    free.push_back(s);
  }
};

PatternSet::~PatternSet() {
  pool_.reset();
  if (database_ != nullptr) hs_free_database(static_cast<hs_database_t*>(database_));
}

Status PatternSet::Compile(std::vector<Pattern> patterns, std::unique_ptr<PatternSet>* out) {
  std::unique_ptr<PatternSet> set(new PatternSet());
  std::vector<std::string> hs_exprs;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const Pattern& p = patterns[i];
    RE2::Options opt;
    opt.set_case_sensitive(!p.caseless);
    opt.set_log_errors(false);
    opt.set_dot_nl(true);
    auto re = std::make_unique<RE2>(p.regex, opt);
    if (!re->ok()) {
      return Status::InvalidArgument("pattern " + p.name + ": " + re->error());
    }
    set->re2_.push_back(std::move(re));
    hs_exprs.push_back(p.prefilter.empty() ? p.regex : p.prefilter);
    flags.push_back(HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL |
                    (p.caseless ? HS_FLAG_CASELESS : 0u));
    ids.push_back(static_cast<unsigned>(i));
  }
  for (const auto& e : hs_exprs) exprs.push_back(e.c_str());
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown error";
    const int which = err != nullptr ? err->expression : -1;
    hs_free_compile_error(err);
    return Status::InvalidArgument(
        "pattern " + (which >= 0 ? patterns[which].name : std::string("?")) + ": " + msg);
  }
  set->database_ = db;
  set->pool_ = std::make_unique<ScratchPool>();
  if (hs_alloc_scratch(db, &set->pool_->prototype) != HS_SUCCESS) {
    return Status::Internal("hyperscan: cannot allocate scratch space");
  }
  set->patterns_ = std::move(patterns);
  *out = std::move(set);
  return Status::OK();
}

namespace {
int OnHsMatch(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  static_cast<std::vector<uint8_t>*>(ctx)->at(id) = 1;
  return 0;
}
}  // namespace

void PatternSet::Scan(std::string_view text, const MatchFn& on_match) const {
  if (text.empty() || patterns_.empty()) return;
  std::vector<uint8_t> hit(patterns_.size(), 0);
  hs_scratch_t* scratch = pool_->Take();
  const bool scanned =
      scratch != nullptr && text.size() <= UINT32_MAX &&
      hs_scan(static_cast<hs_database_t*>(database_), text.data(),
              static_cast<unsigned>(text.size()), 0, scratch, OnHsMatch, &hit) == HS_SUCCESS;
  if (scratch != nullptr) pool_->Give(scratch);
  if (!scanned) hit.assign(patterns_.size(), 1);  // cannot prefilter: try every pattern
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (!hit[i]) continue;
    const RE2& re = *re2_[i];
    // Group 0 plus every capturing group; the span is the first group that
    // took part in the match (alternatives may each have their own).
    const int groups = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> sub(static_cast<size_t>(groups));
    const re2::StringPiece input(text.data(), text.size());
    size_t pos = 0;
    while (pos <= text.size() &&
           re.Match(input, pos, text.size(), RE2::UNANCHORED, sub.data(), groups)) {
      const re2::StringPiece whole = sub[0];
      re2::StringPiece span = whole;
      for (int g = 1; g < groups; ++g) {
        if (sub[g].data() != nullptr) {
          span = sub[g];
          break;
        }
      }
      const size_t b = static_cast<size_t>(span.data() - text.data());
      on_match(static_cast<int>(i), b, b + span.size());
      const size_t end = static_cast<size_t>(whole.data() - text.data()) + whole.size();
      pos = end > pos ? end : pos + 1;
    }
  }
}

}  // namespace wildchat::curate
