// The nurse-station board served by chairwatchd: the page, its JSON API and live event
// stream, /healthz and /metrics. The daemon feeds it its events and gives it a Station (a
// read-only view plus the MQTT acknowledgement path). Its handlers run on the daemon's executor
// under the daemon's state lock (Station::state); on_events comes from whoever holds it.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "accounts/users_io.hpp"
#include "alerts/clinic.hpp"
#include "board/auth.hpp"
#include "board/chair_live.hpp"
#include "board/history.hpp"
#include "board/http_server.hpp"
#include "board/metrics.hpp"
#include "board/station.hpp"
#include "config/config.hpp"

namespace chairwatch::board {

// The server's limits from the http.* keys (also the group board's).
Limits limits_of(const config::HttpConfig& cfg);

class Board final : public Handler {
  public:
    Board(asio::io_context& io, const config::HttpConfig& cfg, Station station);
    ~Board() override;

    void start();
    void stop();
    // Token, accounts, station name, read-only and patient_ref apply at once; address and port
    // at restart.
    void reload(const config::HttpConfig& cfg);
    // Everything the clinic just did; remembered and pushed to the live views.
    void on_events(std::span<const alerts::ClinicEvent> events, alerts::Instant now);
    // The clinic forgot these chairs (idle past input.forget_chair_after_s): so does the board.
    void forget_chairs(const std::vector<std::string>& chairs);
    // Something about the chair changed outside a session (out of service): redraw its tile.
    void chair_changed(const std::string& chair);
    // A notification receipt (ACM dispatch status) for an alert: shown on its alarm.
    void on_receipt(const std::string& alert_id, const std::string& status,
                    const std::string& person);

    Reply handle(const Request& req, const std::string& client) override;
    void on_stream_open(const std::shared_ptr<HttpSession>& s, const std::string& key) override;
    void on_response(unsigned status) override;

  private:
    // routes (board_routes.cpp)
    Reply page(const Request& req, const Caller& who);
    Reply login_page(unsigned status, std::string_view message);
    Reply login(const Request& req, const std::string& client);
    Reply logout(const Request& req);
    Reply session_info(const Caller& who);
    Reply chairs(const Request& req, const Caller& who);
    Reply alarms(const Request& req, const Caller& who);
    Reply acknowledge(const Request& req, const Caller& who, std::string_view alert_id);
    Reply users(const Caller& who);
    Reply session_control(const Request& req, const Caller& who, const std::string& chair);
    // A change needs a person of `at_least` that role, the login's CSRF header, the same origin
    // and a JSON body: the refusal, or nullopt.
    std::optional<Reply> refuse_change(const Request& req, const Caller& who, Role at_least,
                                       std::string_view alert_id = {}) const;
    // history and handover (history_routes.cpp)
    Reply history(const Request& req, const Caller& who);
    Reply report_page(const Caller& who, std::string_view rest);
    Reply handover(const Caller& who);
    std::string records_dir() const;
    Reply health();
    Reply metrics();
    Reply asset(const Request& req, std::string_view name);
    Reply events(const Caller& who, const std::string& client);
    bool same_origin(const Request& req) const;

    // live pushes (board.cpp)
    std::string snapshot_json(alerts::Instant now, bool with_trends);
    std::string status_json(alerts::Instant now);
    void prune_streams();
    void broadcast(const char* event, const std::string& data);
    void schedule_flush(std::chrono::milliseconds delay);
    void flush();
    void schedule_tick();
    void on_tick();
    alerts::Instant now() const;
    // Re-reads http.users_file when it changed (checked at most once a second): `chairwatch
    // user` takes effect without a reload. A file with errors is logged and not taken.
    void refresh_users(alerts::Millis now, bool force = false);
    // The daemon's state lock, for the board's own handlers on the executor (station_.state).
    std::unique_lock<std::mutex> hold() const;

    asio::io_context& io_;
    config::HttpConfig cfg_;
    Station station_;
    Auth auth_;
    accounts::UsersWatch users_watch_;
    alerts::Millis users_checked_{0};
    Metrics metrics_;
    HttpStats http_;
    ChairLiveBook live_;
    History history_;
    HttpServer server_;
    asio::steady_timer flush_timer_;
    asio::steady_timer tick_timer_;
    std::set<std::string, std::less<>> dirty_;
    struct Stream {
        std::weak_ptr<HttpSession> session;
        std::string key;  // whose: a login, the bearer token, or an address (read-only board)
    };
    std::vector<Stream> streams_;  // oldest first
    alerts::Millis started_{0};
    alerts::Millis broker_since_{0};
    bool broker_up_{false};
    bool receiving_{true};       // the daemon's connection that brings readings
    std::string notify_failed_;  // receivers failed (notification_failed), comma-separated
    bool flush_pending_{false};
    bool stopped_{false};
    int ticks_{0};
};

}  // namespace chairwatch::board
