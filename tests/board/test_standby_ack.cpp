// A standby pair and the board (docs/high-availability.md): what a nurse does on the active's
// board is kept when the standby takes over after a kill -9 of the active. An acknowledgement
// the standby takes from the active's published alert; a session action (start, dose, limit
// change, out of service) the active sends it on the group's actions topic.
#include <doctest/doctest.h>
#include <signal.h>

#include "board_fixture.hpp"
#include "http_json.hpp"
#include "standby_pair.hpp"

using namespace chairwatch::it;

namespace {

// The standby's own view of alarm `id` (its board answers reads), or an empty object.
boost::json::object standby_alarm(int port, const Headers& as, const std::string& id) {
    const auto answer = parse(http_request(port, "GET", "/api/alarms", "", as));
    if (!answer.is_object()) return {};
    return item_of(answer, "alarms", "alert_id", id);
}

// The standby's own view of a chair (its board answers reads), or an empty object.
boost::json::object standby_chair(int port, const Headers& as, const std::string& chair) {
    const auto answer = parse(http_request(port, "GET", "/api/chairs", "", as));
    if (!answer.is_object()) return {};
    return item_of(answer, "chairs", "chair", chair);
}

std::string text_at(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The value of `rule` tier 1 in a chair's limits, and whether it was changed; -1 if not listed.
std::pair<double, bool> tier1_limit(const boost::json::object& chair, const char* rule) {
    const auto* limits = chair.if_contains("limits");
    if (!limits || !limits->is_array()) return {-1, false};
    for (const auto& l : limits->as_array()) {
        const auto& o = l.as_object();
        if (o.at("rule") == rule && o.at("tier") == 1)
            return {o.at("value").to_number<double>(), o.at("changed").as_bool()};
    }
    return {-1, false};
}

// Two instances of group "ward" with the board's accounts, a nurse's MQTT client and a chair's;
// started with `a` active and `b` its standby.
struct BoardPair {
    explicit BoardPair(const std::string& name)
        : a(broker, config("a"), name + "-a"), b(broker, config("b"), name + "-b") {
        a.watch_status("clinic/_group/ward/a/status");
        b.watch_status("clinic/_group/ward/b/status");
        nurse.subscribe("clinic/+/alerts");
        nurse.subscribe("clinic/+/alarms");
        nurse.subscribe("clinic/chairwatchd/status");
        a.start();
        REQUIRE(nurse.wait_for([](const Message& m) {
            return m.topic == "clinic/chairwatchd/status" && field(m, "instance") == "a" &&
                   field(m, "role") == "active";
        }));
        b.start();
    }
    std::string config(const char* instance) const {
        return standby_pair_config("ward", instance, 2, nobody_listens) +
               "http:\n  users_file: " + users + "\n";
    }
    // kill -9 of the active; the standby says it is active.
    void take_over() {
        a.kill(SIGKILL);
        REQUIRE(a.wait(5s) >= 0);
        REQUIRE(nurse.wait_for(
            [](const Message& m) {
                return m.topic == "clinic/chairwatchd/status" && field(m, "instance") == "b" &&
                       field(m, "role") == "active" && field(m, "state") == "online";
            },
            20s));
    }

    Broker broker;
    std::string users = write_users();
    int nobody_listens = free_port();  // pages are not what these tests are about
    Daemon a, b;
    Client nurse{broker.uri()};
    Client chair{broker.uri()};
};

}  // namespace

TEST_SUITE("board_standby") {
    TEST_CASE("an acknowledgement on the active's board is kept when the standby takes over") {
        BoardPair pair("ack");
        auto &a = pair.a, &b = pair.b;
        auto &nurse = pair.nurse, &chair = pair.chair;

        chair.publish("clinic/chair-1/session",
                      R"({"action":"start","session_id":"IV-1","profile":"pair"})");
        chair.publish("clinic/chair-1/vitals/hr", "160");  // hr_high: HIGH, latching
        const auto raised = nurse.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-1/alerts" && field(m, "state") == "raised";
        });
        REQUIRE(raised);
        const auto id = field(*raised, "alert_id");

