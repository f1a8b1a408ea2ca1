// Building and extending the embedding map of an index (stored by MapStore).
// BuildMap embeds every document (offline: TF-IDF over words and character
// n-grams reduced by randomized SVD; or through an embeddings endpoint),
// links each to its k nearest neighbours, lays all of them out in 2D globally
// and per language, and saves the result. AppendMap places documents added to
// the index since, from their neighbours among those already mapped: old
// coordinates, vectors and the text model are kept bit for bit.
//
// Inputs are MapDocs in doc-number order (MapDoc i is doc first + i). The
// whole map (vectors, kNN graph, layouts) is deterministic for a seed
// whatever the thread count (see knn.h, layout.h).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "embed/embeddings_client.h"
#include "embed/map_store.h"
#include "embed/text_features.h"

namespace wildchat {

struct MapDoc {
  int64_t id = 0;
  std::string text;                                        // what is embedded
  std::array<std::string, kMapAttributeCount> attributes;  // kMapAttributes order; [0] language
};

struct MapBuildOptions {
  int dims = 256;     // offline vector width
  int knn_dims = 64;  // leading components used for neighbours and layout
  int k = 15;         // neighbours kept per doc
  int threads = 2;
  uint64_t seed = 1;
  uint32_t fit_sample = 40000;      // docs the IDF and SVD are fitted on
  uint32_t min_layout_points = 50;  // smallest language given its own layout
  int epochs = 0;                   // layout epochs, 0 = automatic
  uint32_t exact_knn_below = 4000;
  std::string text_mode = "first";  // recorded in the map
  TextFeatureOptions features;
  EmbeddingsClientOptions endpoint;  // url empty: offline method
  // Called at the start of each stage with a short description.
  std::function<void(const std::string&)> progress;
};

struct MapBuildStats {
  uint32_t docs = 0;   // docs in the map afterwards
  uint32_t added = 0;  // docs embedded by this run
  double embed_seconds = 0, knn_seconds = 0, layout_seconds = 0, save_seconds = 0;
};

Status BuildMap(const std::string& index_dir, const std::vector<MapDoc>& docs,
                const MapBuildOptions& options, MapBuildStats* stats);

// docs are the index's docs [map size, map size + docs.size()).
Status AppendMap(const std::string& index_dir, const std::vector<MapDoc>& docs,
                 const MapBuildOptions& options, MapBuildStats* stats);

}  // namespace wildchat
