// The embedding map of a search index: reads each conversation in doc order
// (the first user utterance, or the whole conversation with text mode "all"),
// with the attributes the map colours by, and builds or appends the map
// (map_builder.h) in the index directory. The map stays keyed by the index's
// dense doc numbers; LoadMapFor checks that it still matches the index.
#pragma once

#include <string>

#include "base/status.h"
#include "embed/map_builder.h"
#include "engine/index.h"
#include "model/conversation.h"

namespace wildchat {

// "first" → the first user utterance; "all" → every utterance, in order.
// Texts are cut at max_bytes (on a UTF-8 boundary).
MapDoc MapDocOf(const Conversation& c, const std::string& text_mode, size_t max_bytes);

// append=false: (re)builds the map of every doc. append=true: embeds the docs
// added since the map was built (kNotFound when there is no map yet; nothing
// to do when it is current).
Status EmbedIndex(const Index& index, const MapBuildOptions& options, bool append,
                  MapBuildStats* stats);

// The map of `index` without vectors; kNotFound when there is none,
// kCorruption when its docs are not the index's docs.
Status LoadMapFor(const Index& index, MapStore* out);

}  // namespace wildchat
