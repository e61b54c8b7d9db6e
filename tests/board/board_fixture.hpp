// A broker, a station token, accounts and chairwatchd with its board on a free port, for the
// board tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "http_client.hpp"

namespace chairwatch::it {

inline constexpr const char* station_token = "test-station-token-0123456789abcdef";
// The accounts every board test has: a nurse and an admin (write_users()).
inline constexpr const char* nurse_name = "nurse-7";
inline constexpr const char* nurse_password = "nurse-7-password";
inline constexpr const char* admin_name = "admin-1";
inline constexpr const char* admin_password = "admin-1-password";

// `chairwatch user ARGS… --users FILE --password-stdin` with `password` on its standard input.
inline int user_command(const std::vector<std::string>& args, const std::string& file,
                        const std::string& password, std::string& output) {
    std::string line = "printf '%s\\n' \"$1\" | \"$2\" user";
    std::vector<std::string> argv{"/bin/sh", "-c", "", "sh", password, CHAIRWATCH_BIN};
    for (std::size_t i = 0; i < args.size(); ++i) {
        line += " \"$" + std::to_string(i + 3) + "\"";
        argv.push_back(args[i]);
    }
    argv[2] = line + " --users \"$" + std::to_string(args.size() + 3) + "\" --password-stdin";
    argv.push_back(file);
    return run(argv, output);
}

// A users file made by the real `chairwatch user add`: nurse-7 (nurse) and admin-1 (admin).
inline std::string write_users() {
    const auto path = temp_dir("users") + "/users";
    std::string out;
    if (user_command({"add", nurse_name, "--role", "nurse"}, path, nurse_password, out) != 0 ||
        user_command({"add", admin_name, "--role", "admin"}, path, admin_password, out) != 0)
        throw std::runtime_error("chairwatch user add failed: " + out);
    return path;
}

// The shipped config with an http: section appended (its keys as YAML lines, indented).
inline std::string board_config(const std::string& token_file, const std::string& extra = "",
                                const std::string& users_file = write_users()) {
    return shipped_config() + "\nhttp:\n  token_file: " + token_file +
           "\n  station_name: test-station\n  users_file: " + users_file + "\n" + extra;
}

inline std::string write_token(const std::string& token = station_token) {
    const auto path = temp_dir("token") + "/station.token";
    write_file(path, token + "\n");
    return path;
}

inline Headers bearer(const std::string& token = station_token) {
    return {{"Authorization", "Bearer " + token}};
}

// A person's login: POST /login with name and password; then the headers of a change as the
// page sends them (cookie, CSRF token from /api/session, same origin, JSON). Empty if refused.
Headers person(int port, const std::string& name, const std::string& password);

// A request as bytes, for a RawConnection.
std::string raw_request(int port, const std::string& method, const std::string& target,
                        const Headers& headers = {}, const std::string& body = "");
// GET /events on a connection of its own (from `from` if given), left open.
RawConnection open_stream(int port, const Headers& headers, const std::string& from = "");
// True once the stream's first event, the snapshot, has arrived (within 5 s).
bool has_snapshot(RawConnection& c);

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
