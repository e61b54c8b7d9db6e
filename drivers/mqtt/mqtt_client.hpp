// Our narrow port to MQTT: the handful of operations the daemon uses. The Paho implementation
// calls the handlers on Paho's own thread, holding Paho's own lock: a handler may publish, but
// must never wait for a thread that may be calling into the client, nor ask the client
// connected() or pending() (both take that lock again).
//
// With `separate_publisher`, subscriptions and publishes use two connections (the publisher's
// client id is `<client_id>-pub`, and it carries the last will and the disk queue). On one
// connection that both receives and sends, TCP's delayed acknowledgements and the broker's Nagle
// algorithm hold readings back for up to ~40 ms; apart, each side's traffic flows at once. The
// client counts as connected while both connections are up. Both sockets get TCP_NODELAY.
//
// When one connection comes back after a loss, or the broker's port answers again after it
// did not, the connections that are still down reconnect at once instead of waiting out Paho's
// back-off (up to reconnect_max_s): otherwise the receiving one could stay away for half a
// minute after the broker returned, and no reading would be judged meanwhile.
//
// With MQTT 5 the broker is told the largest packet we take (max_payload_bytes plus 64 KiB for
// topic and properties) and drops bigger messages instead of sending them. With MQTT 3.1.1 a
// message of any size arrives; Paho then keeps a receive buffer as large as the largest one
// until the process ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chairwatch::drivers {

struct MqttTls {
    bool enabled{false};
    std::string ca_file;    // empty: the system's trust store
    std::string cert_file;  // client certificate, optional
    std::string key_file;
    bool verify_hostname{true};
};

struct MqttSettings {
    std::string uri;
    // More nodes of a clustered broker: each (re)connection tries uri, then these in order.
    std::vector<std::string> fallback_uris;
    std::string client_id;
    std::string username;
    std::string password;
    MqttTls tls;
    // Outgoing messages waiting for the broker are kept here (one append-only journal,
    // <persist_dir>/<client id>.outbox) so that a restart does not lose them; empty: memory only.
    std::string persist_dir;
    bool separate_publisher{true};
    int keepalive_s{30};
    int reconnect_max_s{30};    // automatic reconnection backs off from 1 s up to this
    bool clean_session{false};  // keep our subscriptions and queued QoS 1 messages on the broker
    // 5, or 4 for MQTT 3.1.1 (brokers without MQTT 5).
    int mqtt_version{5};
    // MQTT 5: how long the broker keeps our session (subscriptions, queued QoS 1 messages) while
    // we are away. 3.1.1 has no such limit: the session is kept until the broker drops it.
    int session_expiry_s{86400};
    // The largest payload the receiver looks at; 0: no limit asked of the broker.
    std::size_t max_payload_bytes{0};
    int max_buffered{10000};  // publishes held while disconnected
    std::string will_topic;   // retained last will, sent by the broker if we vanish
    std::string will_payload;
};

// The connections by what they carry. With one connection (separate_publisher off) it is both.
enum class MqttLink { receiving, publishing };

struct MqttHandlers {
    // Both views are valid only during the call: a handler that keeps the message copies it.
    std::function<void(std::string_view topic, std::string_view payload)> on_message;
    std::function<void()> on_connected;
    std::function<void(std::string why)> on_connection_lost;
    std::function<void(std::string why)> on_connect_failed;
    // Each connection's own ups and downs, beside the pair's on_connected/on_connection_lost:
    // while the receiving one is down no reading arrives, a technical condition of its own even
    // when alerts still go out. With one connection both are reported, receiving first. Not
    // called for our own disconnect().
    std::function<void(MqttLink which, bool up)> on_link_change;
    // MQTT 5: how many unacknowledged QoS 1 messages the broker takes from the publishing
    // connection at a time (its Receive Maximum in the CONNACK; 65535 if it sets none), at the
    // first connection. Beyond it, Paho holds the rest, in order, a HIGH alert among them.
    std::function<void(int receive_maximum)> on_send_window;
};

class MqttClient {
  public:
    virtual ~MqttClient() = default;
    // Starts one connection attempt; after a first success, the client reconnects by itself.
    virtual void connect() = 0;
    virtual void subscribe(const std::string& filter, int qos) = 0;
    // Subscribes to these filters (and QoS) in one SUBSCRIBE. `done` runs on Paho's thread once
    // the broker has answered it: "" if it granted every filter, else why not. If the
    // connection goes first it runs with the reason, or not at all.
    virtual void subscribe(const std::vector<std::pair<std::string, int>>& filters,
                           std::function<void(std::string error)> done) = 0;
    // Never blocks; while disconnected the message is buffered (up to max_buffered). False if
    // the client refused it (buffer full, persistence failed): the caller keeps it and retries.
    virtual bool publish(const std::string& topic, const std::string& payload, int qos,
                         bool retain) = 0;
    // No message arrives after this returns: with two connections the receiving one is closed,
    // with one its subscriptions are dropped. Every message the broker handed over has been
    // given to on_message (so the caller must still handle what it queued). For a clean stop:
    // then the caller settles its state, publishes its last words and calls disconnect().
    virtual void stop_receiving(std::chrono::milliseconds timeout) = 0;
    virtual void disconnect(std::chrono::milliseconds timeout) = 0;
    virtual bool connected() const = 0;
    // Whether the connection that carries the subscriptions is up. Unlike connected() this may
    // be asked inside a handler.
    virtual bool receiving() const = 0;
    virtual std::size_t pending() const = 0;  // publishes not yet acknowledged
    // Whether outgoing messages survive a restart (persistence is on and working).
    virtual bool persistent() const = 0;
    virtual const std::string& last_error() const = 0;
};

std::unique_ptr<MqttClient> make_paho_client(const MqttSettings& settings, MqttHandlers handlers);

}  // namespace chairwatch::drivers
