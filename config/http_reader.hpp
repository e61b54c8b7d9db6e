// The `http:` section (the nurse-station board) and the `--http ADDR:PORT` override.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

void read_http(YamlReader& r, const YAML::Node& n, HttpConfig& h);
// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" into `h`; an error sentence if it is not one.
std::optional<std::string> apply_http_listen(const std::string& listen, HttpConfig& h);
// http.users_file, or `users` beside the config file when it exists: every line's error.
// `http` may be undefined (no http: section).
void read_users_file(YamlReader& r, const YAML::Node& http, HttpConfig& h);
// Reads the token named by h.token_file into h.token; an error sentence if it cannot.
std::optional<std::string> load_station_token(HttpConfig& h);

}  // namespace chairwatch::config
