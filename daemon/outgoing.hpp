// Every message the daemon publishes goes through here, in order, and is kept until the MQTT
// client takes it: a publish the client refuses (its buffer is full, its disk queue failed)
// waits, with everything behind it, for the next try (the next send, tick or reconnection).
// Urgent messages (HIGH alarm transitions) go ahead of any normal one still waiting.
#pragma once

#include <deque>
#include <functional>
#include <string>

#include "daemon/counters.hpp"
#include "daemon/warnings.hpp"
#include "drivers/mqtt/mqtt_client.hpp"

namespace chairwatch::daemon {

class Outgoing {
  public:
    Outgoing(Counters& counters, Warnings& warnings, std::function<alerts::Instant()> clock)
        : counters_(counters), warnings_(warnings), clock_(std::move(clock)) {}
    void attach(drivers::MqttClient& client) { client_ = &client; }
    // A group's standby publishes nothing of the clinic's: while muted, send() drops.
    void mute(bool muted) { muted_ = muted; }

    enum class Lane : std::uint8_t { normal, urgent };
    void send(std::string topic, std::string payload, int qos, bool retain,
              Lane lane = Lane::normal);
    // Hands waiting messages to the client, urgent first; stops at the first it refuses.
    void flush();
    std::size_t waiting() const { return urgent_.size() + normal_.size(); }

  private:
    struct Message {
        std::string topic, payload;
        int qos;
        bool retain;
    };
    bool flush(std::deque<Message>& lane);

    Counters& counters_;
    Warnings& warnings_;
    drivers::MqttClient* client_{nullptr};
    std::function<alerts::Instant()> clock_;  // for the rate of warnings
    std::deque<Message> urgent_, normal_;
    bool muted_{false};
};

}  // namespace chairwatch::daemon
