// A scripted MQTT client for service-level tests: it implements our narrow port in memory.
// The test delivers inbound messages and connection news as Paho would (on the test's thread,
// which plays Paho's), and reads back everything the service published, in order.
#pragma once

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "drivers/mqtt/mqtt_client.hpp"

namespace chairwatch::test {

struct Published {
    std::string topic, payload;
    int qos{0};
    bool retain{false};
};

class FakeMqtt final : public drivers::MqttClient {
  public:
    explicit FakeMqtt(drivers::MqttHandlers h) : handlers_(std::move(h)) {}

    // --- the broker's side, driven by the test ---
    void deliver(const std::string& topic, const std::string& payload) {
        handlers_.on_message(topic, payload);
    }
    void link(drivers::MqttLink which, bool up) {
        (which == drivers::MqttLink::receiving ? receiving_ : publishing_) = up;
        if (handlers_.on_link_change) handlers_.on_link_change(which, up);
    }
    void come_up() {
        link(drivers::MqttLink::receiving, true);
        link(drivers::MqttLink::publishing, true);
        handlers_.on_connected();
    }
    void go_down(const std::string& why) {
        link(drivers::MqttLink::receiving, false);
        link(drivers::MqttLink::publishing, false);
        handlers_.on_connection_lost(why);
    }
    // The next `n` publishes are refused (a full buffer, a failed disk queue).
    void refuse_next(int n) {
        std::lock_guard lock(mu_);
        refuse_ = n;
    }
    std::vector<Published> published() const {
        std::lock_guard lock(mu_);
        return published_;
    }
    std::vector<Published> published_on(const std::string& topic) const {
        std::vector<Published> out;
        for (auto& p : published())
            if (p.topic == topic) out.push_back(p);
        return out;
    }
    std::vector<std::string> subscriptions() const {
        std::lock_guard lock(mu_);
        return filters_;
    }
    // The broker answers no SUBSCRIBE until answer_subscriptions() (at once by default).
    void hold_subscriptions() { hold_ = true; }
    void answer_subscriptions(const std::string& error = "") {
        hold_ = false;
        auto waiting = std::move(unanswered_);
        unanswered_.clear();
        for (auto& done : waiting)
            done(error);
    }
    bool stopped_receiving() const { return stopped_receiving_; }
    bool disconnected() const { return disconnected_; }

    // --- the port ---
    void connect() override { ++connects_; }
    void subscribe(const std::string& filter, int) override {
        std::lock_guard lock(mu_);
        filters_.push_back(filter);
    }
    void subscribe(const std::vector<std::pair<std::string, int>>& filters,
                   std::function<void(std::string)> done) override {
        {
            std::lock_guard lock(mu_);
            for (const auto& f : filters)
                filters_.push_back(f.first);
        }
        if (hold_)
            unanswered_.push_back(std::move(done));
        else
            done("");
    }
    bool publish(const std::string& topic, const std::string& payload, int qos,
                 bool retain) override {
        std::lock_guard lock(mu_);
        if (refuse_ > 0) {
            --refuse_;
            error_ = "buffer full (scripted)";
            return false;
        }
        published_.push_back({topic, payload, qos, retain});
        return true;
    }
    void stop_receiving(std::chrono::milliseconds) override {
        stopped_receiving_ = true;
        receiving_ = false;
    }
    void disconnect(std::chrono::milliseconds) override {
        disconnected_ = true;
        publishing_ = receiving_ = false;
    }
    bool connected() const override { return receiving_ && publishing_; }
    bool receiving() const override { return receiving_; }
    std::size_t pending() const override { return 0; }
    bool persistent() const override { return true; }
    const std::string& last_error() const override { return error_; }

    int connects() const { return connects_; }

  private:
    drivers::MqttHandlers handlers_;
    mutable std::mutex mu_;
    std::vector<Published> published_;
    std::vector<std::string> filters_;
    bool hold_{false};
    std::vector<std::function<void(std::string)>> unanswered_;
    std::string error_;
    int refuse_{0};
    int connects_{0};
    bool receiving_{false}, publishing_{false};
    bool stopped_receiving_{false}, disconnected_{false};
};

}  // namespace chairwatch::test
