#include "drivers/mqtt_client.hpp"

#include <mqtt/async_client.h>

#include <filesystem>
#include <thread>

namespace chairwatch::drivers {

namespace {

mqtt::create_options create_options(const MqttSettings& s) {
    return mqtt::create_options_builder()
        .send_while_disconnected(true, true)
        .max_buffered_messages(s.max_buffered)
        .delete_oldest_messages(false)
        .restore_messages(true)
        .persist_qos0(true)
        .finalize();
}

// With a persistence directory the client keeps its outgoing queue on disk; if the directory
// cannot be used the client still runs, in memory, and says so.
std::unique_ptr<mqtt::async_client> make_client(const MqttSettings& s, std::string& error) {
    if (!s.persist_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(s.persist_dir, ec);
        if (ec) {
            error = "cannot create " + s.persist_dir + ": " + ec.message();
        } else {
            try {
                return std::make_unique<mqtt::async_client>(s.uri, s.client_id, create_options(s),
                                                            s.persist_dir);
            } catch (const mqtt::exception& e) {
                error = "cannot keep the queue in " + s.persist_dir + ": " + e.what();
            }
        }
    }
    return std::make_unique<mqtt::async_client>(s.uri, s.client_id, create_options(s), nullptr);
}

mqtt::ssl_options ssl_options(const MqttTls& t) {
    auto b = mqtt::ssl_options_builder()
                 .enable_server_cert_auth(true)
                 .verify(t.verify_hostname)
                 .ssl_version(MQTT_SSL_VERSION_TLS_1_2);
    if (!t.ca_file.empty()) b.trust_store(t.ca_file);
    if (!t.cert_file.empty()) b.key_store(t.cert_file);
    if (!t.key_file.empty()) b.private_key(t.key_file);
    return b.finalize();
}

class PahoClient final : public MqttClient, private mqtt::callback {
  public:
    PahoClient(const MqttSettings& s, MqttHandlers h)
        : settings_(s), handlers_(std::move(h)), client_(make_client(s, error_)) {
        persistent_ = !s.persist_dir.empty() && error_.empty();
        client_->set_callback(*this);
    }

    ~PahoClient() override {
        try {
            client_->disable_callbacks();
            if (client_->is_connected()) client_->disconnect(0)->wait_for(std::chrono::seconds(1));
        } catch (const std::exception&) {
            // Going away either way: the broker's last will tells the subscribers.
        }
    }

    void connect() override {
        auto builder = mqtt::connect_options_builder()
                           .clean_session(settings_.clean_session)
                           .keep_alive_interval(std::chrono::seconds(settings_.keepalive_s))
                           .automatic_reconnect(std::chrono::seconds(1),
                                                std::chrono::seconds(settings_.reconnect_max_s))
                           .connect_timeout(std::chrono::seconds(5));
        if (!settings_.will_topic.empty())
            builder.will(mqtt::message(settings_.will_topic, settings_.will_payload, 1, true));
        if (!settings_.username.empty()) {
            builder.user_name(settings_.username);
            builder.password(settings_.password);
        }
        if (settings_.tls.enabled) builder.ssl(ssl_options(settings_.tls));
        try {
            client_->connect(builder.finalize(), nullptr, connect_listener_);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connect_failed) handlers_.on_connect_failed(e.what());
        }
    }

    void subscribe(const std::string& filter, int qos) override {
        try {
            client_->subscribe(filter, qos);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connection_lost)
                handlers_.on_connection_lost(std::string("subscribe: ") + e.what());
        }
    }

    bool publish(const std::string& topic, const std::string& payload, int qos,
                 bool retain) override {
        try {
            client_->publish(topic, payload.data(), payload.size(), qos, retain);
            return true;
        } catch (const mqtt::exception& e) {
            error_ = std::string("publish to ") + topic + ": " + e.what();
            return false;
        }
    }

    void disconnect(std::chrono::milliseconds timeout) override {
        try {
            // Let queued publishes (the offline status among them) reach the broker first.
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            while (client_->is_connected() && !client_->get_pending_delivery_tokens().empty() &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (client_->is_connected())
                client_->disconnect(static_cast<int>(timeout.count()))
                    ->wait_for(timeout + std::chrono::seconds(1));
        } catch (const std::exception&) {
        }
    }

    bool connected() const override { return client_->is_connected(); }
    std::size_t pending() const override { return client_->get_pending_delivery_tokens().size(); }
    bool persistent() const override { return persistent_; }
    const std::string& last_error() const override { return error_; }

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
    std::string error_;
    std::unique_ptr<mqtt::async_client> client_;
    bool persistent_{false};
    ConnectListener connect_listener_{*this};
};

}  // namespace

std::unique_ptr<MqttClient> make_paho_client(const MqttSettings& settings, MqttHandlers handlers) {
    return std::make_unique<PahoClient>(settings, std::move(handlers));
}

}  // namespace chairwatch::drivers
