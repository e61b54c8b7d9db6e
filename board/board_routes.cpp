// The board's HTTP routes: which caller may do what, and the answer to each request.
#include <algorithm>
#include <boost/json.hpp>

#include "alerts/time_format.hpp"
#include "board/assets.hpp"
#include "board/board.hpp"
#include "board/chair_json.hpp"
#include "board/replies.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/json_writer.hpp"
#include "drivers/codec/text_rules.hpp"
#include "report/report_format.hpp"

namespace chairwatch::board {

namespace {

constexpr auto stream_retry_after_s = 5;  // a board refused for max_streams tries again

bool valid_alert_id(std::string_view id) {
    if (id.empty() || id.size() > 200) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
            c != ':')
            return false;
    return true;
}

// The request body of an acknowledgement: {"by": "<1-128 characters>"}, nothing else.
std::variant<std::string, std::string> parse_ack_body(std::string_view body) {
    using Result = std::variant<std::string, std::string>;
    const auto bad = [](std::string m) { return Result(std::in_place_index<1>, std::move(m)); };
    boost::json::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        return bad("the body must be a JSON object: {\"by\": \"who acknowledges\"}");
    const auto& o = v.as_object();
    for (const auto& kv : o)
        if (kv.key() != "by")
            return bad("unknown field '" + std::string(kv.key()).substr(0, 40) + "'");
    const auto* by = o.if_contains("by");
    if (!by || !by->is_string()) return bad("by is missing (who acknowledges)");
    const auto& s = by->get_string();
    if (s.empty() || s.size() > 128) return bad("by must be 1 to 128 characters");
    if (const auto fault = drivers::text_fault(s)) return bad("by " + std::string(*fault));
    return Result(std::in_place_index<0>, std::string(s));
}

}  // namespace

