// A standby pair (docs/high-availability.md) through two real chairwatchd processes, a real
// broker and a real webhook receiver: kill -9 and SIGTERM of the active, the active's broker
// link cut (tcp_proxy.hpp), both restarted. Every time: the standby takes over within REFERENCE
// §8's 15 s, publishes what the active had not, keeps every listed alarm's id, state and onset
// and the acknowledgements, pages once per transition, and the status topic names it.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "standby_pair.hpp"
#include "tcp_proxy.hpp"

using namespace chairwatch::it;

namespace {

const std::string receivers_dir = CHAIRWATCH_SOURCE_DIR "/tests/notify/";

std::string str(const boost::json::value& v, const char* key) {
    const auto* o = v.if_object();
    const auto* f = o ? o->if_contains(key) : nullptr;
    if (!f) return "";
    return f->is_string() ? std::string(f->get_string()) : boost::json::serialize(*f);
}

// Two instances of group "ward" on one broker, a station, a chair monitor, a nurse's view of
// everything published, a webhook receiver.
struct Pair {
    Broker broker;
    std::string dir = temp_dir("pair");
    int web_port = free_port();
    std::string record = dir + "/paged.jsonl";
    Process web{{CHAIRWATCH_TEST_PYTHON, receivers_dir + "webhook_receiver.py", "--port",
                 std::to_string(web_port), "--record", record},
                dir + "/webhook.log"};
    Daemon a{broker, standby_pair_config("ward", "a", 2, web_port), "pair-a"};
    Daemon b{broker, standby_pair_config("ward", "b", 2, web_port), "pair-b"};
    Client nurse{broker.uri()};
    Client chair{broker.uri()};

    Pair() {
        REQUIRE(eventually([&] { return accepts(web_port); }, 15s));
        for (const auto* f : {"clinic/+/alerts", "clinic/+/alarms", "clinic/chairwatchd/status",
                              "clinic/_group/ward/#"})
            nurse.subscribe(f);
        a.watch_status("clinic/_group/ward/a/status");
        b.watch_status("clinic/_group/ward/b/status");
    }
    // Waits until the clinic's status names `instance` as active.
    bool active_is(const std::string& instance, std::chrono::milliseconds timeout = 15s) {
        return nurse
            .wait_for(
                [&](const Message& m) {
                    return m.topic == "clinic/chairwatchd/status" &&
                           field(m, "instance") == instance && field(m, "role") == "active" &&
                           field(m, "state") == "online";
                },
                timeout)
            .has_value();
    }
    void start_pair() {
        a.start();
        REQUIRE(active_is("a"));
        b.start();  // says "standby" on its status topic
    }
    void start_session() {
        chair.publish("clinic/chair-1/session",
                      R"({"action":"start","session_id":"IV-1","profile":"pair"})");
        chair.publish("clinic/chair-1/vitals/bp", R"({"sbp":120,"dbp":80})");
        chair.publish("clinic/chair-1/vitals/hr", "70");
        chair.publish("clinic/chair-1/session", R"({"action":"dose_start"})");
    }
    std::optional<Message> alert(const std::string& id, const std::string& state,
                                 std::chrono::milliseconds timeout = 10s) {
        return nurse.wait_for(
            [&](const Message& m) {
                return m.topic == "clinic/chair-1/alerts" && field(m, "alert_id") == id &&
                       field(m, "state") == state;
            },
            timeout);
    }
    // sbp_high raised as a1 and acknowledged, both published by the active.
    std::string raise_and_ack_a1() {
        chair.publish("clinic/chair-1/vitals/bp", R"({"sbp":185,"dbp":100})");
        const auto raised = alert("chair-1:IV-1:a1", "raised");
        REQUIRE(raised);
        chair.publish("clinic/chair-1/alerts/ack",
                      R"({"alert_id":"chair-1:IV-1:a1","by":"nurse-4"})");
        REQUIRE(alert("chair-1:IV-1:a1", "acknowledged"));
        return field(*raised, "onset");
    }
    // How often each alert_id/state was published on the chair's alerts topic.
    std::map<std::string, int> published() const {
        std::map<std::string, int> n;
        for (const auto& m : nurse.messages("clinic/chair-1/alerts"))
            ++n[field(m, "alert_id") + "/" + field(m, "state")];
        return n;
    }
    // The last retained list's alarm `id`, or null.
    boost::json::value listed(const std::string& id) const {
        const auto lists = nurse.messages("clinic/chair-1/alarms");
        if (lists.empty()) return nullptr;
        const auto v = lists.back().json();
        if (v.is_array())
            for (const auto& x : v.as_array())
                if (str(x, "alert_id") == id) return x;
        return nullptr;
    }
    // Every transition paged under one idempotency key (a receiver that keeps the keys takes it
    // once; a new active notifies recent transitions again under the old active's keys).
    void check_paged_once(const std::vector<std::string>& expected) {
        for (const auto& e : expected)
            CHECK_MESSAGE(eventually([&] { return paged_keys(record).contains(e); }), e);
        std::this_thread::sleep_for(1500ms);  // a second page would come within this
        for (const auto& [what, keys] : paged_keys(record)) {
            MESSAGE(what << " delivered " << keys.size() << " times");
            CHECK_MESSAGE(std::set<std::string>(keys.begin(), keys.end()).size() == 1,
                          what << " paged under " << keys.size() << " keys");
        }
    }
};

// Milliseconds since the epoch of "2026-12-07T15:15:39.123Z".
long long ms_of(const std::string& iso) {
    std::tm tm{};
    int ms = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<long long>(timegm(&tm)) * 1000 + ms;
}

// a1 listed by the new active with its id, acknowledgement and onset (to `skew_ms`: after both
// restarted, each has the onset of its own log), and a2.
void check_kept(Pair& p, const std::string& onset, long long skew_ms = 0) {
    const auto a1 = p.listed("chair-1:IV-1:a1");
    REQUIRE_MESSAGE(!a1.is_null(), "a1 is not in the new active's list");
    CHECK(std::llabs(ms_of(str(a1, "onset")) - ms_of(onset)) <= skew_ms);
    CHECK(str(a1, "acknowledged") == "true");
    CHECK(eventually([&] { return !p.listed("chair-1:IV-1:a2").is_null(); }));
}

}  // namespace

