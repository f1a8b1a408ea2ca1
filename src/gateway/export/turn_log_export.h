// Exporting a turn log as WildChat records: read every valid turn (also while
// a gateway is appending), link them (linking/turn_linker.h), build one
// Conversation per kept chain and write them to a .jsonl or .parquet file
// (io/record_files.h; the file appears atomically on success).
#pragma once

#include <string>

#include "base/status.h"
#include "gateway/linking/turn_linker.h"
#include "gateway/log/turn_log_reader.h"

namespace wildchat {

struct ExportReport {
  TurnLogScan scan;
  LinkReport link;
};

Status ExportTurnLog(const std::string& log_dir, const std::string& out_path, ExportReport* report);

}  // namespace wildchat
