#include "io/corpus_stats.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "model/timestamp.h"

namespace wildchat {

namespace {

std::string TurnBucket(int64_t t) {
  if (t <= 10) return std::to_string(t);
  if (t <= 20) return "11-20";
  if (t <= 50) return "21-50";
  return "51+";
}

// Entries by descending count, then name.
std::vector<std::pair<std::string, uint64_t>> ByCount(const std::map<std::string, uint64_t>& m) {
  std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

std::vector<std::pair<std::string, uint64_t>> TurnOrder(const std::map<std::string, uint64_t>& m) {
  std::vector<std::pair<std::string, uint64_t>> v;
  for (const char* k :
       {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11-20", "21-50", "51+"}) {
    auto it = m.find(k);
    if (it != m.end()) v.emplace_back(*it);
  }
  return v;
}

}  // namespace

void CorpusStats::Add(const Conversation& c) {
  ++conversations_;
  utterances_ += c.conversation.size();
  for (const auto& u : c.conversation) {
    if (u.role != "user") continue;
    ++user_utterances_;
    if (count_empty_ && u.content.find_first_not_of(" \t\r\n") == std::string::npos) {
      ++empty_user_inputs_;
    }
  }
  toxic_ += IsTrue(c.toxic);
  redacted_ += IsTrue(c.redacted);
  turns_total_ += static_cast<uint64_t>(std::max<int64_t>(0, c.turn));
  if (c.hashed_ip) users_.insert(*c.hashed_ip);
  ++languages_[c.language.value_or("(null)")];
  ++models_[c.model];
  ++countries_[c.country.value_or("(null)")];
  ++turns_[TurnBucket(c.turn)];
  if (c.timestamp) {
    if (!first_ || *c.timestamp < *first_) first_ = c.timestamp;
    if (!last_ || *c.timestamp > *last_) last_ = c.timestamp;
  }
}

void CorpusStats::Merge(const CorpusStats& o) {
  conversations_ += o.conversations_;
  utterances_ += o.utterances_;
  user_utterances_ += o.user_utterances_;
  toxic_ += o.toxic_;
  redacted_ += o.redacted_;
  empty_user_inputs_ += o.empty_user_inputs_;
  turns_total_ += o.turns_total_;
  users_.insert(o.users_.begin(), o.users_.end());
  for (const auto& [k, v] : o.languages_) languages_[k] += v;
  for (const auto& [k, v] : o.models_) models_[k] += v;
  for (const auto& [k, v] : o.countries_) countries_[k] += v;
  for (const auto& [k, v] : o.turns_) turns_[k] += v;
  if (o.first_ && (!first_ || *o.first_ < *first_)) first_ = o.first_;
  if (o.last_ && (!last_ || *o.last_ > *last_)) last_ = o.last_;
}

void CorpusStats::AppendJson(std::string* out) const {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("conversations").UInt(conversations_);
  w.Key("utterances").UInt(utterances_);
  w.Key("user_utterances").UInt(user_utterances_);
  w.Key("users").UInt(users_.size());
  w.Key("mean_turns")
      .Double(conversations_
                  ? static_cast<double>(turns_total_) / static_cast<double>(conversations_)
                  : 0.0);
  w.Key("toxic").UInt(toxic_);
  w.Key("redacted").UInt(redacted_);
  if (count_empty_) {
    w.Key("empty_user_inputs").UInt(empty_user_inputs_);
  } else {
    w.Key("empty_user_inputs").Null();
  }
  w.Key("first_timestamp");
  first_ ? w.String(FormatIso8601(*first_)) : w.Null();
  w.Key("last_timestamp");
  last_ ? w.String(FormatIso8601(*last_)) : w.Null();
  auto counts = [&](const char* name, const std::vector<std::pair<std::string, uint64_t>>& v) {
    w.Key(name).BeginObject();
    for (const auto& [k, n] : v) w.Key(k).UInt(n);
    w.EndObject();
  };
  counts("languages", ByCount(languages_));
  counts("models", ByCount(models_));
  counts("countries", ByCount(countries_));
  counts("turns", TurnOrder(turns_));
  w.EndObject();
}

std::string CorpusStats::ToText() const {
  std::string s;
  char buf[256];
  auto pct = [&](uint64_t n) {
    return conversations_ ? 100.0 * static_cast<double>(n) / static_cast<double>(conversations_)
                          : 0.0;
  };
  std::snprintf(buf, sizeof buf,
                "conversations  %llu\nutterances     %llu\nusers          %llu (distinct "
                "hashed_ip)\nmean turns     %.2f\ntoxic          %llu (%.1f%%)\nredacted       "
                "%llu (%.1f%%)\n",
                static_cast<unsigned long long>(conversations_),
                static_cast<unsigned long long>(utterances_),
                static_cast<unsigned long long>(users_.size()),
                conversations_ ? static_cast<double>(turns_total_) / conversations_ : 0.0,
                static_cast<unsigned long long>(toxic_), pct(toxic_),
                static_cast<unsigned long long>(redacted_), pct(redacted_));
  s += buf;
  if (count_empty_) {
    std::snprintf(buf, sizeof buf, "empty inputs   %llu user utterances\n",
                  static_cast<unsigned long long>(empty_user_inputs_));
    s += buf;
  }
  if (first_ && last_) {
    s += "time range     " + FormatIso8601(*first_) + " .. " + FormatIso8601(*last_) + "\n";
  }
  auto section = [&](const char* title, const std::vector<std::pair<std::string, uint64_t>>& v,
                     size_t limit) {
    s += std::string("\n") + title + "\n";
    for (size_t i = 0; i < v.size() && i < limit; ++i) {
      std::snprintf(buf, sizeof buf, "  %-28s %10llu  %5.1f%%\n", v[i].first.c_str(),
                    static_cast<unsigned long long>(v[i].second), pct(v[i].second));
      s += buf;
    }
    if (v.size() > limit) {
      s += "  ... " + std::to_string(v.size() - limit) + " more (see --json)\n";
    }
  };
  section("languages", ByCount(languages_), 15);
  section("models", ByCount(models_), 15);
  section("countries", ByCount(countries_), 15);
  section("turns", TurnOrder(turns_), 20);
  return s;
}

}  // namespace wildchat
