// Our narrow port to MQTT: the handful of operations the daemon uses. The Paho implementation
// calls the handlers on Paho's own thread: the caller must hand them to its own executor.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace chairwatch::drivers {

struct MqttSettings {
    std::string uri;
    std::string client_id;
    int keepalive_s{30};
    bool clean_session{false};  // keep our subscriptions and queued QoS 1 messages on the broker
    int max_buffered{10000};    // publishes held while disconnected
    std::string will_topic;     // retained last will, sent by the broker if we vanish
    std::string will_payload;
};

struct MqttHandlers {
    std::function<void(std::string topic, std::string payload)> on_message;
    std::function<void()> on_connected;
    std::function<void(std::string why)> on_connection_lost;
    std::function<void(std::string why)> on_connect_failed;
};

class MqttClient {
  public:
    virtual ~MqttClient() = default;
    // Starts one connection attempt; after a first success, the client reconnects by itself.
    virtual void connect() = 0;
    virtual void subscribe(const std::string& filter, int qos) = 0;
    // Never blocks; while disconnected the message is buffered (up to max_buffered).
    virtual void publish(const std::string& topic, const std::string& payload, int qos,
                         bool retain) = 0;
    virtual void disconnect(std::chrono::milliseconds timeout) = 0;
    virtual bool connected() const = 0;
    virtual std::size_t pending() const = 0;  // publishes not yet acknowledged
};

std::unique_ptr<MqttClient> make_paho_client(const MqttSettings& settings, MqttHandlers handlers);

}  // namespace chairwatch::drivers
