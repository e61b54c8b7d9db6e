// A standby pair and the board: an acknowledgement made on the active's board never reaches the
// standby as a message of its own; the standby takes it from the active's published alert, so a
// kill -9 of the active right after keeps it (docs/high-availability.md).
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

}  // namespace

TEST_SUITE("board_standby") {
    TEST_CASE("an acknowledgement on the active's board is kept when the standby takes over") {
        Broker broker;
        const auto users = write_users();
        const int nobody_listens = free_port();  // pages are not what this test is about
        const auto config = [&](const char* instance) {
            return standby_pair_config("ward", instance, 2, nobody_listens) +
                   "http:\n  users_file: " + users + "\n";
        };
        Daemon a(broker, config("a"), "ack-a");
        Daemon b(broker, config("b"), "ack-b");
        a.watch_status("clinic/_group/ward/a/status");
        b.watch_status("clinic/_group/ward/b/status");
        Client nurse(broker.uri());
        nurse.subscribe("clinic/+/alerts");
        nurse.subscribe("clinic/+/alarms");
        nurse.subscribe("clinic/chairwatchd/status");
        Client chair(broker.uri());
        a.start();
        REQUIRE(nurse.wait_for([](const Message& m) {
            return m.topic == "clinic/chairwatchd/status" && field(m, "instance") == "a" &&
                   field(m, "role") == "active";
        }));
        b.start();

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

        a.kill(SIGKILL);
        REQUIRE(a.wait(5s) >= 0);
        REQUIRE(nurse.wait_for(
            [](const Message& m) {
                return m.topic == "clinic/chairwatchd/status" && field(m, "instance") == "b" &&
                       field(m, "role") == "active" && field(m, "state") == "online";
            },
            20s));
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
}
