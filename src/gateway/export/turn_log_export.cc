#include "gateway/export/turn_log_export.h"

#include <memory>

#include "gateway/export/conversation_builder.h"
#include "io/record_files.h"

namespace wildchat {

Status ExportTurnLog(const std::string& log_dir, const std::string& out_path,
                     ExportReport* report) {
  *report = ExportReport();
  std::unique_ptr<RecordWriter> writer;
  WILDCHAT_RETURN_IF_ERROR(OpenRecordWriter(out_path, WriteOptions(), &writer));
  std::vector<TurnRecord> turns;
  WILDCHAT_RETURN_IF_ERROR(ReadTurnLog(
      log_dir,
      [&turns](TurnRecord&& r) {
        turns.push_back(std::move(r));
        return Status::OK();
      },
      &report->scan));
  for (const std::vector<size_t>& chain : LinkTurns(turns, &report->link)) {
    std::vector<const TurnRecord*> ptrs;
    for (size_t i : chain) ptrs.push_back(&turns[i]);
    WILDCHAT_RETURN_IF_ERROR(writer->Write(BuildConversation(ptrs)));
  }
  return writer->Close();
}

}  // namespace wildchat
