#include "drivers/mqtt_client.hpp"

#include <mqtt/async_client.h>

#include <thread>

namespace chairwatch::drivers {

namespace {

class PahoClient final : public MqttClient, private mqtt::callback {
  public:
    PahoClient(const MqttSettings& s, MqttHandlers h)
        : settings_(s),
          handlers_(std::move(h)),
          client_(s.uri, s.client_id,
                  mqtt::create_options_builder()
                      .send_while_disconnected(true, true)
                      .max_buffered_messages(s.max_buffered)
                      .delete_oldest_messages(false)
                      .finalize(),
                  nullptr) {
        client_.set_callback(*this);
    }

    ~PahoClient() override {
        try {
            client_.disable_callbacks();
            if (client_.is_connected()) client_.disconnect(0)->wait_for(std::chrono::seconds(1));
        } catch (const std::exception&) {
            // Going away either way: the broker's last will tells the subscribers.
        }
    }

    void connect() override {
        auto builder = mqtt::connect_options_builder()
                           .clean_session(settings_.clean_session)
                           .keep_alive_interval(std::chrono::seconds(settings_.keepalive_s))
                           .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(30))
                           .connect_timeout(std::chrono::seconds(5));
        if (!settings_.will_topic.empty())
            builder.will(mqtt::message(settings_.will_topic, settings_.will_payload, 1, true));
        try {
            client_.connect(builder.finalize(), nullptr, connect_listener_);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connect_failed) handlers_.on_connect_failed(e.what());
        }
    }

    void subscribe(const std::string& filter, int qos) override {
        try {
            client_.subscribe(filter, qos);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connection_lost)
                handlers_.on_connection_lost(std::string("subscribe: ") + e.what());
        }
    }

    void publish(const std::string& topic, const std::string& payload, int qos,
                 bool retain) override {
        try {
            client_.publish(topic, payload.data(), payload.size(), qos, retain);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connection_lost)
                handlers_.on_connection_lost(std::string("publish: ") + e.what());
        }
    }

    void disconnect(std::chrono::milliseconds timeout) override {
        try {
            // Let queued publishes (the offline status among them) reach the broker first.
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            while (client_.is_connected() && !client_.get_pending_delivery_tokens().empty() &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (client_.is_connected())
                client_.disconnect(static_cast<int>(timeout.count()))
                    ->wait_for(timeout + std::chrono::seconds(1));
        } catch (const std::exception&) {
        }
    }

    bool connected() const override { return client_.is_connected(); }
    std::size_t pending() const override { return client_.get_pending_delivery_tokens().size(); }

  private:
    class ConnectListener final : public mqtt::iaction_listener {
      public:
        explicit ConnectListener(PahoClient& c) : c_(c) {}
        void on_failure(const mqtt::token& tok) override {
            if (c_.handlers_.on_connect_failed)
                c_.handlers_.on_connect_failed("connect failed, return code " +
                                               std::to_string(tok.get_return_code()));
        }
        void on_success(const mqtt::token&) override {}

      private:
        PahoClient& c_;
    };

    void connected(const std::string&) override {
        if (handlers_.on_connected) handlers_.on_connected();
    }
    void connection_lost(const std::string& cause) override {
        if (handlers_.on_connection_lost)
            handlers_.on_connection_lost(cause.empty() ? "connection lost" : cause);
    }
    void message_arrived(mqtt::const_message_ptr msg) override {
        if (handlers_.on_message) handlers_.on_message(msg->get_topic(), msg->get_payload_str());
    }

    MqttSettings settings_;
    MqttHandlers handlers_;
    mutable mqtt::async_client client_;
    ConnectListener connect_listener_{*this};
};

}  // namespace

std::unique_ptr<MqttClient> make_paho_client(const MqttSettings& settings, MqttHandlers handlers) {
    return std::make_unique<PahoClient>(settings, std::move(handlers));
}

}  // namespace chairwatch::drivers
