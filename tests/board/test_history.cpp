// The board's history, reports and restart recovery against the real daemon and mosquitto: a
// session run over MQTT is listed with its outcome and alarms once it ends, its HTML page is
// served read-only (and nothing beside it), its acknowledgement shows on the handover; and a
// chair recovered from its log after a hard kill shows its values and trend again.
#include <doctest/doctest.h>

#include <signal.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "board_fixture.hpp"
#include "http_json.hpp"

using namespace chairwatch::it;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::object chair_of(const json::value& chairs, const std::string& chair) {
    return item_of(chairs, "chairs", "chair", chair);
}

// Starts a session and raises a high SBP alarm on it; returns the alarm's id.
std::string session_with_surge(Client& monitor, Client& nurse, const std::string& chair) {
    monitor.publish("clinic/" + chair + "/session",
                    R"({"action":"start","profile":"iv-ketamine"})");
    monitor.publish("clinic/" + chair + "/vitals/hr", "84");
    monitor.publish("clinic/" + chair + "/vitals/bp", R"({"sbp":150,"dbp":88})");
    monitor.publish("clinic/" + chair + "/vitals/bp", R"({"sbp":208,"dbp":96})");
    const auto raised = nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/" + chair + "/alerts" && field(m, "condition") == "sbp_high" &&
               field(m, "priority") == "high";
    });
    REQUIRE(raised);
    return field(*raised, "alert_id");
}

std::string session_of(const std::string& alert_id) {
    const auto a = alert_id.find(':'), b = alert_id.rfind(':');
    return alert_id.substr(a + 1, b - a - 1);
}

// Whole seconds since the epoch of a time as the API writes it ("2026-12-07T22:15:03.123Z").
long epoch_s(const boost::json::value& v) {
    std::tm tm{};
    const std::string text(v.as_string());
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    return in.fail() ? -1 : static_cast<long>(::timegm(&tm));
}

}  // namespace

