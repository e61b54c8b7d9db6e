// chairwatchd's command line (docs/configuration.md "Command line", chairwatchd(8)).
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"

namespace chairwatch::daemon {

inline constexpr const char* default_config_path = "/etc/chairwatch/chairwatch.yaml";

struct CommandLine {
    std::string config{default_config_path};
    config::Overrides overrides;
    bool check_only{false};
    // Set: run the read-only group board with this file instead of monitoring (group_board.hpp).
    std::string group_board;
};

// Parses argv into `out`; returns the exit code when the process should end right away
// (0 after --help or --version, 2 after a usage error, which it printed).
std::optional<int> parse_command_line(int argc, char** argv, CommandLine& out);

}  // namespace chairwatch::daemon
