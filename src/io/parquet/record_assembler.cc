#include "io/parquet/record_assembler.h"

namespace wildchat::parquet {

namespace {

// Leaf index ranges of the three lists in WildChatLeaves() order.
constexpr int kConversationFirst = 3, kConversationLast = 14;
constexpr int kOpenAiFirst = 17, kOpenAiLast = 53;
constexpr int kDetoxifyFirst = 54, kDetoxifyLast = 60;

void SetOptString(std::optional<std::string>* dst, bool present, std::string_view v) {
  if (present) {
    if (dst->has_value())
      (*dst)->assign(v);
    else
      dst->emplace(v);
  } else {
    dst->reset();
  }
}

}  // namespace

void RecordAssembler::Reset(const std::array<Leaf, kWildChatLeafCount>& leaves) {
  leaves_ = leaves;
  cursors_.fill(Cursor());
}

Status RecordAssembler::Bad(int leaf, const std::string& what) const {
  return Status::Corruption("column " + leaves_[leaf].layout->dotted + ": " + what);
}

Status RecordAssembler::Next(Conversation* c) {
  c->extra.clear();
  for (int i = 0; i < kWildChatLeafCount; ++i) {
    if (WildChatLeaves()[i].group == LeafGroup::kRow && leaves_[i].data) {
      WILDCHAT_RETURN_IF_ERROR(Row(i, c));
    }
  }
  WILDCHAT_RETURN_IF_ERROR(
      List(LeafGroup::kConversation, kConversationFirst, kConversationLast, c));
  WILDCHAT_RETURN_IF_ERROR(List(LeafGroup::kOpenAi, kOpenAiFirst, kOpenAiLast, c));
  WILDCHAT_RETURN_IF_ERROR(List(LeafGroup::kDetoxify, kDetoxifyFirst, kDetoxifyLast, c));
  return Status::OK();
}

Status RecordAssembler::Row(int i, Conversation* c) {
  const ColumnData& d = *leaves_[i].data;
  const LeafLayout& l = *leaves_[i].layout;
  Cursor& cur = cursors_[i];
  if (cur.pos >= d.def.size()) return Bad(i, "fewer values than rows");
  if (d.rep[cur.pos] != 0) return Bad(i, "unexpected repetition level");
  int def = d.def[cur.pos++];
  bool present = def == l.max_def;
  const WildChatLeaf& w = WildChatLeaves()[i];
  size_t vp = cur.vpos;
  if (present) {
    size_t n = w.kind == LeafKind::kString   ? d.strings.size()
               : w.kind == LeafKind::kBool   ? d.bools.size()
               : w.kind == LeafKind::kDouble ? d.doubles.size()
                                             : d.ints.size();
    if (vp >= n) return Bad(i, "fewer values than non-null levels");
    ++cur.vpos;
  }
  auto str = [&] { return present ? d.strings[vp] : std::string_view(); };
  auto tri = [&] { return present ? ToTriBool(d.bools[vp] != 0) : TriBool::kNull; };
  switch (w.field) {
    case kRowHash:
      c->conversation_hash.assign(str());
      break;
    case kRowModel:
      c->model.assign(str());
      break;
    case kRowTimestamp:
      if (present)
        c->timestamp = d.ints[vp];
      else
        c->timestamp.reset();
      break;
    case kRowTurn:
      c->turn = present ? d.ints[vp] : 0;
      break;
    case kRowLanguage:
      SetOptString(&c->language, present, str());
      break;
    case kRowToxic:
      c->toxic = tri();
      break;
    case kRowRedacted:
      c->redacted = tri();
      break;
    case kRowState:
      SetOptString(&c->state, present, str());
      break;
    case kRowCountry:
      SetOptString(&c->country, present, str());
      break;
    case kRowHashedIp:
      SetOptString(&c->hashed_ip, present, str());
      break;
    case kRowAcceptLanguage:
      if (def >= l.struct_def) {
        c->header.emplace();
        SetOptString(&c->header->accept_language, present, str());
      } else {
        c->header.reset();
      }
      break;
    case kRowUserAgent:
      if (def >= l.struct_def) {
        if (!c->header) c->header.emplace();
        SetOptString(&c->header->user_agent, present, str());
      }
      break;
  }
  return Status::OK();
}

Status RecordAssembler::List(LeafGroup group, int first, int last, Conversation* c) {
  int driver = -1;
  for (int i = first; i <= last && driver < 0; ++i)
    if (leaves_[i].data) driver = i;
  if (driver < 0) {
    if (group == LeafGroup::kOpenAi) c->openai_moderation.clear();
    if (group == LeafGroup::kDetoxify) c->detoxify_moderation.clear();
    return Status::OK();
  }
  // Element count of this row, from the driver column.
  const ColumnData& dd = *leaves_[driver].data;
  size_t p = cursors_[driver].pos;
  if (p >= dd.def.size()) return Bad(driver, "fewer values than rows");
  if (dd.rep[p] != 0) return Bad(driver, "row does not start at repetition level 0");
  size_t n = 0;
  if (dd.def[p] >= leaves_[driver].layout->entry_def) {
    n = 1;
    while (p + n < dd.rep.size() && dd.rep[p + n] != 0) ++n;
  }
  switch (group) {
    case LeafGroup::kConversation:
      c->conversation.resize(n);
      for (auto& u : c->conversation) {
        u.extra.clear();
        if (!leaves_[kConversationFirst].data) u.content.clear();
      }
      break;
    case LeafGroup::kOpenAi:
      c->openai_moderation.resize(n);
      break;
    case LeafGroup::kDetoxify:
      c->detoxify_moderation.resize(n);
      break;
    case LeafGroup::kRow:
      break;
  }
  for (int i = first; i <= last; ++i) {
    if (!leaves_[i].data) continue;
    const ColumnData& d = *leaves_[i].data;
    const LeafLayout& l = *leaves_[i].layout;
    const WildChatLeaf& w = WildChatLeaves()[i];
    Cursor& cur = cursors_[i];
    size_t count = n == 0 ? 1 : n;
    if (d.def.size() - cur.pos < count) return Bad(i, "fewer values than the list has elements");
    if (n == 0) {
      if (d.rep[cur.pos] != 0 || d.def[cur.pos] >= l.entry_def)
        return Bad(i, "list structure differs from column " + leaves_[driver].layout->dotted);
      ++cur.pos;
      continue;
    }
    const uint8_t max_def = static_cast<uint8_t>(l.max_def);
    size_t nvalues = w.kind == LeafKind::kString   ? d.strings.size()
                     : w.kind == LeafKind::kBool   ? d.bools.size()
                     : w.kind == LeafKind::kDouble ? d.doubles.size()
                                                   : d.ints.size();
    for (size_t j = 0; j < n; ++j) {
      size_t e = cur.pos + j;
      int def = d.def[e];
      if (d.rep[e] != (j ? 1 : 0) || def < l.entry_def)
        return Bad(i, "list structure differs from column " + leaves_[driver].layout->dotted);
      bool present = def == max_def;
      size_t vp = cur.vpos;
      if (present) {
        if (vp >= nvalues) return Bad(i, "fewer values than non-null levels");
        ++cur.vpos;
      }
      bool in_struct = def >= l.struct_def;
      auto str = [&] { return present ? d.strings[vp] : std::string_view(); };
      auto tri = [&] { return present ? ToTriBool(d.bools[vp] != 0) : TriBool::kNull; };
      if (group == LeafGroup::kConversation) {
        Utterance& u = c->conversation[j];
        switch (w.field) {
          case kUttContent:
            u.content.assign(str());
            break;
          case kUttCountry:
            SetOptString(&u.country, present, str());
            break;
          case kUttHashedIp:
            SetOptString(&u.hashed_ip, present, str());
            break;
          case kUttAcceptLanguage:
            if (in_struct) {
              u.header.emplace();
              SetOptString(&u.header->accept_language, present, str());
            } else {
              u.header.reset();
            }
            break;
          case kUttUserAgent:
            if (in_struct) {
              if (!u.header) u.header.emplace();
              SetOptString(&u.header->user_agent, present, str());
            }
            break;
          case kUttLanguage:
            SetOptString(&u.language, present, str());
            break;
          case kUttRedacted:
            u.redacted = tri();
            break;
          case kUttRole:
            u.role.assign(str());
            break;
          case kUttState:
            SetOptString(&u.state, present, str());
            break;
          case kUttTimestamp:
            if (present)
              u.timestamp = d.ints[vp];
            else
              u.timestamp.reset();
            break;
          case kUttToxic:
            u.toxic = tri();
            break;
          case kUttTurnIdentifier:
            u.turn_identifier = present ? d.ints[vp] : 0;
            break;
        }
      } else if (group == LeafGroup::kOpenAi) {
        OpenAiModeration& m = c->openai_moderation[j];
        if (w.field < kOpenAiScoreBase) {
          m.categories_null = !in_struct;
          m.categories[w.field] = tri();
        } else if (w.field < kOpenAiFlagged) {
          m.scores_null = !in_struct;
          m.category_scores[w.field - kOpenAiScoreBase] = present ? d.doubles[vp] : kNullScore;
        } else {
          m.flagged = tri();
        }
      } else {
        c->detoxify_moderation[j].scores[w.field] = present ? d.doubles[vp] : kNullScore;
      }
    }
    cur.pos += n;
  }
  return Status::OK();
}

Status RecordAssembler::Finish() const {
  for (int i = 0; i < kWildChatLeafCount; ++i) {
    if (!leaves_[i].data) continue;
    size_t left = leaves_[i].data->def.size() - cursors_[i].pos;
    if (left != 0)
      return Bad(i, std::to_string(left) + " values left after the row group's last row");
  }
  return Status::OK();
}

}  // namespace wildchat::parquet
