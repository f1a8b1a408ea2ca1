// The on-disk layout of a turn log segment, shared by the writer and readers.
//
// A log directory holds segments named turns-NNNNNNNN.log (NNNNNNNN counts up
// from 00000001). A segment starts with the 8-byte magic "WCTURN1\n" followed by
// frames: u32 payload length (little-endian), u32 CRC-32 of the payload, then
// the payload (an encoded TurnRecord). A frame is valid only when complete and
// its checksum matches; the first invalid frame of the newest segment marks the
// torn tail of an interrupted write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wildchat {

inline constexpr std::string_view kSegmentMagic = "WCTURN1\n";
inline constexpr size_t kFrameHeaderBytes = 8;
// Larger payloads are treated as corruption (the request size limit is far lower).
inline constexpr uint32_t kMaxFramePayload = 256u << 20;

std::string SegmentFileName(uint32_t sequence);
// Sequence number of a segment file name, or 0 when `name` is not one.
uint32_t SegmentSequence(std::string_view name);

void AppendFrame(std::string_view payload, std::string* out);

enum class FrameResult { kOk, kIncomplete, kCorrupt };
// Parses the frame at the start of `data`. kOk sets *payload and *consumed;
// kIncomplete means `data` ends inside the frame.
FrameResult ParseFrame(std::string_view data, std::string_view* payload, size_t* consumed);

}  // namespace wildchat
