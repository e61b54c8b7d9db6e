// Small readers shared by the config parsers.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "alerts/types.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

inline Millis from_seconds(double s) {
    return std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.5));
}

inline std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// `key: low|medium|high`; `required` reports a missing key.
std::optional<alerts::Priority> read_priority(YamlReader& r, const YAML::Node& n,
                                              const std::string& path, const char* key = "priority",
                                              bool required = true);
// `phases: [baseline, dosing, ...]` as phase bits; nullopt if absent or wrong.
std::optional<std::uint8_t> read_phases(YamlReader& r, const YAML::Node& n,
                                        const std::string& path);

}  // namespace chairwatch::config
