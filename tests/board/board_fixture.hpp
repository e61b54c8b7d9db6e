// A broker, a station token and chairwatchd with its board on a free port, for the board tests.
#pragma once

#include <doctest/doctest.h>

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

// Raises a high-priority sbp_high alarm on `chair` (one reading at or above 200) and returns
// its alert id as published, once every message of that reading has reached `nurse`, which
// must hear clinic/+/alerts and clinic/+/alarms.
inline std::string surge(Client& monitor, Client& nurse, const std::string& chair) {
    monitor.publish("clinic/" + chair + "/vitals/bp", R"({"sbp":150,"dbp":90})");
    monitor.publish("clinic/" + chair + "/vitals/bp", R"({"sbp":205,"dbp":100})");
    auto raised = nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/" + chair + "/alerts" && field(m, "condition") == "sbp_high" &&
               field(m, "priority") == "high";
    });
    if (!raised)
        for (const auto& m : nurse.messages())
            MESSAGE("heard: " << m.topic << " " << m.payload.substr(0, 200));
    REQUIRE(raised);
    const auto id = field(*raised, "alert_id");
    // The chair's alarm list comes last, after the reading's other alerts (the DBP alarm).
    REQUIRE(nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/" + chair + "/alarms" && m.payload.find(id) != std::string::npos;
    }));
    return id;
}

}  // namespace chairwatch::it
