// The real Service with a scripted MQTT client (fake_mqtt.hpp), a clock the test moves, its
// session logs in a temporary directory and no board: for tests of the service tier.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "config/config.hpp"
#include "daemon/service.hpp"
#include "fake_mqtt.hpp"

namespace chairwatch::test {

using namespace std::chrono_literals;

inline boost::json::object json_of(const Published& p) {
    return boost::json::parse(p.payload).as_object();
}

inline std::string text_of(const boost::json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

struct ServiceRig {
    // The shipped config with the given replacements of exact substrings.
    explicit ServiceRig(
        const std::vector<std::pair<std::string, std::string>>& edits = {},
        const std::string& append = "",
        std::function<std::unique_ptr<drivers::notify::Transport>(const config::Receiver&)>
            notify_transport = {},
        std::filesystem::path keep_dir = {}) {
        static int n = 0;
        dir = std::filesystem::temp_directory_path() /
              ("cw-service-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        if (!keep_dir.empty()) {  // a restart: the same logs and outboxes
            dir = keep_dir;
            keep = true;
        } else {
            std::filesystem::remove_all(dir);
        }
        std::filesystem::create_directories(dir);
        std::string text;
        {
            std::ifstream in(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
            text.assign(std::istreambuf_iterator<char>(in), {});
        }
        for (const auto& [from, to] : edits) {
            const auto at = text.find(from);
            REQUIRE_MESSAGE(at != std::string::npos, "shipped config has no '" << from << "'");
            text.replace(at, from.size(), to);
        }
        text += append;
        auto cfg = config::load_config_text(text, "chairwatch.yaml");
        for (const auto& e : cfg.errors)
            INFO(e.format());
        REQUIRE(cfg.config);
        cfg.config->sessions.log_dir = (dir / "sessions").string();
        cfg.config->broker.queue_dir = (dir / "queue").string();
        cfg.config->http.port = 0;
        cfg.config->notifications.outbox_dir = (dir / "notify").string();
        daemon::ServiceParts parts;
        parts.mqtt = [this](const drivers::MqttSettings&, drivers::MqttHandlers h) {
            auto fake = std::make_unique<FakeMqtt>(std::move(h));
            mqtt = fake.get();
            return fake;
        };
        parts.clock = [this] { return now; };
        parts.notify_transport = std::move(notify_transport);
        service = std::make_unique<daemon::Service>(io, std::move(*cfg.config), std::move(parts));
    }
    ~ServiceRig() {
        service.reset();
        if (!keep) std::filesystem::remove_all(dir);
    }

    // Starts the service and brings its broker connections up.
    void start() {
        service->start();
        mqtt->come_up();
        settle();
    }
    // Runs what the service posted to its executor.
    void settle() {
        io.restart();
        io.poll();
    }
    // As Paho delivers a message: on this thread, then whatever it posted.
    void deliver(const std::string& topic, const std::string& payload) {
        mqtt->deliver(topic, payload);
        settle();
    }
    // Moves the service's clock, then lets its timers (the 1 s tick) run for a little over
    // a second of real time.
    void advance(alerts::Millis d) {
        now.mono += d;
        now.wall += d;
        io.restart();
        io.run_for(1200ms);
    }

    boost::asio::io_context io;
    std::filesystem::path dir;
    bool keep{false};  // the directory belongs to the rig that made it
    FakeMqtt* mqtt{nullptr};
    alerts::Instant now{alerts::Millis(1'000'000),
                        std::chrono::duration_cast<alerts::Millis>(
                            std::chrono::system_clock::now().time_since_epoch())};
    std::unique_ptr<daemon::Service> service;
};

}  // namespace chairwatch::test
