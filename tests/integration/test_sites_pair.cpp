// A standby pair of one site (docs/high-availability.md, "Many sites"): both instances make the
// same site-carrying ids, so a take-over after kill -9 keeps every listed alarm's id, the new
// active's alarms go on with the next number, the pages' idempotency keys carry the site, and a
// restart recovers the same ids from the session log.
#include <doctest/doctest.h>
#include <signal.h>

#include <set>

#include "harness.hpp"
#include "standby_pair.hpp"

using namespace chairwatch::it;

namespace {

const std::string receivers_dir = CHAIRWATCH_SOURCE_DIR "/tests/notify/";

std::string sited(const std::string& instance, int web_port) {
    return standby_pair_config("north-pair", instance, 2, web_port) + "site: {id: north}\n";
}

// Whether the latest retained alarm list of chair-1 holds `id`.
bool listed(const Client& nurse, const std::string& id) {
    const auto lists = nurse.messages("clinic/chair-1/alarms");
    return !lists.empty() && lists.back().payload.find("\"" + id + "\"") != std::string::npos;
}

}  // namespace

TEST_CASE(
    "a site's standby pair: kill -9 of the active keeps the site's ids, and so does a restart") {
    Broker broker;
    const auto dir = temp_dir("site-pair");
    const int web_port = free_port();
    const auto record = dir + "/paged.jsonl";
    Process web({CHAIRWATCH_TEST_PYTHON, receivers_dir + "webhook_receiver.py", "--port",
                 std::to_string(web_port), "--record", record},
                dir + "/webhook.log");
    REQUIRE(eventually([&] { return accepts(web_port); }, 15s));
    Daemon a(broker, sited("a", web_port), "site-pair-a");
    Daemon b(broker, sited("b", web_port), "site-pair-b");
    a.watch_status("clinic/_group/north-pair/a/status");
    b.watch_status("clinic/_group/north-pair/b/status");
    Client nurse(broker.uri());
    Client chair(broker.uri());
    for (const auto* f : {"clinic/+/alerts", "clinic/+/alarms", "clinic/chairwatchd/north/status"})
        nurse.subscribe(f);
    const auto active_is = [&](const std::string& instance) {
        return nurse
            .wait_for(
                [&](const Message& m) {
                    return m.topic == "clinic/chairwatchd/north/status" &&
                           field(m, "instance") == instance && field(m, "role") == "active";
                },
                15s)
            .has_value();
    };
    const auto alert = [&](const std::string& id, const std::string& state) {
        return nurse.wait_for(
            [&](const Message& m) {
                return m.topic == "clinic/chair-1/alerts" && field(m, "alert_id") == id &&
                       field(m, "state") == state;
            },
            20s);
    };
    a.start();
    REQUIRE(active_is("a"));
    b.start();

    chair.publish("clinic/chair-1/session",
                  R"({"action":"start","session_id":"IV-1","profile":"pair"})");
    chair.publish("clinic/chair-1/vitals/bp", R"({"sbp":120,"dbp":80})");
    chair.publish("clinic/chair-1/vitals/hr", "70");
    chair.publish("clinic/chair-1/session", R"({"action":"dose_start"})");
    chair.publish("clinic/chair-1/vitals/bp", R"({"sbp":185,"dbp":100})");
    const std::string a1 = "north:chair-1:IV-1:a1";
    REQUIRE(alert(a1, "raised"));
    chair.publish("clinic/chair-1/alerts/ack", R"({"alert_id":")" + a1 + R"(","by":"nurse-4"})");
    REQUIRE(alert(a1, "acknowledged"));

    a.kill(SIGKILL);
    REQUIRE(a.wait(5s) >= 0);
    chair.publish("clinic/chair-1/vitals/hr", "160");
    const std::string a2 = "north:chair-1:IV-1:a2";
    REQUIRE_MESSAGE(alert(a2, "raised"), b.output());
    CHECK(active_is("b"));
    CHECK(eventually([&] { return listed(nurse, a1) && listed(nurse, a2); }));
    for (const auto* what : {"north:chair-1:IV-1:a1/raised", "north:chair-1:IV-1:a1/acknowledged",
                             "north:chair-1:IV-1:a2/raised"})
        CHECK_MESSAGE(eventually([&] { return paged_keys(record).contains(what); }), what);
    for (const auto& [what, keys] : paged_keys(record)) {
        CHECK_MESSAGE(what.rfind("north:", 0) == 0, what);
        CHECK_MESSAGE(std::set<std::string>(keys.begin(), keys.end()).size() == 1, what);
    }

    // b alone, killed and restarted: its log gives back the session with the same ids.
    b.kill(SIGKILL);
    REQUIRE(b.wait(5s) >= 0);
    nurse.clear();
    b.start();
    REQUIRE(active_is("b"));
    CHECK(eventually([&] { return listed(nurse, a1) && listed(nurse, a2); }));
    chair.publish("clinic/chair-1/vitals/hr", "70");
    chair.publish("clinic/chair-1/vitals/hr", "70");
    CHECK(alert(a2, "cleared"));
}
