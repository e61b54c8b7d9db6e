// The group board's configuration (`chairwatchd --group-board FILE`, docs/board.md "Group
// board"): the broker, the HTTP listener and its station token, and the sites it shows, each
// with the topic prefix of its chairwatchd. Every error with FILE:LINE:COLUMN.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace chairwatch::config {

struct GroupBoardSite {
    std::string name;          // shown on the board: 1-64 printable characters
    std::string prefix;        // the site's broker.topic_prefix
    std::string status_topic;  // its broker.status_topic; default <prefix>/chairwatchd/status
};

struct GroupBoardConfig {
    std::string source;
    BrokerConfig broker;  // client_id defaults to chairwatch-group-board
    HttpConfig http;      // port defaults to 8090; users_file is not taken (read-only)
    std::vector<GroupBoardSite> sites;
    std::string log_level{"info"};
};

struct GroupBoardLoad {
    std::optional<GroupBoardConfig> config;  // set only when `errors` is empty
    std::vector<ConfigError> errors;
};

GroupBoardLoad load_group_board_text(const std::string& text, const std::string& name);
GroupBoardLoad load_group_board_file(const std::string& path);

}  // namespace chairwatch::config
