// The `broker:` section, shared by chairwatchd's configuration and the group board's.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

void read_tls(YamlReader& r, const YAML::Node& n, TlsConfig& t);
void read_broker(YamlReader& r, const YAML::Node& n, BrokerConfig& b);
// After read_broker and any override: the checks across keys (TLS and the URI's scheme, a
// password without a user name, a missing URI).
void check_broker(YamlReader& r, const YAML::Node& root, BrokerConfig& b);

}  // namespace chairwatch::config
