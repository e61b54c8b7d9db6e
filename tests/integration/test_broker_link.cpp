// The broker link under stress: an oversized message the broker must keep to itself, and the
// MQTT 3.1.1 fallback.
#include <doctest/doctest.h>
#include <signal.h>

#include "harness.hpp"

using namespace chairwatch::it;

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