Reply Board::handle(const Request& req, const std::string& client) {
    const auto state = hold();
    const auto target = std::string_view(req.target().data(), req.target().size());
    const auto path = target.substr(0, target.find('?'));
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    const auto t = now();
    const auto who = auth_.identify(
        std::string_view(req[http::field::authorization].data(),
                         req[http::field::authorization].size()),
        std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()), t.mono);

    if (path == "/healthz") return get ? health() : not_allowed("GET, HEAD");
    if (path == "/metrics") return get ? metrics() : not_allowed("GET, HEAD");
    if (path == "/login") {
        if (get) return login_page(200, "");
        return method == http::verb::post ? login(req, client) : not_allowed("GET, HEAD, POST");
    }
    if (path == "/logout") return method == http::verb::post ? logout(req) : not_allowed("POST");
    if (path == "/" || path == "/index.html")
        return get ? page(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/session") return get ? session_info(who) : not_allowed("GET, HEAD");
    if (path == "/api/chairs") return get ? chairs(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/alarms") return get ? alarms(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/history") return get ? history(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/handover") return get ? handover(who) : not_allowed("GET, HEAD");
    if (constexpr std::string_view reports = "/reports/"; path.starts_with(reports))
        return get ? report_page(who, path.substr(reports.size())) : not_allowed("GET, HEAD");
    if (path == "/events")
        return method == http::verb::get ? events(who, client) : not_allowed("GET");
    constexpr std::string_view alarms_prefix = "/api/alarms/", ack_suffix = "/ack";
    if (path.starts_with(alarms_prefix) && path.ends_with(ack_suffix) &&
        path.size() > alarms_prefix.size() + ack_suffix.size()) {
        if (method != http::verb::post) return not_allowed("POST");
        return acknowledge(
            req, who,
            percent_decoded(path.substr(alarms_prefix.size(),
                                        path.size() - alarms_prefix.size() - ack_suffix.size()),
                            false));
    }
    if (path.size() > 1 && path.find('/', 1) == std::string_view::npos && path != "/index.html" &&
        path != "/login.html")
        if (find_asset(path.substr(1)))
            return get ? asset(req, path.substr(1)) : not_allowed("GET, HEAD");
    return error(404, "no such page");
}

Reply Board::asset(const Request& req, std::string_view name) {
    const auto* a = find_asset(name);
    if (req[http::field::if_none_match] == a->etag) {
        Reply r{make(304, a->content_type, "")};
        r.res.set(http::field::etag, a->etag);
        r.res.set(http::field::cache_control, "no-cache");
        return r;
    }
    Reply r{make(200, a->content_type, std::string(a->body))};
    r.res.set(http::field::etag, a->etag);
    r.res.set(http::field::cache_control, "no-cache");
    return r;
}

Reply Board::page(const Request& req, const Caller& who) {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token");
    if (who.access == Access::none) return redirect("/login");
    (void)req;
    const auto* a = find_asset("index.html");
    return {make(200, a->content_type, std::string(a->body))};
}

Reply Board::login_page(unsigned status, std::string_view message) {
    const auto* a = find_asset("login.html");
    std::string body(a->body);
    constexpr std::string_view marker = "<!--MESSAGE-->";
    std::string text;
    if (!message.empty())
        text = "<p class=\"login-error\" role=\"alert\">" + report::html_escape(message) + "</p>";
    if (!auth_.has_token())
        text +=
            "<p class=\"login-error\" role=\"alert\">No station token is configured "
            "(http.token_file): nobody can log in.</p>";
    if (auto pos = body.find(marker); pos != std::string::npos)
        body.replace(pos, marker.size(), text);
    const auto station = report::html_escape(cfg_.station_name);
    constexpr std::string_view name_marker = "<!--STATION-->";
    if (auto pos = body.find(name_marker); pos != std::string::npos)
        body.replace(pos, name_marker.size(), station);
    return {make(status, a->content_type, std::move(body))};
}

bool Board::same_origin(const Request& req) const {
    const auto site = req["Sec-Fetch-Site"];
    if (!site.empty() && site != "same-origin" && site != "none") return false;
    const auto origin = req[http::field::origin];
    if (origin.empty()) return true;
    const auto host = req[http::field::host];
    return !host.empty() && origin == "http://" + std::string(host);
}

Reply Board::login(const Request& req, const std::string& client) {
    const auto t = now();
    if (!same_origin(req)) return login_page(403, "Cross-site login refused.");
    if (!auth_.has_token()) return login_page(403, "");
    if (auth_.rate_limited(client, t.mono))
        return login_page(429, "Too many attempts: wait a minute.");
    const auto id = auth_.login(form_field(req.body(), "token"), client, t.mono);
    if (!id) {
        ++http_.logins_failed;
        return login_page(401, "That is not the station token.");
    }
    ++http_.logins_ok;
    auto r = redirect("/");
    r.res.set(http::field::set_cookie,
              std::string(Auth::cookie_name) + "=" + *id +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(std::chrono::seconds(Auth::session_lifetime).count()));
    return r;
}

Reply Board::logout(const Request& req) {
    if (!same_origin(req)) return error(403, "cross-site request refused");
    auth_.logout(
        std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()));
    auto r = redirect("/login");
    r.res.set(http::field::set_cookie,
              std::string(Auth::cookie_name) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return r;
}

Reply Board::session_info(const Caller& who) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("station").value(cfg_.station_name);
    w.key("can_read").value(who.access == Access::read || who.access == Access::write);
    w.key("can_ack").value(who.access == Access::write);
    w.key("logged_in").value(who.via_cookie);
    w.key("login_available").value(auth_.has_token());
    if (who.via_cookie) w.key("csrf").value(who.csrf);
    w.key("version").value(CHAIRWATCH_VERSION);
    w.end_object();
    return json(200, std::move(out));
}

Reply Board::chairs(const Request&, const Caller& who) {
    if (auto r = refuse_reader(who)) return std::move(*r);
    return json(200, snapshot_json(now(), true));
}

Reply Board::alarms(const Request&, const Caller& who) {
    if (auto r = refuse_reader(who)) return std::move(*r);
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("server_time").time(now().wall);
    write_alarms(w, station_.clinic());
    w.end_object();
    return json(200, std::move(out));
}

