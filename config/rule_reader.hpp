// Reads one rule (`rules.<condition>`) or one feed rule (`feeds.<condition>`) of a profile.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts/profile.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

// Where an absolute limit was written, to check low limits against high ones.
struct LimitSeen {
    alerts::Signal signal;
    alerts::Direction direction;
    double limit;
    YAML::Mark mark;
    std::string path;
};

std::optional<alerts::Rule> read_rule(YamlReader& r, const std::string& name, const YAML::Node& n,
                                      const std::string& path, std::vector<LimitSeen>& seen);
std::optional<alerts::FeedRule> read_feed(YamlReader& r, const std::string& name,
                                          const YAML::Node& n, const std::string& path);
void check_low_below_high(YamlReader& r, const std::vector<LimitSeen>& seen);

}  // namespace chairwatch::config
