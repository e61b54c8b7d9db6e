// The broker link under stress: an oversized message the broker must keep to itself, the MQTT
// 3.1.1 fallback, a broker restart after Paho's back-off has grown, and the receiving
// connection reported apart from the publishing one.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "drivers/mqtt/mqtt_client.hpp"
#include "harness.hpp"

using namespace chairwatch::it;
namespace drivers = chairwatch::drivers;

namespace {

// A line of /proc/<pid>/status such as VmRSS or VmHWM, in KiB; -1 if missing.
long status_kib(pid_t pid, const std::string& key) {
    const auto text = read_file("/proc/" + std::to_string(pid) + "/status");
    const auto at = text.find("\n" + key + ":");
    return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size() + 2));
}

std::function<bool(const Message&)> raised(const std::string& chair) {
    return [chair](const Message& m) { return is_alert(m, chair, "sbp_high", "raised"); };
}

}  // namespace

TEST_CASE("a 20 MB reading never reaches the daemon's memory, and the next reading is judged") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    const long rss_before = status_kib(daemon.pid(), "VmRSS");
    const long peak_before = status_kib(daemon.pid(), "VmHWM");
    REQUIRE(rss_before > 0);

    monitor.publish("clinic/chair-31/vitals/bp", std::string(20 << 20, 'x'));
    monitor.publish("clinic/chair-31/vitals/bp", R"({"sbp":200,"dbp":100})");
    CHECK(nurse.wait_for(raised("chair-31")));

    // Told the largest packet chairwatchd takes (MQTT 5), Mosquitto drops the message for it.
    CHECK(read_file(broker.dir() + "/broker.log")
              .find("Dropping too large outgoing PUBLISH for chairwatchd ") != std::string::npos);
    const long rss_after = status_kib(daemon.pid(), "VmRSS");
    const long peak_after = status_kib(daemon.pid(), "VmHWM");
    MESSAGE("VmRSS " << rss_before << " -> " << rss_after << " KiB, VmHWM " << peak_before << " -> "
                     << peak_after << " KiB");
    CHECK(peak_after - peak_before < 8 * 1024);
    CHECK(rss_after - rss_before < 8 * 1024);
    daemon.kill(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
}

TEST_CASE(
    "with broker.mqtt_version 3.1.1 the daemon connects with MQTT 3.1.1 and judges readings") {
    Broker broker;
    Daemon daemon(
        broker,
        shipped_config({{"  keepalive_s: 30\n", "  keepalive_s: 30\n  mqtt_version: 3.1.1\n"}}));
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client(broker.uri()).publish("clinic/chair-33/vitals/bp", R"({"sbp":200,"dbp":100})");
    CHECK(nurse.wait_for(raised("chair-33")));
    const auto log = read_file(broker.dir() + "/broker.log");
    CHECK(log.find("as chairwatchd (p2,") != std::string::npos);  // Mosquitto's name for 3.1.1
    CHECK(log.find("as chairwatchd (p5,") == std::string::npos);
}

// MQTT 5 ends a session when the connection ends unless the client asks for more: the daemon
// asks for broker.session_expiry_s, so readings sent while it restarts wait for it.
TEST_CASE("a reading sent while the daemon was stopped is judged when it returns") {
    for (const bool kept : {true, false}) {
        CAPTURE(kept);
        Broker broker;
        Daemon daemon(broker,
                      shipped_config({{"  keepalive_s: 30\n",
                                       kept ? "  keepalive_s: 30\n"
                                            : "  keepalive_s: 30\n  session_expiry_s: 0\n"}}));
        daemon.start();
        daemon.kill(SIGTERM);
        REQUIRE(daemon.wait(10s) == 0);
        Client nurse(broker.uri());
        nurse.subscribe("clinic/chair-34/alerts");
        Client(broker.uri()).publish("clinic/chair-34/vitals/bp", R"({"sbp":200,"dbp":100})");
        daemon.start();
        CHECK(nurse.wait_for(raised("chair-34"), kept ? 10s : 3s).has_value() == kept);
    }
}