// A login's newest stream replaces its oldest beyond max_streams_per_login (a board that lost
// its network and reconnects must not lock itself out); beyond max_streams in all, 503.
Reply Board::events(const Caller& who, const std::string& client) {
    if (auto r = refuse_reader(who)) return std::move(*r);
    prune_streams();
    std::string key = who.via_cookie                ? "login:" + who.login
                      : who.access == Access::write ? std::string("token")
                                                    : "address:" + client;
    const auto mine = std::count_if(streams_.begin(), streams_.end(),
                                    [&](const Stream& st) { return st.key == key; });
    if (mine >= cfg_.max_streams_per_login) {
        const auto oldest = std::find_if(streams_.begin(), streams_.end(),
                                         [&](const Stream& st) { return st.key == key; });
        if (auto s = oldest->session.lock()) s->close();
        streams_.erase(oldest);
        ++http_.streams_replaced;
    } else if (streams_.size() >= static_cast<std::size_t>(cfg_.max_streams)) {
        ++http_.streams_refused;
        auto r = error(503, "too many boards are open (http.max_streams); try again shortly");
        r.res.set(http::field::retry_after, std::to_string(stream_retry_after_s));
        return r;
    }
    http_.event_streams = streams_.size();
    Reply r{make(200, "text/event-stream", "")};
    r.res.erase(http::field::content_length);
    r.res.set("X-Accel-Buffering", "no");
    r.event_stream = true;
    r.stream_key = std::move(key);
    return r;
}

Reply Board::acknowledge(const Request& req, const Caller& who, std::string_view alert_id) {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token", alert_id);
    if (who.access != Access::write)
        return error(401, "acknowledging needs the station token (log in at /login)", alert_id);
    if (who.via_cookie &&
        (!same_origin(req) || !Auth::same(req["X-CSRF-Token"], who.csrf) || who.csrf.empty()))
        return error(403, "cross-site request refused (missing or wrong X-CSRF-Token)", alert_id);
    const auto type = req[http::field::content_type];
    if (type.substr(0, 16) != "application/json")
        return error(415, "Content-Type must be application/json", alert_id);
    auto body = parse_ack_body(req.body());
    if (body.index() == 1) return error(400, std::get<1>(body), alert_id);
    const auto& by = std::get<0>(body);
    if (!valid_alert_id(alert_id)) return error(404, "unknown alert_id", alert_id);

    // The id names its chair; the chair's open session decides whether it is one of its alarms.
    const auto parsed = alerts::parse_alert_id(alert_id);
    if (!parsed) return error(404, alerts::to_string(alerts::AckResult::malformed), alert_id);
    const auto* session = station_.clinic().session(parsed->chair);
    if (!session || session->id != parsed->session_id)
        return error(404, alerts::to_string(alerts::AckResult::not_open_session), alert_id);
    const std::string chair(parsed->chair);
    std::string payload;
    drivers::JsonWriter pw(payload);
    pw.begin_object();
    pw.key("alert_id").value(alert_id);
    pw.key("by").value(by);
    pw.end_object();
    const auto reply = station_.acknowledge(chair, payload);
    if (!reply.result) return error(400, reply.error, alert_id);
    switch (*reply.result) {
        case alerts::AckResult::ok:
            break;
        case alerts::AckResult::unknown:
        case alerts::AckResult::malformed:
        case alerts::AckResult::other_chair:
        case alerts::AckResult::not_open_session:
            return error(404, reply.error, alert_id);
        case alerts::AckResult::already_cleared:
        case alerts::AckResult::already_acknowledged:
            return error(409, reply.error, alert_id);
    }
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("ok").value(true);
    w.key("alert_id").value(alert_id);
    w.key("chair").value(chair);
    w.key("acknowledged_by").value(by);
    w.key("ts").time(now().wall);
    w.end_object();
    return json(200, std::move(out));
}

Reply Board::health() {
    const auto t = now();
    const auto st = station_.stats();
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("status").value(st.broker_connected ? "ok" : "broker_down");
    w.key("broker").begin_object();
    w.key("connected").value(st.broker_connected);
    w.key("receiving").value(st.receiving);
    w.key("outgoing_queue").value(static_cast<std::uint64_t>(st.outgoing_queue));
    w.end_object();
    w.key("uptime_s").number(static_cast<double>((t.mono - started_).count()) / 1000.0, 0);
    w.key("sessions_active").value(static_cast<std::uint64_t>(station_.clinic().open_sessions()));
    w.key("version").value(CHAIRWATCH_VERSION);
    w.key("ts").time(t.wall);
    w.end_object();
    return json(st.broker_connected ? 200 : 503, std::move(out));
}

Reply Board::metrics() {
    http_.connections = server_.connections();
    http_.server = server_.counters();
    const auto uptime = static_cast<double>((now().mono - started_).count()) / 1000.0;
    return {make(200, "text/plain; version=0.0.4; charset=utf-8",
                 metrics_.render(station_, http_, uptime))};
}

}  // namespace chairwatch::board
