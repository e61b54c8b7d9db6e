// Reads `profiles:` and `default_profile:` into alerts::Profile values.
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

void read_profiles(YamlReader& r, const YAML::Node& root, Config& c);

}  // namespace chairwatch::config
