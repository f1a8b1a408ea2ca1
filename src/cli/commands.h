// The `wildchat` subcommands. Each is a thin layer over a library: it parses
// arguments (cli/args.h), calls the library and maps its Status to an exit
// code. argv excludes the program and command names.
#pragma once

#include <string>
#include <vector>

namespace wildchat {

using Argv = std::vector<std::string>;

int RunGen(const Argv& argv);      // cli/gen_command.cc
int RunStats(const Argv& argv);    // cli/stats_command.cc
int RunConvert(const Argv& argv);  // cli/convert_command.cc
int RunIndex(const Argv& argv);    // cli/index_command.cc
int RunSearch(const Argv& argv);   // cli/search_command.cc
int RunGet(const Argv& argv);      // cli/get_command.cc
int RunExport(const Argv& argv);   // cli/export_command.cc
int RunServe(const Argv& argv);    // cli/serve_command.cc
int RunDemo(const Argv& argv);     // cli/demo_command.cc
int RunCurate(const Argv& argv);   // cli/curate_command.cc
int RunGateway(const Argv& argv);  // cli/gateway_command.cc
int RunEmbed(const Argv& argv);    // cli/embed_command.cc

class Args;
// The server options `serve` and `demo` share (cli/serve_command.cc).
void AddServerOptions(Args* args);

}  // namespace wildchat
