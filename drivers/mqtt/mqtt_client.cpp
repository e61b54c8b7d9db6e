#include "drivers/mqtt/mqtt_client.hpp"

#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "drivers/mqtt/link_watch.hpp"
#include "drivers/mqtt/outbox_journal.hpp"
#include "drivers/mqtt/tcp_nodelay.hpp"

namespace chairwatch::drivers {

namespace {

// Paho's persistence interface over our append-only journal (see outbox_journal.hpp).
class JournalPersistence final : public mqtt::iclient_persistence {
  public:
    explicit JournalPersistence(std::string dir) : dir_(std::move(dir)) {}

    void open(const mqtt::string& client_id, const mqtt::string&) override {
        std::string name;
        for (char c : client_id)
            name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
        try {
            journal_ = std::make_unique<OutboxJournal>(dir_ + "/" + name + ".outbox");
        } catch (const std::exception& e) {
            error_ = e.what();
            throw;
        }
    }
    void close() override {}
    void clear() override { journal().clear(); }
    bool contains_key(const mqtt::string& key) override { return journal().contains(key); }
    mqtt::string_collection keys() const override {
        return mqtt::string_collection(journal().keys());
    }
    void put(const mqtt::string& key, const std::vector<mqtt::string_view>& bufs) override {
        std::vector<std::string_view> parts;
        parts.reserve(bufs.size());
        for (const auto& b : bufs)
            parts.emplace_back(b.data(), b.size());
        journal().put(key, parts);
    }
    mqtt::string get(const mqtt::string& key) const override { return journal().get(key); }
    void remove(const mqtt::string& key) override { journal().remove(key); }

    const std::string& error() const { return error_; }

  private:
    OutboxJournal& journal() const {
        if (!journal_) throw std::runtime_error("outbox journal not open");
        return *journal_;
    }