// Debian 12's Paho C retries both connections about 1, 4, 7, 10, 13, 19, 25, 34, 43 and 67 s after
// they were lost: a broker back after 26 s waited 17.7 s for them. Asked at once, Paho takes up to
// ~4 s more (it looks at its reconnection requests every 3 s).
TEST_CASE(
    "after a broker restart, readings are judged again within seconds, not after the back-off") {
    Broker broker;  // no persistence: the daemon's session is gone after the restart
    Daemon daemon(broker, shipped_config());  // reconnect_max_s: the default 30
    daemon.start();
    broker.stop();
    std::this_thread::sleep_for(26s);
    broker.start();
    const auto back = Clock::now();

    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-32/alerts");
    Client monitor(broker.uri());
    std::optional<Message> alert;
    while (!alert && Clock::now() - back < 40s) {
        monitor.publish("clinic/chair-32/vitals/bp", R"({"sbp":200,"dbp":100})");
        alert = nurse.wait_for(raised("chair-32"), 250ms);
    }
    REQUIRE(alert);
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(alert->at - back);
    MESSAGE("first alert " << after.count() << " ms after the broker returned");
    CHECK(after < 8s);
}

TEST_CASE("the MQTT client reports its receiving connection apart from the publishing one") {
    Broker broker;
    std::mutex mu;
    std::vector<std::pair<drivers::MqttLink, bool>> changes;
    std::atomic<int> pair_ups{0};
    drivers::MqttSettings s;
    s.uri = broker.uri();
    s.client_id = "cw-links";
    s.max_payload_bytes = 4096;
    drivers::MqttHandlers h;
    h.on_connected = [&] { ++pair_ups; };
    h.on_link_change = [&](drivers::MqttLink which, bool up) {
        std::lock_guard lock(mu);
        changes.emplace_back(which, up);
    };
    auto client = drivers::make_paho_client(s, std::move(h));
    client->connect();
    REQUIRE(eventually([&] { return pair_ups == 1; }));
    CHECK(client->receiving());
    auto seen = [&](drivers::MqttLink which, bool up) {
        std::lock_guard lock(mu);
        return std::count(changes.begin(), changes.end(), std::pair{which, up});
    };
    CHECK(seen(drivers::MqttLink::receiving, true) == 1);
    CHECK(seen(drivers::MqttLink::publishing, true) == 1);

    // Another client takes the receiving connection's client id: the broker closes ours (with
    // MQTT 5 it says so in a DISCONNECT first). Only the receiving side goes down.
    {
        Client thief(broker.uri(), "cw-links");
        REQUIRE(eventually([&] { return seen(drivers::MqttLink::receiving, false) == 1; }));
        CHECK(!client->connected());
    }
    CHECK(eventually([&] { return client->receiving() && pair_ups == 2; }, 10s));
    CHECK(seen(drivers::MqttLink::receiving, true) == 2);
    CHECK(seen(drivers::MqttLink::publishing, false) == 0);
    client->disconnect(1000ms);
}

// Mosquitto announces max_inflight_messages (default 20) as the MQTT 5 Receive Maximum; below
// 1000, an alarm storm queues alerts in the client (docs/operations.md). The admin is told.
TEST_CASE("a broker that takes few messages in flight gets a warning naming the setting") {
    for (const int inflight : {20, 1000}) {
        CAPTURE(inflight);
        Broker broker(
            BrokerOptions{false, "max_inflight_messages " + std::to_string(inflight) + "\n", {}});
        Daemon daemon(broker, shipped_config());
        daemon.start();
        Client nurse(broker.uri());
        nurse.subscribe("clinic/chair-35/alerts");
        Client(broker.uri()).publish("clinic/chair-35/vitals/bp", R"({"sbp":200,"dbp":100})");
        REQUIRE(nurse.wait_for(raised("chair-35"), 10s));  // connected: the CONNACK was read
        const bool warned =
            daemon.output().find("takes at most 20 unacknowledged messages") != std::string::npos;
        CHECK(warned == (inflight == 20));
        CHECK((daemon.output().find("max_inflight_messages 1000") != std::string::npos) ==
              (inflight == 20));
        daemon.kill(SIGTERM);
        CHECK(daemon.wait(10s) == 0);
    }
}
