// Running a session and handling its alarms from the board, against the real chairwatchd and
// a real mosquitto: each board action takes the path of its MQTT message, so both leave the
// same session log, the same results and the same alerts.
#include <doctest/doctest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <sstream>

#include "board_fixture.hpp"

using namespace chairwatch::it;
namespace json = boost::json;

namespace {

const std::string start_fields =
    R"("profile":"iv-ketamine","route":"iv","weight_kg":72,"dose_mg_per_kg":0.5,)"
    R"("planned_duration_min":40,"patient_ref":"P-7f3a","age_65_plus":true,)"
    R"("hypertension":false,"session_number":2,"devices":2)";

// The session log's lines without what names the chair, the session or the moment, and
// without the feed alarms (the chairs send no readings; on a slow machine one chair's 10 s of
// silence may run out before the other's).
std::vector<std::string> log_story(const std::string& path) {
    std::vector<std::string> out;
    std::istringstream lines(read_file(path));
    for (std::string line; std::getline(lines, line);) {
        auto v = json::parse(line).as_object();
        if (v.contains("feed") && v.at("feed") == true) continue;
        for (const char* volatile_key : {"ts", "rx", "onset", "acknowledged_at", "chair",
                                         "session_id", "alert_id", "text", "seq", "since", "until"})
            v.erase(volatile_key);
        out.push_back(json::serialize(v));
    }
    return out;
}

bool ended(const std::string& path) {
    return read_file(path).find(R"("type":"session_end")") != std::string::npos;
}

// A broker, chairwatchd with its board, a chair's monitor, and a nurse station that hears
// every chair's session results, alerts and alarm lists.
struct Rig {
    Broker broker;
    Daemon daemon{broker, board_config(write_token())};
    Client monitor{broker.uri()};
    Client station{broker.uri()};
    int port{0};
    Headers nurse;  // nurse-7's login: the headers of a change from her page
    Rig() {
        daemon.start();
        port = daemon.http_port();
        nurse = person(port, nurse_name, nurse_password);
        REQUIRE(!nurse.empty());
        for (const char* topic :
             {"clinic/+/session/result", "clinic/+/alerts/#", "clinic/+/alarms"})
            station.subscribe(topic);
    }
};

// A session message from nurse-7's page.
HttpResult post_session(const Rig& rig, const std::string& chair, const std::string& body) {
    return http_request(rig.port, "POST", "/api/chairs/" + chair + "/session", body, rig.nurse);
}

// The station token's headers with a JSON body (a wall display: read-only).
Headers with_json(Headers h) {
    h.emplace_back("Content-Type", "application/json");
    return h;
}

// nurse-7's headers without one of them.
Headers without(Headers h, const std::string& name) {
    std::erase_if(h, [&](const auto& kv) { return kv.first == name; });
    return h;
}

}  // namespace

