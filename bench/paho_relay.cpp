// paho_relay: the shared harness's reference relay (../shared/bench/crelay/crelay.c: no config,
// no state, one alert per reading with hr > 120 or sbp > 180) on our MQTT client, Eclipse Paho
// C++ over Debian's libpaho-mqtt3as, instead of libmosquitto. It measures what the client alone
// allows: chairwatchd cannot ingest faster than this relay does, whatever the daemon does.
// The same job, parsing and alert as crelay, done in Paho's message callback on Paho's thread.
// Env as crelay: MQTT_HOST (127.0.0.1) MQTT_PORT (18830) QOS (0) NODELAY (1) SPLIT (0; 1:
// publish alerts on a second connection, as chairwatchd does).
#include <mqtt/async_client.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "drivers/mqtt/tcp_nodelay.hpp"

namespace {

std::atomic<bool> stop{false};
void on_signal(int) {
    stop = true;
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v ? std::atoi(v) : fallback;
}

// As crelay's find_val: the value after "key": (spaces and colons skipped), or empty.
std::string_view find_val(std::string_view p, std::string_view key) {
    char k[32];
    const int kl = std::snprintf(k, sizeof k, "\"%.*s\"", static_cast<int>(key.size()), key.data());
    auto at = p.find(std::string_view(k, static_cast<std::size_t>(kl)));
    if (at == std::string_view::npos) return {};
    at += static_cast<std::size_t>(kl);
    while (at < p.size() && (p[at] == ' ' || p[at] == ':'))
        ++at;
    return p.substr(at);
}

// As crelay's copy_tok: a quoted string's contents, or a bare token up to , } or a space.
std::string token(std::string_view v) {
    if (v.empty()) return {};
    if (v.front() == '"') {
        v.remove_prefix(1);
        return std::string(v.substr(0, v.find('"')));
    }
    return std::string(v.substr(0, v.find_first_of(",} ")));
}

// A number field's token, "0" when absent. Built, not assigned: GCC 12 at -O3 reports a
// false -Wrestrict on assigning a literal to the string (GCC PR 105329).
std::string token_or_zero(std::string_view v) {
    std::string t = token(v);
    return t.empty() ? std::string("0") : t;
}

double number(std::string_view v) {
    const std::string s(v.substr(0, 32));
    return std::strtod(s.c_str(), nullptr);
}

class Relay : public mqtt::callback {
  public:
    Relay(mqtt::async_client& sub, mqtt::async_client& pub, int qos, std::string uri, bool nodelay)
        : sub_(sub), pub_(pub), qos_(qos), uri_(std::move(uri)), nodelay_(nodelay) {}

    void connected(const std::string&) override {
        if (nodelay_) chairwatch::drivers::set_tcp_nodelay_towards(uri_);
        sub_.subscribe("clinic/+/vitals/#", qos_);
    }
    void connection_lost(const std::string& cause) override {
        std::fprintf(stderr, "paho_relay: connection lost: %s\n", cause.c_str());
    }
    void message_arrived(mqtt::const_message_ptr msg) override {
        const std::string& payload = msg->get_payload_ref().str();
        const std::string_view p = payload;
        const char* kind = nullptr;
        double value = 0;
        int threshold = 0;
        if (auto v = find_val(p, "hr"); !v.empty() && (value = number(v)) > 120) {
            kind = "hr";
            threshold = 120;
        } else if (auto b = find_val(p, "sbp"); !b.empty() && (value = number(b)) > 180) {
            kind = "bp";
            threshold = 180;
        }
        if (!kind) return;
        const auto chair = token(find_val(p, "chair"));
        const auto seq = token_or_zero(find_val(p, "seq"));
        const auto ts = token_or_zero(find_val(p, "ts"));
        char out[256];
        const int n = std::snprintf(
            out, sizeof out,
            R"({"chair":"%s","seq":%s,"ts":%s,"kind":"%s","value":%g,"threshold":%d})",
            chair.c_str(), seq.c_str(), ts.c_str(), kind, value, threshold);
        try {
            pub_.publish("clinic/" + chair + "/alerts", out, static_cast<std::size_t>(n), qos_,
                         false);
        } catch (const mqtt::exception& e) {
            std::fprintf(stderr, "paho_relay: publish: %s\n", e.what());
        }
    }

  private:
    mqtt::async_client& sub_;
    mqtt::async_client& pub_;
    int qos_;
    std::string uri_;
    bool nodelay_;
};

}  // namespace

int main() {
    const char* host = std::getenv("MQTT_HOST") ? std::getenv("MQTT_HOST") : "127.0.0.1";
    const std::string uri =
        "tcp://" + std::string(host) + ":" + std::to_string(env_int("MQTT_PORT", 18830));
    const int qos = env_int("QOS", 0);
    const bool nodelay = env_int("NODELAY", 1) != 0;
    const bool split = env_int("SPLIT", 0) != 0;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    const std::string id = "paho-relay-" + std::to_string(getpid());
    try {
        mqtt::async_client sub(uri, id, mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
        std::unique_ptr<mqtt::async_client> pub;
        if (split)
            pub = std::make_unique<mqtt::async_client>(
                uri, id + "-pub", mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
        Relay relay(sub, pub ? *pub : sub, qos, uri, nodelay);
        sub.set_callback(relay);
        const auto opts = mqtt::connect_options_builder()
                              .clean_session(true)
                              .keep_alive_interval(std::chrono::seconds(30))
                              .finalize();
        if (pub) {
            pub->connect(opts)->wait();
            if (nodelay) chairwatch::drivers::set_tcp_nodelay_towards(uri);
        }
        sub.connect(opts)->wait();
        while (!stop)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        sub.disable_callbacks();
        sub.disconnect()->wait_for(std::chrono::seconds(2));
        if (pub) pub->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "paho_relay: %s\n", e.what());
        return 1;
    }
    return 0;
}
