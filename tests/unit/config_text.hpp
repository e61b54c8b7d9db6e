// What the configuration tests share: the smallest valid file, and the one error of a text.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"

namespace chairwatch::test {

inline const std::string minimal_config = R"(broker:
  uri: tcp://127.0.0.1:1883
profiles:
  p:
    rules:
      sbp_high:
        signal: sbp
        tiers:
          - {at_or_above: 180, priority: medium}
)";

// The smallest valid file with one more broker key, as line 3 (e.g. "  keepalive_s: 5\n").
inline std::string minimal_config_with_broker(const std::string& line) {
    std::string text = minimal_config;
    text.insert(text.find("profiles:"), line);
    return text;
}

// The smallest valid file with these broker lines in place of its uri (e.g. "  uris: [...]\n").
inline std::string minimal_config_broker(const std::string& lines) {
    return "broker:\n" + lines + minimal_config.substr(minimal_config.find("profiles:"));
}

// The single error of a config text, formatted as --check-config prints it.
inline std::string only_error(const std::string& text, const config::Overrides& o = {}) {
    auto r = config::load_config_text(text, "t.yaml", o);
    CHECK_FALSE(r.config);
    for (const auto& e : r.errors)
        INFO(e.format());
    REQUIRE(r.errors.size() == 1);
    return r.errors[0].format();
}

}  // namespace chairwatch::test
