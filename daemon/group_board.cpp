#include "daemon/group_board.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstring>
#include <functional>
#include <string>

#include "board/board.hpp"
#include "board/group_model.hpp"
#include "board/group_routes.hpp"
#include "board/http_server.hpp"
#include "drivers/mqtt/mqtt_client.hpp"

namespace chairwatch::daemon {

namespace {

alerts::Millis wall_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::system_clock::now().time_since_epoch());
}

std::vector<board::GroupSite> sites_of(const config::GroupBoardConfig& cfg) {
    std::vector<board::GroupSite> out;
    for (const auto& s : cfg.sites)
        out.push_back({s.name, s.prefix, s.status_topic});
    return out;
}

// A receiving connection with a clean session: every (re)connection brings the retained lists
// and statuses again, and nothing is queued for the group board while it is away.
drivers::MqttSettings settings_of(const config::BrokerConfig& b) {
    drivers::MqttSettings ms;
    ms.uri = b.uri;
    ms.client_id = b.client_id;
    ms.username = b.username;
    ms.password = b.password;
    ms.tls = {b.tls.enabled, b.tls.ca_file, b.tls.cert_file, b.tls.key_file, b.tls.verify_hostname};
    ms.separate_publisher = false;
    ms.keepalive_s = b.keepalive_s;
    ms.reconnect_max_s = b.reconnect_max_s;
    ms.mqtt_version = b.mqtt_version;
    ms.clean_session = true;
    ms.session_expiry_s = 0;
    ms.max_payload_bytes = board::GroupLimits{}.max_payload_bytes;
    return ms;
}

class GroupBoard {
  public:
    GroupBoard(boost::asio::io_context& io, const config::GroupBoardConfig& cfg)
        : io_(io),
          model_(sites_of(cfg)),
          routes_(model_, cfg.http.token, cfg.http.read_only_without_token, cfg.http.station_name),
          server_(io, routes_) {
        server_.set_limits(board::limits_of(cfg.http));
        mqtt_ = drivers::make_paho_client(settings_of(cfg.broker), handlers());
        if (cfg.http.port != 0) server_.start(cfg.http.address, cfg.http.port);
        spdlog::info("group board: {} site(s), broker {}, http {}:{}", cfg.sites.size(),
                     cfg.broker.uri, cfg.http.address, cfg.http.port);
        mqtt_->connect();
    }

    void stop() {
        server_.stop();
        mqtt_->stop_receiving(std::chrono::seconds(2));
        mqtt_->disconnect(std::chrono::seconds(2));
    }

  private:
    // Paho's thread: everything goes to the executor, which alone touches the model.
    drivers::MqttHandlers handlers() {
        drivers::MqttHandlers h;
        h.on_message = [this](std::string_view t, std::string_view p) {
            boost::asio::post(io_, [this, t = std::string(t), p = std::string(p)] {
                model_.on_message(t, p, wall_now());
            });
        };
        h.on_connected = [this] { boost::asio::post(io_, [this] { on_connected(); }); };
        h.on_connection_lost = [this](std::string why) {
            boost::asio::post(io_, [this, why = std::move(why)] {
                spdlog::warn("group board: broker connection lost ({}): every site is stale", why);
                model_.set_connected(false, wall_now());
            });
        };
        h.on_connect_failed = [](std::string why) {
            spdlog::warn("group board: cannot connect to the broker: {}", why);
        };
        return h;
    }

    void on_connected() {
        for (const auto& f : model_.filters())
            mqtt_->subscribe(f, 1);
        model_.set_connected(true, wall_now());
        spdlog::info("group board: connected to the broker");
    }

    boost::asio::io_context& io_;
    board::GroupModel model_;
    board::GroupRoutes routes_;
    board::HttpServer server_;
    std::unique_ptr<drivers::MqttClient> mqtt_;
};

}  // namespace

int run_group_board(const config::GroupBoardConfig& cfg) {
    try {
        boost::asio::io_context io;
        GroupBoard board(io, cfg);
        boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
        std::function<void(boost::system::error_code, int)> on_signal =
            [&](boost::system::error_code ec, int sig) {
                if (ec) return;
                if (sig == SIGHUP) {
                    spdlog::warn("group board: SIGHUP ignored: restart it to read its file again");
                    signals.async_wait(on_signal);
                    return;
                }
                spdlog::info("group board: {} received, stopping", strsignal(sig));
                board.stop();
                io.stop();
            };
        signals.async_wait(on_signal);
        io.run();
    } catch (const std::exception& e) {
        spdlog::critical("group board failed: {}", e.what());
        return 1;
    }
    return 0;
}

}  // namespace chairwatch::daemon
