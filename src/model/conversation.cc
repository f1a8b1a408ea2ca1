#include "model/conversation.h"

#include <cstring>

namespace wildchat {

namespace {
// NaN-aware equality: two nulls are equal.
bool SameScore(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
}  // namespace

int ModerationCategoryIndex(std::string_view name) {
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    if (kModerationCategories[i] == name) return i;
  }
  return -1;
}

bool OpenAiModeration::operator==(const OpenAiModeration& o) const {
  if (categories != o.categories || flagged != o.flagged || categories_null != o.categories_null ||
      scores_null != o.scores_null) {
    return false;
  }
  for (int i = 0; i < kModerationCategoryCount; ++i) {
    if (!SameScore(category_scores[i], o.category_scores[i])) return false;
  }
  return true;
}

bool DetoxifyModeration::empty() const {
  for (double v : scores) {
    if (!IsNullScore(v)) return false;
  }
  return true;
}

bool DetoxifyModeration::operator==(const DetoxifyModeration& o) const {
  for (int i = 0; i < kDetoxifyFieldCount; ++i) {
    if (!SameScore(scores[i], o.scores[i])) return false;
  }
  return true;
}

}  // namespace wildchat
