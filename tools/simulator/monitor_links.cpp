#include "tools/simulator/monitor_links.hpp"

#include <unistd.h>

#include <mqtt/async_client.h>
#include <chrono>
#include <stdexcept>

namespace chairwatch::sim {

using namespace std::chrono_literals;

namespace {

const std::string offline = R"({"online":false})";

}  // namespace

MonitorLinks::MonitorLinks(const std::string& broker, const std::string& prefix,
                           const std::vector<std::string>& chairs) {
    for (const auto& chair : chairs) {
        Link link;
        link.client = std::make_unique<mqtt::async_client>(
            broker, "chairwatch-sim-" + std::to_string(::getpid()) + "-monitor-" + chair,
            mqtt::create_options(MQTTVERSION_5));
        link.topic = prefix + "/" + chair + "/monitor";
        link.device = "sim-" + chair;
        links_.push_back(std::move(link));
    }
    for (auto& link : links_)
        connect(link);
}

MonitorLinks::~MonitorLinks() = default;

void MonitorLinks::connect(Link& link) {
    const auto opts = mqtt::connect_options_builder()
                          .mqtt_version(MQTTVERSION_5)
                          .clean_start(true)
                          .connect_timeout(5s)
                          .will(mqtt::message(link.topic, offline, 1, true))
                          .finalize();
    if (!link.client->connect(opts)->wait_for(6s))
        throw std::runtime_error("monitor link of " + link.topic + ": connect timed out");
    const auto online = R"({"online":true,"device":")" + link.device + R"("})";
    link.client->publish(link.topic, online.data(), online.size(), 1, true)->wait_for(5s);
    link.online = true;
}

void MonitorLinks::drop(std::size_t chair) {
    auto& link = links_[chair];
    if (!link.online) return;
    link.online = false;
    const auto opts = mqtt::disconnect_options_builder()
                          .reason_code(mqtt::ReasonCode::DISCONNECT_WITH_WILL_MESSAGE)
                          .finalize();
    link.client->disconnect(opts)->wait_for(5s);
}

void MonitorLinks::restore(std::size_t chair) {
    if (!links_[chair].online) connect(links_[chair]);
}

void MonitorLinks::finish() {
    for (auto& link : links_) {
        if (!link.online) continue;
        link.client->publish(link.topic, offline.data(), offline.size(), 1, true)->wait_for(5s);
        link.client->disconnect()->wait_for(5s);
        link.online = false;
    }
}

}  // namespace chairwatch::sim