TEST_SUITE("board_history") {
    TEST_CASE("a chair recovered after a hard kill shows its latest values and trend") {
        Broker broker;
        Daemon daemon(broker, board_config(write_token()));
        daemon.start();
        Client monitor(broker.uri());
        Client nurse(broker.uri());
        nurse.subscribe("clinic/+/alerts");
        const auto id = session_with_surge(monitor, nurse, "chair-04");

        daemon.kill(SIGKILL);
        REQUIRE(daemon.wait(15s) >= 0);
        daemon.start();
        const auto chairs =
            parse(http_request(daemon.http_port(), "GET", "/api/chairs", "", bearer()));
        const auto c = chair_of(chairs, "chair-04");
        REQUIRE(!c.empty());
        CHECK(c.at("in_session") == true);
        REQUIRE(c.contains("vitals"));
        const auto& v = c.at("vitals").as_object();
        REQUIRE(v.contains("sbp"));
        CHECK(v.at("sbp").at("value").to_number<double>() == 208);
        CHECK(v.at("dbp").at("value").to_number<double>() == 96);
        REQUIRE(v.contains("hr"));
        CHECK(v.at("hr").at("value").to_number<double>() == 84);
        // Its age counts from when it arrived before the restart, not from the restart.
        CHECK(v.at("sbp").at("age_s").to_number<double>() >= 0);
        REQUIRE(c.contains("trend"));
        CHECK(c.at("trend").at("sbp").as_array().size() == 2);
        bool listed = false;
        for (const auto& a : c.at("alarms").as_array())
            listed = listed || a.at("alert_id") == id.c_str();
        CHECK(listed);
    }

    TEST_CASE("history lists ended sessions with their page, served read-only and nothing else") {
        Broker broker;
        Daemon daemon(broker, board_config(write_token(), "  shift_hours: 8\n"));
        daemon.start();
        const int port = daemon.http_port();
        Client monitor(broker.uri());
        Client nurse(broker.uri());
        nurse.subscribe("clinic/+/alerts");
        const auto id = session_with_surge(monitor, nurse, "chair-05");
        const auto session = session_of(id);
        const auto ack = http_request(port, "POST", "/api/alarms/" + id + "/ack", "{}",
                                      person(port, nurse_name, nurse_password));
        REQUIRE(ack.status == 200);

        // Open: the acknowledgement is on the handover from the session in memory.
        auto handover = parse(http_request(port, "GET", "/api/handover", "", bearer()));
        REQUIRE(handover.is_object());
        REQUIRE(handover.at("acks").as_array().size() == 1);
        CHECK(handover.at("acks").at(0).at("by") == nurse_name);
        CHECK(handover.at("acks").at(0).at("chair") == "chair-05");
        // The shift is http.shift_hours long: the acknowledgements since then.
        CHECK(handover.at("shift_hours") == 8);
        CHECK(epoch_s(handover.at("server_time")) - epoch_s(handover.at("since")) == 8 * 3600);

        monitor.publish("clinic/chair-05/session", R"({"action":"end"})");
        const auto page = daemon.log_dir() + "/chair-05/" + session + ".html";
        REQUIRE(eventually([&] { return fs::exists(page); }, 10s));
        REQUIRE(eventually(
            [&] { return fs::exists(daemon.log_dir() + "/chair-05/" + session + ".summary.json"); },
            10s));

        const auto h = parse(http_request(port, "GET", "/api/history", "", bearer()));
        REQUIRE(h.is_object());
        REQUIRE(h.at("sessions").as_array().size() == 1);
        const auto& s = h.at("sessions").at(0);
        CHECK(s.at("chair") == "chair-05");
        CHECK(s.at("session_id") == session.c_str());
        CHECK(s.at("end_reason") == "end");
        CHECK(s.at("alarms").at("high").to_number<int>() >= 1);
        const std::string report = "/reports/chair-05/" + session;
        CHECK(s.at("report") == report.c_str());
        CHECK(h.at("day") == h.at("days").at(0));

        // Ended: the acknowledgement comes from its record now.
        handover = parse(http_request(port, "GET", "/api/handover", "", bearer()));
        REQUIRE(handover.at("acks").as_array().size() == 1);
        CHECK(handover.at("acks").at(0).at("session_id") == session.c_str());

        const auto r = http_request(port, "GET", report, "", bearer());
        CHECK(r.status == 200);
        CHECK(r.header("Content-Type").starts_with("text/html"));
        CHECK(r.body == read_file(page));
        CHECK(r.header("Content-Security-Policy").find("script-src") == std::string::npos);
        CHECK(r.header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
        CHECK(r.header("X-Frame-Options") == "DENY");

        // The same access as the board: a browser without a login goes to /login.
        CHECK(http_request(port, "GET", report).status == 303);
        CHECK(http_request(port, "GET", "/api/history").status == 401);
        CHECK(http_request(port, "GET", "/api/handover").status == 401);
        CHECK(http_request(port, "GET", report, "", bearer("wrong-token-wrong-token")).status ==
              401);
        CHECK(http_request(port, "POST", report, "", bearer()).status == 405);
        CHECK(http_request(port, "GET", "/api/history?day=yesterday", "", bearer()).status == 400);
        CHECK(parse(http_request(port, "GET", "/api/history?day=1999-01-01", "", bearer()))
                  .at("sessions")
                  .as_array()
                  .empty());

        // Nothing but a session's page: no other file, no traversal, no link out.
        write_file(daemon.log_dir() + "/secret.html", "secret");
        fs::create_symlink("/etc/hostname", daemon.log_dir() + "/chair-05/link.html");
        for (const std::string& bad : std::vector<std::string>{
                 "/reports/chair-05/" + session + ".jsonl",
                 "/reports/chair-05/" + session + ".summary", "/reports/chair-05/../secret",
                 "/reports/../secret", "/reports/chair-05/..%2F..%2Fsecret",
                 "/reports/chair-05/%2e%2e/secret", "/reports/chair-05/link", "/reports/chair-05",
                 "/reports/chair-05/", "/reports/.chair-05/x",
                 "/reports/chair-05/" + session + "/x", "/reports//etc/passwd"}) {
            const auto b = http_request(port, "GET", bad, "", bearer());
            CHECK_MESSAGE(b.status == 404, bad);
            CHECK(b.body.find("secret") == std::string::npos);
        }
    }
}
