#include "board/board.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "alerts/time_format.hpp"
#include "board/chair_json.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::board {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto urgent_flush = milliseconds(100);    // alarms, phases, sessions
constexpr auto reading_flush = milliseconds(1000);  // readings alone: once a second
constexpr auto tick_interval = milliseconds(500);
constexpr int heartbeat_ticks = 4;  // a status event every 2 s keeps the page's link check alive

std::string sse(const char* event, const std::string& data) {
    std::string out;
    out.reserve(data.size() + 32);
    out += "event: ";
    out += event;
    out += "\ndata: ";
    out += data;  // compact JSON: never a line break
    out += "\n\n";
    return out;
}

}  // namespace

Limits limits_of(const config::HttpConfig& cfg) {
    Limits l;
    l.max_connections = static_cast<std::size_t>(cfg.max_connections);
    l.max_per_client = static_cast<std::size_t>(cfg.max_connections_per_client);
    l.header_timeout = std::chrono::seconds(cfg.header_timeout_s);
    l.idle_timeout = std::chrono::seconds(cfg.idle_timeout_s);
    return l;
}

Board::Board(asio::io_context& io, const config::HttpConfig& cfg, Station station)
    : io_(io),
      cfg_(cfg),
      station_(std::move(station)),
      server_(io, *this),
      flush_timer_(io),
      tick_timer_(io) {
    auth_.configure(cfg_.token, cfg_.read_only_without_token, cfg_.login_timeout);
    refresh_users(now().mono, true);
    server_.set_limits(limits_of(cfg_));
}

Board::~Board() {
    stop();
}

std::unique_lock<std::mutex> Board::hold() const {
    return station_.hold();
}

alerts::Instant Board::now() const {
    return {duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()),
            duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
}

void Board::start() {
    started_ = broker_since_ = now().mono;
    if (cfg_.port == 0) {
        spdlog::info("board: off (http.port is 0)");
        return;
    }
    if (auth_.users().list.empty())
        spdlog::warn(
            "board: no accounts in {}: nobody can log in to acknowledge (chairwatch user "
            "add){}",
            cfg_.users_file, cfg_.read_only_without_token ? "; read-only board enabled" : "");
    server_.start(cfg_.address, cfg_.port);
    schedule_tick();
}

void Board::stop() {
    if (stopped_) return;
    stopped_ = true;
    flush_timer_.cancel();
    tick_timer_.cancel();
    server_.stop();
    streams_.clear();
}

void Board::reload(const config::HttpConfig& cfg) {
    if (cfg.address != cfg_.address || cfg.port != cfg_.port)
        spdlog::warn("reload: http address or port changed; it takes effect at the next restart");
    const auto address = cfg_.address;
    const auto port = cfg_.port;
    cfg_ = cfg;
    cfg_.address = address;
    cfg_.port = port;
    auth_.configure(cfg_.token, cfg_.read_only_without_token, cfg_.login_timeout);
    refresh_users(now().mono, true);
    server_.set_limits(limits_of(cfg_));
    for (const auto& chair : station_.clinic().chairs())
        dirty_.insert(chair);
    schedule_flush(urgent_flush);
}

void Board::refresh_users(alerts::Millis now, bool force) {
    if (!force && now - users_checked_ < std::chrono::seconds(1)) return;
    users_checked_ = now;
    if (force || users_watch_.path() != cfg_.users_file)
        users_watch_ = accounts::UsersWatch(cfg_.users_file);
    if (!users_watch_.changed()) return;
    if (std::error_code ec; !std::filesystem::exists(cfg_.users_file, ec)) {
        if (!auth_.users().list.empty())
            spdlog::warn("board: {} is gone: no accounts", cfg_.users_file);
        auth_.set_users({});
        return;
    }
    auto parsed = accounts::load_users(cfg_.users_file);
    if (!parsed.errors.empty()) {
        for (const auto& e : parsed.errors)
            spdlog::error("board: accounts not changed: {}", e);
        return;
    }
    spdlog::info("board: {} accounts from {}", parsed.users.list.size(), cfg_.users_file);
    auth_.set_users(std::move(parsed.users));
}

void Board::forget_chairs(const std::vector<std::string>& chairs) {
    for (const auto& c : chairs) {
        live_.forget(c);
        dirty_.erase(c);
        std::string out;
        drivers::JsonWriter w(out);
        w.begin_object();
        w.key("chair").value(c);
        w.end_object();
        broadcast("gone", out);  // open boards drop its tile
    }
}

void Board::chair_changed(const std::string& chair) {
    dirty_.insert(chair);
    schedule_flush(urgent_flush);
}

void Board::on_receipt(const std::string& alert_id, const std::string& status,
                       const std::string& person) {
    const auto id = alerts::parse_alert_id(alert_id);
    if (!id) return;
    auto text = status + (person.empty() ? "" : " by " + person);
    if (!live_.on_receipt(id->chair, id->session_id, id->alarm_no, std::move(text))) return;
    dirty_.emplace(id->chair);
    schedule_flush(urgent_flush);
}

void Board::on_events(std::span<const alerts::ClinicEvent> events, alerts::Instant t) {
    bool urgent = false;
    for (const auto& e : events) {
        const auto chair = live_.on_event(e, t);
        if (chair.empty()) continue;
        if (dirty_.find(chair) == dirty_.end()) dirty_.emplace(chair);
        if (e.type == alerts::ClinicEvent::Type::alarm) {
            metrics_.on_alarm(e.alarm);
            urgent = true;
        } else if (e.type != alerts::ClinicEvent::Type::reading) {
            urgent = true;
        }
    }
    if (!dirty_.empty()) schedule_flush(urgent ? urgent_flush : reading_flush);
}

