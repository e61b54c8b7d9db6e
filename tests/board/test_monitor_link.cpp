// A chair's monitor link (REF §8 "link lost") end to end: a monitor connects with its last
// will, its connection is cut without a DISCONNECT (a real TCP relay closes both sockets), the
// broker sends the will, and chairwatchd raises monitor_link_lost after the profile's delay,
// HIGH while dosing, on MQTT and the board; the monitor back online clears it. With the broker
// down the board, served by the daemon itself, still shows the chair's monitor lost.
#include <doctest/doctest.h>

#include "board_fixture.hpp"
#include "http_json.hpp"
#include "tcp_proxy.hpp"

using namespace chairwatch::it;
namespace json = boost::json;

namespace {

const std::string topic = "clinic/chair-05/monitor";

// The shipped config with a 2 s link delay (15 s shipped), and the board.
std::string link_config() {
    auto text = board_config(write_token());
    const std::string shipped = "monitor_lost_s: 15";
    REQUIRE(text.find(shipped) != std::string::npos);
    return text.replace(text.find(shipped), shipped.size(), "monitor_lost_s: 2");
}

// chair-05 as GET /api/chairs shows it (empty if not there or no answer).
json::object chair_05(int port) {
    const auto r = http_request(port, "GET", "/api/chairs", "", bearer());
    if (r.status != 200) return {};
    return item_of(parse(r), "chairs", "chair", "chair-05");
}

bool monitor_online(int port, bool online) {
    const auto c = chair_05(port);
    const auto* m = c.if_contains("monitor");
    return m && m->as_object().at("online") == online;
}

// chair-05's active monitor_link_lost on the board, at `priority`.
bool board_lists_link_lost(int port, const char* priority) {
    const auto c = chair_05(port);
    if (c.empty()) return false;
    for (const auto& a : c.at("alarms").as_array())
        if (a.at("condition") == "monitor_link_lost" && a.at("priority") == priority &&
            a.at("active") == true)
            return true;
    return false;
}

ClientOptions monitor_options() {
    ClientOptions o;
    o.id = "monitor-chair-05";
    o.will_topic = topic;
    o.will_payload = R"({"online":false})";
    return o;
}

}  // namespace

TEST_SUITE("monitor_link") {
    TEST_CASE("a monitor's last will raises monitor_link_lost after the delay, HIGH while dosing") {
        Broker broker;
        Daemon daemon{broker, link_config()};
        daemon.start();
        const int port = daemon.http_port();
        Client station{broker.uri()};
        station.subscribe("clinic/chair-05/alerts");
        Client sender{broker.uri()};

        // A hostile status is refused, counted, and changes nothing.
        sender.publish("clinic/chair-06/monitor", R"({"online":"yes"})");
        CHECK(eventually([&] { return daemon.metric("chairwatch_monitor_errors_total") == 1; }));

        TcpProxy relay(broker.port());
        auto monitor = std::make_unique<Client>("tcp://127.0.0.1:" + std::to_string(relay.port()),
                                                monitor_options());
        monitor->publish(topic, R"({"online":true,"device":"mon-5"})", 1, true);
        REQUIRE(eventually([&] { return monitor_online(port, true); }));
        CHECK(chair_05(port).at("monitor").at("device") == "mon-5");
        sender.publish("clinic/chair-05/session", R"({"action":"start","profile":"iv-ketamine"})");
        sender.publish("clinic/chair-05/session", R"({"action":"dose_start"})");
        REQUIRE(eventually([&] { return chair_05(port)["phase"] == "dosing"; }));

        relay.cut();  // the socket closes without DISCONNECT: the broker sends the will
        const auto cut_at = Clock::now();
        REQUIRE(eventually([&] { return monitor_online(port, false); }));
        const auto raised = station.wait_for(
            [](const Message& m) {
                return is_alert(m, "chair-05", "monitor_link_lost", "raised", "high");
            },
            15s);
        REQUIRE(raised);
        CHECK(raised->at - cut_at >= 2s);
        CHECK(field(*raised, "kind") == "technical");
        CHECK(board_lists_link_lost(port, "high"));
        // No feed alarm of its own for the silence the lost link explains.
        for (const auto& m : station.messages())
            CHECK(field(m, "condition").find("feed_lost") == std::string::npos);

        // Back online (a new connection): cleared.
        monitor.reset();
        relay.restore();
        Client again("tcp://127.0.0.1:" + std::to_string(relay.port()), monitor_options());
        again.publish(topic, R"({"online":true,"device":"mon-5"})", 1, true);
        CHECK(station.wait_for([](const Message& m) {
            return is_alert(m, "chair-05", "monitor_link_lost", "cleared");
        }));
        CHECK(eventually([&] { return monitor_online(port, true); }));

        // Lost again, then the broker goes down: the board still shows it.
        relay.cut();
        REQUIRE(eventually([&] { return board_lists_link_lost(port, "high"); }, 15s));
        broker.stop();
        REQUIRE(eventually([&] {
            const auto r = http_request(port, "GET", "/api/chairs", "", bearer());
            return r.status == 200 && parse(r).at("broker_connected") == false;
        }));
        CHECK(board_lists_link_lost(port, "high"));
        CHECK(monitor_online(port, false));
    }
}