TEST_CASE("kill -9 of the active: the standby takes over within 15 s and loses nothing") {
    Pair p;
    p.start_pair();
    p.start_session();
    const auto onset = p.raise_and_ack_a1();
    // A nurse's limit change over MQTT: the standby takes it as the active does.
    p.chair.publish(
        "clinic/chair-1/session",
        R"({"action":"limit_change","rule":"hr_high","tier":1,"value":155,"reason":"r","by":"rn-4"})");
    const auto killed = Clock::now();
    p.a.kill(SIGKILL);
    REQUIRE(p.a.wait(5s) >= 0);
    p.chair.publish("clinic/chair-1/vitals/hr", "160");  // while nobody is active
    const auto a2 = p.alert("chair-1:IV-1:a2", "raised", 20s);
    REQUIRE_MESSAGE(a2, p.b.output());
    CHECK(std::stod(field(*a2, "limit")) == 155);  // the changed limit: in the standby's warm state
    const auto took = std::chrono::duration<double>(a2->at - killed).count();
    MESSAGE("kill -9 to the standby's first alert: " << took << " s");
    CHECK(took < 15.0);
    CHECK(p.active_is("b", 5s));
    check_kept(p, onset);
    for (const auto& [what, n] : p.published())
        CHECK_MESSAGE(n == 1, what << " published " << n << " times");
    p.check_paged_once(
        {"chair-1:IV-1:a1/raised", "chair-1:IV-1:a1/acknowledged", "chair-1:IV-1:a2/raised"});

    // The killed one comes back as the standby; the active stays.
    p.nurse.clear();
    p.a.start();
    std::this_thread::sleep_for(2500ms);
    for (const auto& m : p.nurse.messages("clinic/chairwatchd/status"))
        CHECK(field(m, "instance") == "b");
    CHECK(p.nurse.messages("clinic/_group/ward/leader").empty());

    // The new active's own log holds the whole session, and the report reads it.
    p.chair.publish("clinic/chair-1/session", R"({"action":"end"})");
    REQUIRE(p.nurse.wait_for(
        [](const Message& m) { return m.topic == "clinic/chair-1/alarms" && m.payload == "[]"; }));
    std::string log;
    for (const auto& e : std::filesystem::recursive_directory_iterator(p.b.log_dir()))
        if (e.path().extension() == ".jsonl") log = e.path();
    REQUIRE(!log.empty());
    std::string out;
    REQUIRE(run({CHAIRWATCH_BIN, "report", log, "--format", "json"}, out) == 0);
    CHECK(out.find("chair-1:IV-1:a1") != std::string::npos);
    CHECK(out.find("chair-1:IV-1:a2") != std::string::npos);
}

