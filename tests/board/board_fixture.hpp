// A broker, a station token and chairwatchd with its board on a free port, for the board tests.
#pragma once

#include <string>

#include "harness.hpp"
#include "http_client.hpp"

namespace chairwatch::it {

inline constexpr const char* station_token = "test-station-token-0123456789abcdef";

// The shipped config with an http: section appended (its keys as YAML lines, indented).
inline std::string board_config(const std::string& token_file, const std::string& extra = "") {
    return shipped_config() + "\nhttp:\n  token_file: " + token_file +
           "\n  station_name: test-station\n" + extra;
}

inline std::string write_token(const std::string& token = station_token) {
    const auto path = temp_dir("token") + "/station.token";
    write_file(path, token + "\n");
    return path;
}

inline Headers bearer(const std::string& token = station_token) {
    return {{"Authorization", "Bearer " + token}};
}

inline Headers json_bearer(const std::string& token = station_token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

}  // namespace chairwatch::it