// Coalesces changes; an urgent change brings a pending flush forward.
void Board::schedule_flush(milliseconds delay) {
    if (stopped_) return;
    const auto at = std::chrono::steady_clock::now() + delay;
    if (flush_pending_ && flush_timer_.expiry() <= at) return;
    flush_pending_ = true;
    flush_timer_.expires_at(at);  // a wait already pending ends with operation_aborted
    flush_timer_.async_wait([this](boost::system::error_code ec) {
        const auto state = hold();
        if (ec) return;
        flush_pending_ = false;
        flush();
    });
}

// Streams that closed go; so do those of a login that ended (logged out, expired, its user
// disabled or changed): no more live data for it. Its page reconnects and is sent to the login.
void Board::prune_streams() {
    const auto t = now().mono;
    std::erase_if(streams_, [&](const Stream& st) {
        auto s = st.session.lock();
        if (!s || !s->open()) return true;
        constexpr std::string_view login = "login:";
        if (!st.key.starts_with(login) ||
            auth_.open(std::string_view(st.key).substr(login.size()), t))
            return false;
        s->close();
        ++http_.streams_ended;
        return true;
    });
    http_.event_streams = streams_.size();
}

void Board::broadcast(const char* event, const std::string& data) {
    prune_streams();
    if (streams_.empty()) return;
    auto message = std::make_shared<const std::string>(sse(event, data));
    for (const auto& st : streams_)
        if (auto s = st.session.lock()) s->send(message);
    http_.event_streams = streams_.size();
}

// One `chair` event per chair that changed since the last flush.
// With no board open, nothing is rendered: a stream that opens starts from a full snapshot.
void Board::flush() {
    if (dirty_.empty()) return;
    prune_streams();
    if (streams_.empty()) {
        dirty_.clear();
        return;
    }
    const auto t = now();
    const ViewOptions base{cfg_.show_patient_ref, false};
    for (const auto& chair : dirty_) {
        auto* live = live_.find(chair);
        ViewOptions opt = base;
        opt.with_trend = live && live->trend_changed;
        if (live) live->trend_changed = false;
        std::string out;
        drivers::JsonWriter w(out);
        write_chair(w, station_, chair, live, t, opt);
        broadcast("chair", out);
    }
    dirty_.clear();
}

void Board::schedule_tick() {
    tick_timer_.expires_after(tick_interval);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        const auto state = hold();
        if (ec || stopped_) return;
        on_tick();
        schedule_tick();
    });
}

void Board::on_tick() {
    refresh_users(now().mono);
    prune_streams();
    const bool was = broker_up_, was_receiving = receiving_;
    const auto was_failed = notify_failed_;
    auto status = status_json(now());
    if (was != broker_up_ || was_receiving != receiving_ || was_failed != notify_failed_ ||
        ++ticks_ % heartbeat_ticks == 0)
        broadcast("status", status);
}

std::string Board::status_json(alerts::Instant t) {
    const auto st = station_.stats();
    if (st.broker_connected != broker_up_) {
        broker_up_ = st.broker_connected;
        broker_since_ = t.mono;
    }
    // Only the receiving connection down (alerts still go out) has a banner of its own; both
    // down is the broker banner.
    receiving_ = st.receiving || !st.publishing;
    notify_failed_.clear();
    for (const auto& r : st.notify)
        if (r.failing) notify_failed_ += (notify_failed_.empty() ? "" : ", ") + r.name;
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("server_time").time(t.wall);
    w.key("broker_connected").value(broker_up_);
    w.key("broker_since").time(t.wall - (t.mono - broker_since_));
    w.key("receiving").value(receiving_);
    // notification_failed: the receivers that page nurses and cannot be reached.
    w.key("notify_failed").value(notify_failed_);
    w.key("uptime_s").number(static_cast<double>((t.mono - started_).count()) / 1000.0, 0);
    w.key("station").value(cfg_.station_name);
    w.end_object();
    return out;
}

std::string Board::snapshot_json(alerts::Instant t, bool with_trends) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("server_time").time(t.wall);
    w.key("station").value(cfg_.station_name);
    const auto st = station_.stats();
    w.key("broker_connected").value(st.broker_connected);
    w.key("receiving").value(st.receiving || !st.publishing);
    w.key("chairs").begin_array();
    const ViewOptions opt{cfg_.show_patient_ref, with_trends};
    for (const auto& chair : station_.clinic().chairs())
        write_chair(w, station_, chair, live_.find(chair), t, opt);
    w.end_array();
    w.end_object();
    return out;
}

void Board::on_stream_open(const std::shared_ptr<HttpSession>& s, const std::string& key) {
    const auto state = hold();
    if (stopped_) return;
    streams_.push_back({s, key});
    http_.event_streams = streams_.size();
    const auto t = now();
    s->send(std::make_shared<const std::string>("retry: 2000\n\n"));
    s->send(std::make_shared<const std::string>(sse("snapshot", snapshot_json(t, true))));
    s->send(std::make_shared<const std::string>(sse("status", status_json(t))));
}

void Board::on_response(unsigned status) {
    const auto state = hold();
    ++http_.responses[status];
}

}  // namespace chairwatch::board