TEST_CASE("SIGTERM of the active: the standby takes over at once") {
    Pair p;
    p.start_pair();
    p.start_session();
    const auto onset = p.raise_and_ack_a1();
    const auto stopped = Clock::now();
    p.a.kill(SIGTERM);
    REQUIRE(p.active_is("b"));
    MESSAGE("SIGTERM of the active to the standby active: "
            << std::chrono::duration<double>(Clock::now() - stopped).count() << " s");
    CHECK(Clock::now() - stopped < 5s);
    REQUIRE(p.a.wait(10s) == 0);
    p.chair.publish("clinic/chair-1/vitals/hr", "160");
    REQUIRE(p.alert("chair-1:IV-1:a2", "raised"));
    check_kept(p, onset);
    for (const auto& [what, n] : p.published())
        CHECK_MESSAGE(n == 1, what << " published " << n << " times");
    p.check_paged_once(
        {"chair-1:IV-1:a1/raised", "chair-1:IV-1:a1/acknowledged", "chair-1:IV-1:a2/raised"});
}

TEST_CASE("the active's broker link cut: the standby takes over; back, the old one stands by") {
    Pair p;
    TcpProxy proxy(p.broker.port());
    p.a.use_broker_uri("tcp://127.0.0.1:" + std::to_string(proxy.port()));
    p.start_pair();
    p.start_session();
    const auto onset = p.raise_and_ack_a1();
    proxy.cut();  // the broker sees a's connections drop and sends its last will
    REQUIRE(p.active_is("b"));
    p.chair.publish("clinic/chair-1/vitals/hr", "160");  // both decide; only b can publish
    REQUIRE(p.alert("chair-1:IV-1:a2", "raised"));
    check_kept(p, onset);
    proxy.restore();
    // a comes back, learns of b's term and stands by (its buffered alerts may go out once more:
    // a duplicate, never a silence).
    REQUIRE(p.nurse.wait_for(
        [](const Message& m) {
            return m.topic == "clinic/_group/ward/a/status" && field(m, "role") == "standby" &&
                   field(m, "state") == "online";
        },
        15s));
    std::this_thread::sleep_for(1s);
    p.nurse.clear();
    p.chair.publish("clinic/chair-1/vitals/hr", "70");
    p.chair.publish("clinic/chair-1/vitals/hr", "70");
    REQUIRE(p.alert("chair-1:IV-1:a2", "cleared"));
    std::this_thread::sleep_for(1s);
    CHECK(p.published()["chair-1:IV-1:a2/cleared"] == 1);  // from b only
    CHECK(p.nurse.messages("clinic/chairwatchd/status").empty());
}

TEST_CASE("both killed and restarted: one becomes active, the session goes on with its ids") {
    Pair p;
    p.start_pair();
    p.start_session();
    const auto onset = p.raise_and_ack_a1();
    p.a.kill(SIGKILL);
    p.b.kill(SIGKILL);
    REQUIRE(p.a.wait(5s) >= 0);
    REQUIRE(p.b.wait(5s) >= 0);
    p.nurse.clear();
    p.a.start();
    p.b.start();
    REQUIRE(p.nurse.wait_for(
        [](const Message& m) {
            return m.topic == "clinic/chairwatchd/status" && field(m, "role") == "active";
        },
        15s));
    p.chair.publish("clinic/chair-1/vitals/hr", "160");
    REQUIRE(p.alert("chair-1:IV-1:a2", "raised"));
    check_kept(p, onset, 1000);
    std::this_thread::sleep_for(1s);
    CHECK(p.published()["chair-1:IV-1:a2/raised"] == 1);
}
