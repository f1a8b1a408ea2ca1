// Helpers shared by the explorer's route files (internal to src/server; it
// includes httplib.h, so nothing outside the server includes it).
//
// Every API answer is JSON. User mistakes (bad query, bad parameter) are 400
// with {"error": {"status", "message", "position"?}}, unknown ids 404; only
// environment failures are 500. Parameter parsers return kInvalidArgument
// naming the parameter.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wildchat {

inline constexpr const char* kJsonType = "application/json; charset=utf-8";

// Maps a Status to its HTTP status code (400, 404, 500).
int HttpStatusOf(const Status& status);
// Writes the error body and status for a failed Status.
void SendError(httplib::Response& res, const Status& status);
// Writes a JSON body with status 200.
void SendJson(httplib::Response& res, std::string body);

// Integer parameter `name`: `fallback` when absent; kInvalidArgument when not
// an integer in [min, max].
Status IntParam(const httplib::Request& req, const char* name, int64_t fallback, int64_t min,
                int64_t max, int64_t* out);
Status Uint64Param(const httplib::Request& req, const char* name, uint64_t fallback, uint64_t* out);
std::string StringParam(const httplib::Request& req, const char* name);
// A comma-separated list; empty items dropped.
std::vector<std::string> SplitList(std::string_view text);

// The 0-based position in "query error at N: ..." messages, or -1.
int64_t QueryErrorPosition(const std::string& message);

}  // namespace wildchat
