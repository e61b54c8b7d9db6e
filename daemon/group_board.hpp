// `chairwatchd --group-board FILE`: the read-only group board (docs/high-availability.md,
// "Group board"). One MQTT connection subscribes to every site's retained alarm lists and
// statuses; the board::GroupModel keeps them; the board's HTTP server serves them. It publishes
// nothing and has no state of its own beyond what the broker holds retained.
#pragma once

#include "config/group_board_config.hpp"

namespace chairwatch::daemon {

// Runs until SIGTERM or SIGINT; the exit code.
int run_group_board(const config::GroupBoardConfig& cfg);

}  // namespace chairwatch::daemon