TEST_SUITE("board_actions") {
    TEST_CASE("a session run from the board leaves the log an MQTT-run session leaves") {
        Rig rig;
        auto& station = rig.station;

        const std::vector<std::pair<std::string, std::string>> steps{
            {"start", R"({"action":"start","session_id":"S-ID",)" + start_fields + "}"},
            {"dose_start", R"({"action":"dose_start"})"},
            {"pause_feeds",
             R"({"action":"pause_feeds","minutes":5,"reason":"bathroom break","by":"nurse-7"})"},
            {"resume_feeds", R"({"action":"resume_feeds","by":"nurse-7"})"},
            {"limit_change", R"({"action":"limit_change","rule":"sbp_high","tier":3,"value":190,)"
                             R"("reason":"baseline 176/94","by":"nurse-7"})"},
            {"observation",
             R"({"action":"observation","kind":"sedation","value":"none","by":"nurse-7"})"},
            {"dose_end", R"({"action":"dose_end"})"},
            {"end", R"({"action":"end"})"},
        };
        for (const auto& [action, payload] : steps) {
            auto mqtt_payload = payload, board_payload = payload;
            if (action == "start") {
                mqtt_payload.replace(mqtt_payload.find("S-ID"), 4, "MQ-1");
                board_payload.replace(board_payload.find("S-ID"), 4, "BD-1");
            }
            station.publish("clinic/chair-10/session", mqtt_payload);
            auto mqtt = station.wait_for([&](const Message& m) {
                return m.topic == "clinic/chair-10/session/result" && field(m, "action") == action;
            });
            REQUIRE(mqtt);
            CHECK(field(*mqtt, "ok") == "true");

            const auto r = post_session(rig, "chair-11", board_payload);
            CHECK_MESSAGE(r.status == 200, action, ": ", r.body);
            const auto body = json::parse(r.body).as_object();
            CHECK(body.at("ok") == true);
            CHECK(body.at("action") == action.c_str());
            if (action != "end") CHECK(body.at("session_id") == "BD-1");
            // The same result is published, as for the MQTT message.
            auto board = station.wait_for([&](const Message& m) {
                return m.topic == "clinic/chair-11/session/result" && field(m, "action") == action;
            });
            REQUIRE(board);
            CHECK(field(*board, "ok") == "true");
        }
        const auto mqtt_log = rig.daemon.log_dir() + "/chair-10/MQ-1.jsonl";
        const auto board_log = rig.daemon.log_dir() + "/chair-11/BD-1.jsonl";
        REQUIRE(eventually([&] { return ended(mqtt_log) && ended(board_log); }));
        const auto story = log_story(board_log);
        CHECK(story == log_story(mqtt_log));
        const auto text = read_file(board_log);
        for (const char* part :
             {R"("patient_ref":"P-7f3a")", R"("weight_kg":72)", R"("age_65_plus":true)",
              R"("session_number":2)", R"("phase":"dosing")", R"("phase":"observation")",
              R"("kind":"sedation")", R"("reason":"end")", R"("type":"feed_pause","ts")",
              R"("reason":"bathroom break")", R"("cause":"resumed","ended_by":"nurse-7")",
              R"("type":"limit_change")",
              R"("condition":"sbp_high","tier":3,"from":180,"to":190,"reason":"baseline 176/94")"})
            CHECK_MESSAGE(text.find(part) != std::string::npos, part);
        CHECK(rig.daemon.output().find("P-7f3a") == std::string::npos);
        // The reason is the nurse's text: the session log has it, the daemon log never.
        CHECK(rig.daemon.output().find("limit of sbp_high tier 3 changed from 180 to 190") !=
              std::string::npos);
        CHECK(rig.daemon.output().find("baseline 176/94") == std::string::npos);
    }

    TEST_CASE("session actions the board refuses: as over MQTT, with an HTTP status") {
        Rig rig;
        auto& station = rig.station;
        const int port = rig.port;

        struct Bad {
            std::string chair, body;
            Headers headers;
            int status;
            const char* says;
        };
        const std::vector<Bad> bad{
            {"chair-20", R"({"action":"dose_end"})", rig.nurse, 409, "no session is open"},
            {"chair-20", "not json", rig.nurse, 400, "invalid JSON"},
            {"chair-20", R"({"action":"fly"})", rig.nurse, 400, "action"},
            {"chair-20", R"({"action":"pause_feeds","minutes":5,"by":"rn"})", rig.nurse, 400,
             "reason is missing"},
            {"chair-20", R"({"action":"start","profile":"nope"})", rig.nurse, 400,
             "unknown profile 'nope'"},
            {"chair-20", R"({"action":"start","weight_kg":900})", rig.nurse, 400,
             "weight_kg must be a number from 1 to 400"},
            {"chair-20",
             R"({"action":"end"})",
             {{"Content-Type", "application/json"}},
             401,
             "a person's login"},
            {"chair-20", R"({"action":"end"})", with_json(bearer()), 401, "a person's login"},
            {"chair-20", R"({"action":"end"})", without(rig.nurse, "Content-Type"), 415,
             "application/json"},
            {"chairwatchd", R"({"action":"end"})", rig.nurse, 404, "chair id"},
            {"bad%2Fchair", R"({"action":"end"})", rig.nurse, 404, "chair id"},
        };
        for (const auto& b : bad) {
            const auto r = http_request(port, "POST", "/api/chairs/" + b.chair + "/session", b.body,
                                        b.headers);
            CHECK_MESSAGE(r.status == b.status, b.body, " -> ", r.status, " ", r.body);
            CHECK_MESSAGE(r.body.find(b.says) != std::string::npos, r.body);
        }
        CHECK(http_request(port, "GET", "/api/chairs/chair-20/session", "", bearer()).status ==
              405);
        // What reached the session path is answered on the result topic as well; nothing else.
        const auto results = [&] { return station.messages("clinic/chair-20/session/result"); };
        REQUIRE(eventually([&] { return results().size() == 6; }));
        for (const auto& m : results())
            CHECK(field(m, "ok") == "false");
        // Once a session is open, dose_end before dose_start is the wrong phase.
        CHECK(post_session(rig, "chair-20", R"({"action":"start"})").status == 200);
        const auto r = post_session(rig, "chair-20", R"({"action":"dose_end"})");
        CHECK(r.status == 409);
        CHECK(r.body.find("not possible in the session's current phase") != std::string::npos);
        // A feed pause longer than sessions.max_feed_pause_s (15 min), or a resume of none.
        const auto long_pause = post_session(
            rig, "chair-20", R"({"action":"pause_feeds","minutes":16,"reason":"x","by":"rn"})");
        CHECK(long_pause.status == 400);
        CHECK(long_pause.body.find("at most sessions.max_feed_pause_s") != std::string::npos);
        CHECK(post_session(rig, "chair-20", R"({"action":"resume_feeds","by":"rn"})").status ==
              409);
    }

    TEST_CASE("an acknowledgement records the action taken, over MQTT and on the board") {
        Rig rig;
        auto& nurse = rig.station;
        const int port = rig.port;

        const auto info = json::parse(http_request(port, "GET", "/api/session", "", bearer()).body);
        const auto& actions = info.at("ack_actions").as_array();
        REQUIRE(actions.size() == 5);
        CHECK(actions[0] == "recheck ordered");
        CHECK(actions[4] == "physician called");

        REQUIRE(post_session(rig, "chair-12",
                             R"({"action":"start","session_id":"ACK-1",)" + start_fields + "}")
                    .status == 200);
        const auto sbp = surge(rig.monitor, nurse, "chair-12");

        // Over MQTT: an action off the pick list is refused and changes nothing.
        nurse.clear();
        rig.monitor.publish("clinic/chair-12/alerts/ack",
                            R"({"alert_id":")" + sbp + R"(","by":"rn-2","action_taken":"dance"})");
        auto refused = nurse.wait_for(
            [](const Message& m) { return m.topic == "clinic/chair-12/alerts/ack/result"; });
        REQUIRE(refused);
        CHECK(field(*refused, "ok") == "false");
        CHECK(field(*refused, "error")
                  .find("action_taken 'dance' is not one of recheck "
                        "ordered") == 0);
        for (const auto& m : nurse.messages("clinic/chair-12/alerts"))  // nothing acknowledged
            CHECK_MESSAGE(field(m, "state") != "acknowledged", m.payload);
        rig.monitor.publish("clinic/chair-12/alerts/ack",
                            R"({"alert_id":")" + sbp +
                                R"(","by":"rn-2","action_taken":"infusion slowed",)"
                                R"("action_note":"rate halved, recheck in 5 min"})");
        auto acked = nurse.wait_for(
            [](const Message& m) { return is_alert(m, "chair-12", "sbp_high", "acknowledged"); });
        REQUIRE(acked);
        CHECK(field(*acked, "action_taken") == "infusion slowed");
        CHECK(field(*acked, "action_note") == "rate halved, recheck in 5 min");

        // On the board: the DBP alarm of the same surge, with an action and a note.
        std::string dbp;
        const auto listed =
            json::parse(http_request(port, "GET", "/api/alarms", "", bearer()).body);
        for (const auto& a : listed.at("alarms").as_array())
            if (a.at("chair") == "chair-12" && a.at("condition") == "dbp_high")
                dbp = json::value_to<std::string>(a.at("alert_id"));
        REQUIRE(!dbp.empty());
        const auto target = "/api/alarms/" + dbp + "/ack";
        auto bad = http_request(port, "POST", target, R"({"action_taken":7})", rig.nurse);
        CHECK(bad.status == 400);
        CHECK(bad.body.find("action_taken must be a string") != std::string::npos);
        bad = http_request(port, "POST", target, R"({"action_taken":"nap"})", rig.nurse);
        CHECK(bad.status == 400);
        CHECK(bad.body.find("is not one of") != std::string::npos);
        const auto ok = http_request(
            port, "POST", target,
            R"({"action_taken":"physician called","action_note":"Dr Oduya aware"})", rig.nurse);
        CHECK_MESSAGE(ok.status == 200, ok.body);
        auto board_acked = nurse.wait_for(
            [](const Message& m) { return is_alert(m, "chair-12", "dbp_high", "acknowledged"); });
        REQUIRE(board_acked);
        CHECK(field(*board_acked, "action_taken") == "physician called");

        // The session log, the record and the report have both.
        REQUIRE(post_session(rig, "chair-12", R"({"action":"end"})").status == 200);
        const auto dir = rig.daemon.log_dir() + "/chair-12/";
        REQUIRE(eventually([&] { return !read_file(dir + "ACK-1.html").empty(); }));
        const auto log = read_file(dir + "ACK-1.jsonl");
        for (const char* part :
             {R"("action_taken":"infusion slowed","action_note":"rate halved, recheck in 5 min")",
              R"("action_taken":"physician called","action_note":"Dr Oduya aware")"})
            CHECK_MESSAGE(log.find(part) != std::string::npos, part);
        const auto summary = read_file(dir + "ACK-1.summary.json");
        CHECK(summary.find(R"("action_taken":"infusion slowed")") != std::string::npos);
        const auto html = read_file(dir + "ACK-1.html");
        CHECK(html.find("infusion slowed: rate halved, recheck in 5 min") != std::string::npos);
        CHECK(html.find("physician called: Dr Oduya aware") != std::string::npos);
        // Clinical free text stays out of the service log.
        CHECK(rig.daemon.output().find("rate halved") == std::string::npos);
    }
    TEST_CASE(
        "a limit change: within its bounds, on the tile, refused precisely, kept across a "
        "restart, gone with the session") {
        Rig rig;
        auto& station = rig.station;
        const auto limit = [&](const char* chair, const char* rule, int tier) -> json::object {
            const auto all =
                json::parse(http_request(rig.port, "GET", "/api/chairs", "", bearer()).body);
            for (const auto& c : all.at("chairs").as_array()) {
                if (c.at("chair") != chair || !c.as_object().contains("limits")) continue;
                for (const auto& l : c.at("limits").as_array())
                    if (l.at("rule") == rule && l.at("tier") == tier) return l.as_object();
            }
            return {};
        };
        const auto change = [](const std::string& rest) {
            return R"({"action":"limit_change",)" + rest + "}";
        };
        // No session yet: 409, as over MQTT.
        auto r = post_session(rig, "chair-40",
                              change(R"("rule":"sbp_high","tier":3,"value":190,"reason":"x")"));
        CHECK(r.status == 409);
        CHECK(r.body.find("no session is open") != std::string::npos);
        REQUIRE(station.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-40/session/result" &&
                   field(m, "action") == "limit_change" && field(m, "ok") == "false";
        }));
        station.clear();
        REQUIRE(
            post_session(rig, "chair-40", R"({"action":"start","session_id":"LIM-1"})").status ==
            200);
        auto sbp = limit("chair-40", "sbp_high", 3);
        REQUIRE_FALSE(sbp.empty());
        CHECK(sbp.at("value").to_number<double>() == 180);
        CHECK(sbp.at("min").to_number<double>() == 170);
        CHECK(sbp.at("max").to_number<double>() == 200);
        CHECK(sbp.at("priority") == "high");
        CHECK(sbp.at("changed") == false);

        struct Bad {
            std::string body;
            const char* says;
        };
        const std::vector<Bad> bad{
            {change(R"("rule":"sbp_high","tier":3,"value":205,"reason":"x")"),
             "the new limit is outside the limit's bounds (170 to 200)"},
            {change(R"("rule":"hr_low","tier":1,"value":40,"reason":"x")"),
             "no changeable limit of that rule and tier ('hr_low' tier 1)"},
            {change(R"("rule":"sbp_high","tier":3,"value":190)"), "reason is missing"},
        };
        for (const auto& b : bad) {
            r = post_session(rig, "chair-40", b.body);
            CHECK_MESSAGE(r.status == 400, b.body, " -> ", r.body);
            CHECK_MESSAGE(r.body.find(b.says) != std::string::npos, r.body);
        }
        REQUIRE(eventually([&] {
            std::size_t refused = 0;
            for (const auto& m : station.messages("clinic/chair-40/session/result"))
                refused += field(m, "action") != "start" && field(m, "ok") == "false";
            return refused == 3;
        }));
        CHECK(rig.daemon.metric("chairwatch_control_errors_total") >= 4);
        CHECK(limit("chair-40", "sbp_high", 3).at("changed") == false);

        // The board's change (its by: the login), then one over MQTT.
        r = post_session(rig, "chair-40",
                         change(R"("rule":"sbp_high","tier":3,"value":190,)"
                                R"("reason":"baseline 176/94","by":"someone")"));
        CHECK_MESSAGE(r.status == 200, r.body);
        station.publish(
            "clinic/chair-40/session",
            change(R"("rule":"hr_high","tier":1,"value":105,"reason":"r","by":"rn-kim")"));
        REQUIRE(eventually([&] { return limit("chair-40", "hr_high", 1).at("changed") == true; }));
        sbp = limit("chair-40", "sbp_high", 3);
        CHECK(sbp.at("value").to_number<double>() == 190);
        CHECK(sbp.at("changed") == true);
        const auto log = rig.daemon.log_dir() + "/chair-40/LIM-1.jsonl";
        CHECK(read_file(log).find(R"("to":190,"reason":"baseline 176/94","by":"nurse-7")") !=
              std::string::npos);

        // A restart: recovery replays the changes.
        rig.daemon.kill(SIGTERM);
        REQUIRE(rig.daemon.wait(15s) == 0);
        rig.daemon.start();
        rig.port = rig.daemon.http_port();
        CHECK(limit("chair-40", "sbp_high", 3).at("value").to_number<double>() == 190);
        CHECK(limit("chair-40", "hr_high", 1).at("value").to_number<double>() == 105);

        // The session's end ends them; the next session has the configured limits.
        rig.nurse = person(rig.port, nurse_name, nurse_password);
        REQUIRE(post_session(rig, "chair-40", R"({"action":"end"})").status == 200);
        REQUIRE(
            post_session(rig, "chair-40", R"({"action":"start","session_id":"LIM-2"})").status ==
            200);
        sbp = limit("chair-40", "sbp_high", 3);
        CHECK(sbp.at("value").to_number<double>() == 180);
        CHECK(sbp.at("changed") == false);
    }

    TEST_CASE("a chair out of service: admin only, readings ignored, kept across a restart") {
        Rig rig;
        auto& station = rig.station;
        const auto admin = person(rig.port, admin_name, admin_password);
        REQUIRE(!admin.empty());
        const auto as_admin = [&](const std::string& body) {
            return http_request(rig.port, "POST", "/api/chairs/chair-30/session", body, admin);
        };
        const std::string oos = R"({"action":"out_of_service","reason":"deep clean","by":"x"})";

        // A nurse may not; nothing reaches the session path, so nothing is published.
        const auto refused = post_session(rig, "chair-30", oos);
        CHECK(refused.status == 403);
        CHECK(refused.body.find("needs admin") != std::string::npos);
        // Refused while a session is open (409), and the result topic says so.
        REQUIRE(post_session(rig, "chair-30", R"({"action":"start"})").status == 200);
        const auto busy = as_admin(oos);
        CHECK(busy.status == 409);
        CHECK(busy.body.find("open session") != std::string::npos);
        // Its refusal on the result topic arrives before the station forgets what it heard.
        REQUIRE(station.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-30/session/result" &&
                   field(m, "action") == "out_of_service" && field(m, "ok") == "false";
        }));
        REQUIRE(post_session(rig, "chair-30", R"({"action":"end"})").status == 200);
        station.clear();
        const auto ok = as_admin(oos);
        CHECK_MESSAGE(ok.status == 200, ok.body);
        auto result = station.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-30/session/result" &&
                   field(m, "action") == "out_of_service";
        });
        REQUIRE(result);
        CHECK(field(*result, "ok") == "true");

        // Over MQTT: the same actions, the same result topic; a start is refused.
        station.clear();
        station.publish("clinic/chair-31/session",
                        R"({"action":"out_of_service","reason":"pump broken","by":"admin-2"})");
        result = station.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-31/session/result" &&
                   field(m, "action") == "out_of_service";
        });
        REQUIRE(result);
        CHECK(field(*result, "ok") == "true");
        station.publish("clinic/chair-31/session", R"({"action":"start"})");
        result = station.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-31/session/result" && field(m, "action") == "start";
        });
        REQUIRE(result);
        CHECK(field(*result, "error") == "the chair is out of service");

        // Its readings are counted and ignored: no session opens, no alert.
        const auto alerts_before = station.messages("clinic/chair-30/alerts").size();
        rig.monitor.publish("clinic/chair-30/vitals/hr", "200");
        REQUIRE(eventually([&] {
            return rig.daemon.metric(
                       R"(chairwatch_readings_rejected_total{reason="out_of_service"})") >= 1;
        }));
        CHECK(station.messages("clinic/chair-30/alerts").size() == alerts_before);
        const auto chairs = [&] {
            return json::parse(http_request(rig.port, "GET", "/api/chairs", "", bearer()).body);
        };
        const auto tile = [&](const json::value& all, const char* chair) -> json::object {
            for (const auto& c : all.at("chairs").as_array())
                if (c.at("chair") == chair) return c.as_object();
            return {};
        };
        auto c30 = tile(chairs(), "chair-30");
        CHECK(c30.at("in_session") == false);
        CHECK(c30.at("out_of_service").at("reason") == "deep clean");
        CHECK(c30.at("out_of_service").at("by") == admin_name);  // the login, not the body

        // A restart keeps both chairs out of service; the handover lists them.
        rig.daemon.kill(SIGTERM);
        REQUIRE(rig.daemon.wait(15s) == 0);
        rig.daemon.start();
        const auto admin2 = person(rig.port, admin_name, admin_password);
        REQUIRE(!admin2.empty());
        const auto handover =
            json::parse(http_request(rig.port, "GET", "/api/handover", "", bearer()).body);
        const auto& listed = handover.at("out_of_service").as_array();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].at("chair") == "chair-30");
        CHECK(listed[1].at("reason") == "pump broken");
        CHECK(tile(chairs(), "chair-31").at("out_of_service").at("by") == "admin-2");

        // Back in service: readings open a session again.
        const auto back = http_request(rig.port, "POST", "/api/chairs/chair-30/session",
                                       R"({"action":"in_service"})", admin2);
        CHECK_MESSAGE(back.status == 200, back.body);
        CHECK_FALSE(tile(chairs(), "chair-30").contains("out_of_service"));
        rig.monitor.publish("clinic/chair-30/vitals/hr", "72");
        CHECK(eventually([&] { return tile(chairs(), "chair-30").at("in_session") == true; }));
    }
}