    std::string dir_;
    std::string error_;
    std::unique_ptr<OutboxJournal> journal_;
};

bool mqtt5(const MqttSettings& s) {
    return s.mqtt_version == 5;
}

// The largest packet the broker may send us (MQTT 5): the largest payload we look at, and 64 KiB
// for the topic (at most that long) and properties. A payload a little over the limit still
// arrives and is counted as too large; one far beyond it never leaves the broker. 0: no limit.
std::size_t packet_limit(const MqttSettings& s) {
    constexpr std::size_t headers = 64 * 1024;
    constexpr std::size_t mqtt_max = 268'435'455 + 5;  // remaining length and fixed header
    return s.max_payload_bytes == 0 ? 0 : std::min(s.max_payload_bytes + headers, mqtt_max);
}

mqtt::create_options create_options(const MqttSettings& s) {
    // A client made for MQTT 5 keeps its disk queue in the MQTT 5 format.
    auto b = mqtt::create_options_builder();
    if (mqtt5(s)) b.mqtt_version(MQTTVERSION_5);
    return b.send_while_disconnected(true, true)
        .max_buffered_messages(s.max_buffered)
        .delete_oldest_messages(false)
        .restore_messages(true)
        .persist_qos0(true)
        .finalize();
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

std::vector<std::string> all_uris(const MqttSettings& s) {
    std::vector<std::string> uris{s.uri};
    uris.insert(uris.end(), s.fallback_uris.begin(), s.fallback_uris.end());
    return uris;
}

bool has_port(const std::string& uri) {
    return broker_port(uri) != 0;
}

class PahoClient;

// The broker's answer to one SUBSCRIBE of several filters: granted (a QoS for each), refused in
// part (a reason code of 0x80 or above for a filter), or not at all.
class SubscribeListener final : public mqtt::iaction_listener {
  public:
    SubscribeListener(std::vector<std::string> filters, std::function<void(std::string)> done)
        : filters_(std::move(filters)), done_(std::move(done)) {}
    bool finished() const { return finished_; }

  private:
    void on_success(const mqtt::token& tok) override {
        std::string error;
        try {
            const auto codes = tok.get_subscribe_response().get_reason_codes();
            for (std::size_t i = 0; i < codes.size() && i < filters_.size(); ++i)
                if (codes[i] >= 0x80)
                    error += (error.empty() ? "" : ", ") + filters_[i] + " refused (reason code " +
                             std::to_string(static_cast<int>(codes[i])) + ")";
        } catch (const std::exception&) {
        }  // no reason codes to read: granted, as the broker answered with success
        finish(error);
    }
    void on_failure(const mqtt::token& tok) override {
        finish("the broker did not take the subscriptions (code " +
               std::to_string(tok.get_return_code()) + ")");
    }
    void finish(std::string error) {
        if (answered_.exchange(true)) return;
        if (done_) done_(std::move(error));
        finished_ = true;  // only now may the daemon's thread free it
    }

    std::vector<std::string> filters_;
    std::function<void(std::string)> done_;
    std::atomic<bool> answered_{false};
    std::atomic<bool> finished_{false};
};

// One connection to the broker: it receives (subscriptions), sends (publishes, the last will,
// the disk queue), or both.
class Link final : private mqtt::callback, private mqtt::iaction_listener {
  public:
    Link(PahoClient& owner, const MqttSettings& s, std::string client_id, bool receives,
         bool sends);
    ~Link() override;

    mqtt::async_client& client() { return *client_; }
    const mqtt::async_client& client() const { return *client_; }
    bool persistent() const { return persistent_; }
    const std::string& error() const { return error_; }
    // Up since Paho last called connected(), until connection_lost() or our disconnect(). Read
    // where asking Paho is_connected() is not allowed: in Paho's own callbacks, which run under
    // Paho's global mutex (asking would lock it again, and its unlock would release the mutex
    // under Paho's feet).
    bool up() const { return up_; }
    // Was up and went down: Paho's automatic reconnection is bringing it back.
    bool lost() const { return lost_; }
    bool receives() const { return receives_; }
    bool sends() const { return sends_; }
    void connect();
    // Tries again now rather than at the end of Paho's back-off. Not from Paho's callbacks.
    // False if Paho would not take the request (an attempt of its own is under way).
    bool reconnect();
    void disconnect(std::chrono::milliseconds timeout);

  private:
    void connected(const std::string&) override;
    void connection_lost(const std::string& cause) override;
    void went_down(const std::string& why);
    void message_arrived(mqtt::const_message_ptr msg) override;
    void on_failure(const mqtt::token& tok) override;
    void on_success(const mqtt::token& tok) override;

    PahoClient& owner_;
    const MqttSettings& settings_;
    std::string client_id_;
    bool receives_;
    bool sends_;
    std::string error_;
    std::unique_ptr<JournalPersistence> persistence_;
    std::unique_ptr<mqtt::async_client> client_;
    bool persistent_{false};
    std::atomic<bool> up_{false};
    std::atomic<bool> lost_{false};
};

class PahoClient final : public MqttClient {
  public:
    PahoClient(const MqttSettings& s, MqttHandlers h) : settings_(s), handlers_(std::move(h)) {
        if (s.separate_publisher) {
            links_.push_back(std::make_unique<Link>(*this, settings_, s.client_id, true, false));
            links_.push_back(
                std::make_unique<Link>(*this, settings_, s.client_id + "-pub", false, true));
        } else {
            links_.push_back(std::make_unique<Link>(*this, settings_, s.client_id, true, true));
        }
        error_ = out().error();
        LinkWatch::Hooks hooks;
        hooks.any_lost = [this] { return std::any_of(links_.begin(), links_.end(), lost); };
        hooks.reconnect_lost = [this] {
            bool asked = true;
            for (auto& l : links_)
                if (l->lost() && !l->reconnect()) asked = false;
            return asked;
        };
        if (auto uris = all_uris(s); std::all_of(uris.begin(), uris.end(), has_port))
            hooks.broker_answers = [uris = std::move(uris)] {
                return std::any_of(uris.begin(), uris.end(), [](const std::string& uri) {
                    return broker_answers(uri, std::chrono::seconds(1));
                });
            };
        hooks.probe_at_most = std::chrono::seconds(std::max(1, s.reconnect_max_s));
        watch_ = std::make_unique<LinkWatch>(std::move(hooks));
    }

    ~PahoClient() override {
        watch_.reset();  // its thread calls into the links
        links_.clear();
    }

    // A link that was lost is Paho's to bring back (automatic reconnection); a second connect
    // of ours would race it.
    void connect() override {
        watch_->enable(true);
        for (auto& l : links_)
            if (!l->client().is_connected() && !l->lost()) l->connect();
    }

    void subscribe(const std::string& filter, int qos) override {
        try {
            if (std::find(filters_.begin(), filters_.end(), filter) == filters_.end())
                filters_.push_back(filter);
            in().client().subscribe(filter, qos);
        } catch (const mqtt::exception& e) {
            if (handlers_.on_connection_lost)
                handlers_.on_connection_lost(std::string("subscribe: ") + e.what());
        }
    }

    void subscribe(const std::vector<std::pair<std::string, int>>& filters,
                   std::function<void(std::string error)> done) override {
        auto names = std::make_shared<mqtt::string_collection>();
        mqtt::iasync_client::qos_collection qos;
        std::vector<std::string> asked;
        for (const auto& [filter, q] : filters) {
            if (std::find(filters_.begin(), filters_.end(), filter) == filters_.end())
                filters_.push_back(filter);
            names->push_back(filter);
            qos.push_back(q);
            asked.push_back(filter);
        }
        // Paho holds a listener until it answers; those it answered can go.
        std::erase_if(subscribing_, [](const auto& l) { return l->finished(); });
        auto& listener = *subscribing_.emplace_back(
            std::make_unique<SubscribeListener>(std::move(asked), std::move(done)));
        try {
            in().client().subscribe(names, qos, nullptr, listener);
        } catch (const mqtt::exception& e) {
            subscribing_.pop_back();  // Paho did not take it
            if (handlers_.on_connection_lost)
                handlers_.on_connection_lost(std::string("subscribe: ") + e.what());
        }
    }

    bool publish(const std::string& topic, const std::string& payload, int qos,
                 bool retain) override {
        try {
            out().client().publish(topic, payload.data(), payload.size(), qos, retain);
            return true;
        } catch (const mqtt::exception& e) {
            error_ = std::string("publish to ") + topic + ": " + e.what();
            return false;
        }
    }

    // The receiving side first (nothing more comes in), then what is still going out.
    void stop_receiving(std::chrono::milliseconds timeout) override {
        watch_->enable(false);  // no reconnection of the receiving side from now on
        if (links_.size() > 1) return in().disconnect(timeout);
        try {  // one connection: it still has to send, so only the subscriptions go
            if (!filters_.empty() && in().client().is_connected())
                in().client()
                    .unsubscribe(mqtt::string_collection::create(filters_))
                    ->wait_for(timeout);
        } catch (const std::exception&) {
        }
    }

    void disconnect(std::chrono::milliseconds timeout) override {
        watch_->enable(false);
        for (auto it = links_.rbegin(); it != links_.rend(); ++it)
            (*it)->disconnect(timeout);
    }

    bool connected() const override {
        for (const auto& l : links_)
            if (!l->client().is_connected()) return false;
        return true;
    }
    bool receiving() const override { return in().up(); }
    std::size_t pending() const override {
        return out().client().get_pending_delivery_tokens().size();
    }
    bool persistent() const override { return out().persistent(); }
    const std::string& last_error() const override { return error_; }

    // From the links, on Paho's threads: each link's news, then the pair's, which counts as one
    // connection.
    void link_up(const Link& link) {
        std::lock_guard lock(state_);
        report(link, true);
        watch_->link_up();
        if (reported_up_) return;
        for (const auto& l : links_)  // not connected(): this runs inside Paho's callback
            if (!l->up()) return;
        reported_up_ = true;
        if (handlers_.on_connected) handlers_.on_connected();
    }
    void link_lost(const Link& link, const std::string& why) {
        std::lock_guard lock(state_);
        report(link, false);
        watch_->link_lost();
        if (!reported_up_) return;
        reported_up_ = false;
        if (handlers_.on_connection_lost) handlers_.on_connection_lost(why);
    }
    void connect_failed(const std::string& why) {
        if (handlers_.on_connect_failed) handlers_.on_connect_failed(why);
    }
    void send_window(int receive_maximum) {
        if (handlers_.on_send_window) handlers_.on_send_window(receive_maximum);
    }
    void message(std::string_view topic, std::string_view payload) {
        if (handlers_.on_message) handlers_.on_message(topic, payload);
    }

  private:
    Link& in() const { return *links_.front(); }
    Link& out() const { return *links_.back(); }
    static bool lost(const std::unique_ptr<Link>& l) { return l->lost(); }
    void report(const Link& link, bool up) {
        if (!handlers_.on_link_change) return;
        if (link.receives()) handlers_.on_link_change(MqttLink::receiving, up);
        if (link.sends()) handlers_.on_link_change(MqttLink::publishing, up);
    }

    MqttSettings settings_;
    MqttHandlers handlers_;
    std::string error_;
    std::vector<std::unique_ptr<Link>> links_;  // receiving first; the last one sends
    std::vector<std::string> filters_;          // subscribed to (by the daemon's thread only)
    // SUBSCRIBEs waiting for the broker's answer, and some answered (by the daemon's thread).
    std::vector<std::unique_ptr<SubscribeListener>> subscribing_;
    std::mutex state_;
    bool reported_up_{false};
    std::unique_ptr<LinkWatch> watch_;  // made last, after the links it looks at
};

Link::Link(PahoClient& owner, const MqttSettings& s, std::string client_id, bool receives,
           bool sends)
    : owner_(owner),
      settings_(s),
      client_id_(std::move(client_id)),
      receives_(receives),
      sends_(sends) {
    // With a queue directory the sending side keeps its outgoing queue on disk; if the directory
    // cannot be used it still runs, in memory, and says so.
    if (sends && !s.persist_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(s.persist_dir, ec);
        if (ec) {
            error_ = "cannot create " + s.persist_dir + ": " + ec.message();
        } else {
            persistence_ = std::make_unique<JournalPersistence>(s.persist_dir);
            try {
                client_ = std::make_unique<mqtt::async_client>(s.uri, client_id_, create_options(s),
                                                               persistence_.get());
                persistent_ = true;
            } catch (const mqtt::exception& e) {
                error_ = "cannot keep the queue in " + s.persist_dir + ": " +
                         (persistence_->error().empty() ? e.what() : persistence_->error());
                persistence_.reset();
            }
        }
    }
    if (!client_)
        client_ =
            std::make_unique<mqtt::async_client>(s.uri, client_id_, create_options(s), nullptr);
    client_->set_callback(*this);
    // MQTT 5: a broker that goes away may say so first (DISCONNECT, e.g. "server shutting
    // down"); Paho then reports it here, not as a lost connection.
    client_->set_disconnected_handler([this](const mqtt::properties&, mqtt::ReasonCode code) {
        went_down("disconnected by the broker (reason code " +
                  std::to_string(static_cast<int>(code)) + ")");
    });
}

Link::~Link() {
    try {
        client_->disable_callbacks();
        if (client_->is_connected()) client_->disconnect(0)->wait_for(std::chrono::seconds(1));
    } catch (const std::exception&) {
        // Going away either way: the broker's last will tells the subscribers.
    }
    client_.reset();  // before the persistence it uses
}

void Link::connect() {
    auto builder = mqtt::connect_options_builder();
    if (mqtt5(settings_)) {
        // clean start and a session expiry interval take the place of 3.1.1's clean session.
        mqtt::properties props;
        props.add({mqtt::property::SESSION_EXPIRY_INTERVAL,
                   settings_.clean_session ? 0 : settings_.session_expiry_s});
        if (const auto limit = packet_limit(settings_); limit > 0)
            props.add({mqtt::property::MAXIMUM_PACKET_SIZE, static_cast<int32_t>(limit)});
        builder.mqtt_version(MQTTVERSION_5)
            .clean_session(false)
            .clean_start(settings_.clean_session)
            .properties(std::move(props));
    } else {
        builder.clean_session(settings_.clean_session);
    }
    builder.keep_alive_interval(std::chrono::seconds(settings_.keepalive_s))
        .automatic_reconnect(std::chrono::seconds(1),
                             std::chrono::seconds(settings_.reconnect_max_s))
        .connect_timeout(std::chrono::seconds(5));
    if (!settings_.fallback_uris.empty())
        builder.servers(mqtt::string_collection::create(all_uris(settings_)));
    if (sends_ && !settings_.will_topic.empty())
        builder.will(mqtt::message(settings_.will_topic, settings_.will_payload, 1, true));
    if (!settings_.username.empty()) {
        builder.user_name(settings_.username);
        builder.password(settings_.password);
    }
    if (settings_.tls.enabled) builder.ssl(ssl_options(settings_.tls));
    try {
        client_->connect(builder.finalize(), nullptr, *this);
    } catch (const mqtt::exception& e) {
        owner_.connect_failed(client_id_ + ": " + e.what());
    }
}

// The first connection's CONNACK: what the broker takes from us at a time.
void Link::on_success(const mqtt::token& tok) {
    if (!sends_ || !mqtt5(settings_)) return;
    try {
        const auto response = tok.get_connect_response();  // by value: keep it
        const auto& props = response.get_properties();
        const int window =
            props.contains(mqtt::property::RECEIVE_MAXIMUM)
                ? static_cast<int>(mqtt::get<uint16_t>(props, mqtt::property::RECEIVE_MAXIMUM))
                : 65535;
        owner_.send_window(window);
    } catch (const std::exception&) {  // no connect response: nothing to say
    }
}

bool Link::reconnect() {
    try {
        if (!client_->is_connected()) client_->reconnect();
        return true;
    } catch (const mqtt::exception&) {
        return false;  // Paho is connecting right now, or no longer trying (our disconnect)
    }
}

void Link::disconnect(std::chrono::milliseconds timeout) {
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
    up_ = false;
    lost_ = false;
}

void Link::connected(const std::string&) {
    for (const auto& uri : all_uris(settings_))
        set_tcp_nodelay_towards(uri);
    up_ = true;
    lost_ = false;
    owner_.link_up(*this);
}

void Link::connection_lost(const std::string& cause) {
    went_down(cause.empty() ? "connection lost" : cause);
}

void Link::went_down(const std::string& why) {
    if (!up_.exchange(false)) return;  // told twice (MQTT 5: DISCONNECT, then the socket)
    lost_ = true;
    owner_.link_lost(*this, why);
}

void Link::message_arrived(mqtt::const_message_ptr msg) {
    if (receives_) owner_.message(msg->get_topic(), msg->get_payload_ref().str());
}

// The first connection's failure. One of Paho's automatic reconnection attempts may land here
// too (MQTT 5, after the broker's DISCONNECT): Paho goes on trying by itself.
void Link::on_failure(const mqtt::token& tok) {
    if (lost_) return;
    owner_.connect_failed("connect failed (" + client_id_ + "), return code " +
                          std::to_string(tok.get_return_code()));
}

}  // namespace

std::unique_ptr<MqttClient> make_paho_client(const MqttSettings& settings, MqttHandlers handlers) {
    return std::make_unique<PahoClient>(settings, std::move(handlers));
}

}  // namespace chairwatch::drivers