        const auto as_a = person(a.http_port(), nurse_name, nurse_password);
        const auto as_b = person(b.http_port(), nurse_name, nurse_password);
        REQUIRE(!as_a.empty());
        REQUIRE(!as_b.empty());
        CHECK(standby_alarm(b.http_port(), as_b, id)["acknowledged"] == false);
        const auto acked = http_request(a.http_port(), "POST", "/api/alarms/" + id + "/ack",
                                        R"({"action_taken":"recheck ordered"})", as_a);
        REQUIRE_MESSAGE(acked.status == 200, acked.body);
        // The standby takes it from the active's alert, with who acknowledged and what was done.
        CHECK(eventually(
            [&] { return standby_alarm(b.http_port(), as_b, id)["acknowledged"] == true; }));
        const auto seen = standby_alarm(b.http_port(), as_b, id);
        CHECK(seen.contains("acknowledged_by"));
        if (seen.contains("acknowledged_by")) CHECK(seen.at("acknowledged_by") == nurse_name);

        pair.take_over();
        // The new active's list has the alarm acknowledged, and it raises it again nowhere.
        CHECK(eventually([&] {
            const auto lists = nurse.messages("clinic/chair-1/alarms");
            return !lists.empty() &&
                   lists.back().payload.find("\"acknowledged\":true") != std::string::npos;
        }));
        int raised_again = 0;
        for (const auto& m : nurse.messages("clinic/chair-1/alerts"))
            raised_again += field(m, "alert_id") == id && field(m, "state") == "raised";
        CHECK(raised_again == 1);  // the first time only
    }

    TEST_CASE("session actions on the active's board reach the standby and survive a take-over") {
        BoardPair pair("act");
        auto &a = pair.a, &b = pair.b;
        auto &nurse = pair.nurse, &chair = pair.chair;

        const auto as_a = person(a.http_port(), nurse_name, nurse_password);
        const auto admin_a = person(a.http_port(), admin_name, admin_password);
        const auto as_b = person(b.http_port(), nurse_name, nurse_password);
        REQUIRE(!as_a.empty());
        REQUIRE(!admin_a.empty());
        REQUIRE(!as_b.empty());
        const auto act = [&](const Headers& who, const std::string& at, const std::string& body) {
            const auto r =
                http_request(a.http_port(), "POST", "/api/chairs/" + at + "/session", body, who);
            INFO(body);
            CHECK_MESSAGE(r.status == 200, r.body);
            const auto v = parse(r);
            return v.is_object() ? text_at(v.as_object(), "session_id") : std::string();
        };
        // No session id asked for: the active makes one from its clock, and the standby must
        // hold the session under that id.
        const auto sid = act(as_a, "chair-1", R"({"action":"start","profile":"pair"})");
        REQUIRE(!sid.empty());
        chair.publish("clinic/chair-1/vitals/bp", R"({"sbp":120,"dbp":80})");
        chair.publish("clinic/chair-1/vitals/hr", "80");
        CHECK(eventually([&] {
            const auto c = standby_chair(b.http_port(), as_b, "chair-1");
            return text_at(c, "session_id") == sid;
        }));
        act(as_a, "chair-1", R"({"action":"dose_start"})");
        act(as_a, "chair-1",
            R"({"action":"limit_change","rule":"hr_high","tier":1,"value":160,"reason":"known tachycardia"})");
        act(admin_a, "chair-2", R"({"action":"out_of_service","reason":"cuff broken"})");
        CHECK(eventually([&] {
            const auto c = standby_chair(b.http_port(), as_b, "chair-1");
            return text_at(c, "phase") == "dosing" && tier1_limit(c, "hr_high").second;
        }));
        const auto seen = standby_chair(b.http_port(), as_b, "chair-1");
        CHECK(text_at(seen, "session_id") == sid);
        CHECK(text_at(seen, "profile") == "pair");
        CHECK(seen.at("implicit") == false);
        CHECK(tier1_limit(seen, "hr_high").first == 160);
        CHECK(eventually([&] {
            return standby_chair(b.http_port(), as_b, "chair-2").contains("out_of_service");
        }));

        pair.take_over();
        // The new active judges with the changed limit: 155 is below it, 165 above it.
        chair.publish("clinic/chair-1/vitals/hr", "155");
        chair.publish("clinic/chair-1/vitals/hr", "165");
        const auto raised = nurse.wait_for([](const Message& m) {
            return m.topic == "clinic/chair-1/alerts" && field(m, "state") == "raised";
        });
        REQUIRE(raised);
        CHECK(field(*raised, "alert_id") == "chair-1:" + sid + ":a1");
        CHECK(std::stod(field(*raised, "value")) == 165);
        const auto after = standby_chair(b.http_port(), as_b, "chair-1");
        CHECK(text_at(after, "phase") == "dosing");
        CHECK(standby_chair(b.http_port(), as_b, "chair-2").contains("out_of_service"));
    }
}
