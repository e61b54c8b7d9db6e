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
#include "drivers/codec/payload_codec.hpp"
#include "drivers/codec/text_rules.hpp"
#include "report/report_format.hpp"

namespace chairwatch::board {

namespace {

constexpr auto stream_retry_after_s = 5;  // a board refused for max_streams tries again

// The login page's second form, shown when a station token is configured.
constexpr std::string_view token_form = R"(<details class="token-login">
    <summary>Wall display (read-only): log in with the station token</summary>
    <form method="post" action="/login">
      <label for="token">Station token</label>
      <input id="token" name="token" type="password" autocomplete="off" required>
      <button type="submit">Show the board</button>
    </form>
  </details>)";

// The part of `path` between `prefix` and `suffix`, decoded; nullopt unless the path has both
// with something between them.
std::optional<std::string> between(std::string_view path, std::string_view prefix,
                                   std::string_view suffix) {
    if (!path.starts_with(prefix) || !path.ends_with(suffix) ||
        path.size() <= prefix.size() + suffix.size())
        return std::nullopt;
    return percent_decoded(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()),
                           false);
}

bool valid_alert_id(std::string_view id) {
    if (id.empty() || id.size() > 200) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
            c != ':')
            return false;
    return true;
}

// The request body of an acknowledgement: a JSON object ({} or empty) with, optionally, what
// was done: "action_taken" (one of sessions.ack_actions, checked on the MQTT path) and
// "action_note" (free text); nothing else. Who acknowledges is the logged-in person (`user`),
// never the body: a body's "by" is refused. The MQTT ack payload it becomes, or an error.
struct AckBody {
    std::string payload;
    std::string by;
};
std::variant<AckBody, std::string> ack_payload(std::string_view body, std::string_view alert_id,
                                               const std::string& user) {
    using Result = std::variant<AckBody, std::string>;
    const auto bad = [](std::string m) { return Result(std::in_place_index<1>, std::move(m)); };
    boost::json::object o;
    if (!body.empty()) {
        boost::json::error_code ec;
        auto v = boost::json::parse(body, ec);
        if (ec || !v.is_object()) return bad("the body must be a JSON object: {}");
        o = std::move(v.as_object());
    }
    for (const auto& kv : o) {
        if (kv.key() == "by")
            return bad("by comes from your login, not from the body: leave it out");
        if (kv.key() != "action_taken" && kv.key() != "action_note")
            return bad("unknown field '" + std::string(kv.key()).substr(0, 40) + "'");
        if (!kv.value().is_string()) return bad(std::string(kv.key()) + " must be a string");
    }
    std::string payload;
    drivers::JsonWriter w(payload);
    w.begin_object();
    w.key("alert_id").value(alert_id);
    w.key("by").value(user);
    for (const auto& kv : o)
        w.key(kv.key()).value(std::string_view(kv.value().get_string()));
    w.end_object();
    return Result(std::in_place_index<0>, AckBody{std::move(payload), user});
}

// A session message from the board: as sent, but the logged-in person is its "by" (who
// observed, paused, resumed or changed a limit), whatever the body says. Not an object: as sent
// (refused later).
std::string with_user(std::string_view body, const std::string& user) {
    boost::json::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return std::string(body);
    v.as_object()["by"] = user;
    return boost::json::serialize(v);
}

// Taking a chair out of service and back is for admins; every other session message is for a
// nurse or above.
Role role_for(std::string_view body) {
    boost::json::error_code ec;
    const auto v = boost::json::parse(body, ec);
    const auto* action = !ec && v.is_object() ? v.as_object().if_contains("action") : nullptr;
    if (action && action->is_string() &&
        (action->get_string() == "out_of_service" || action->get_string() == "in_service"))
        return Role::admin;
    return Role::nurse;
}

}  // namespace

Reply Board::handle(const Request& req, const std::string& client) {
    const auto target = std::string_view(req.target().data(), req.target().size());
    const auto path = target.substr(0, target.find('?'));
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    const auto t = now();
    refresh_users(t.mono);
    // A password check takes about 0.1 s: not while holding the daemon's state.
    if (path == "/login" && method == http::verb::post) return login(req, client);
    const auto who = auth_.identify(
        std::string_view(req[http::field::authorization].data(),
                         req[http::field::authorization].size()),
        std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()), t.mono);
    // Nor the session records' files (thousands, each read once, then looked at again at each
    // request), for a reader of the history or handover.
    if (get && (path == "/api/history" || path == "/api/handover") &&
        (who.access == Access::read || who.access == Access::write))
        history_.refresh(records_dir());
    const auto state = hold();

    if (path == "/healthz") return get ? health() : not_allowed("GET, HEAD");
    if (path == "/metrics") return get ? metrics() : not_allowed("GET, HEAD");
    if (path == "/login") {
        return get ? login_page(200, "") : not_allowed("GET, HEAD, POST");
    }
    if (path == "/logout") return method == http::verb::post ? logout(req) : not_allowed("POST");
    if (path == "/" || path == "/index.html")
        return get ? page(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/session") return get ? session_info(who) : not_allowed("GET, HEAD");
    if (path == "/api/chairs") return get ? chairs(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/alarms") return get ? alarms(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/users") return get ? users(who) : not_allowed("GET, HEAD");
    if (path == "/api/history") return get ? history(req, who) : not_allowed("GET, HEAD");
    if (path == "/api/handover") return get ? handover(who) : not_allowed("GET, HEAD");
    if (constexpr std::string_view reports = "/reports/"; path.starts_with(reports))
        return get ? report_page(who, path.substr(reports.size())) : not_allowed("GET, HEAD");
    if (path == "/events")
        return method == http::verb::get ? events(who, client) : not_allowed("GET");
    const bool post = method == http::verb::post;
    if (const auto id = between(path, "/api/alarms/", "/ack"))
        return post ? acknowledge(req, who, *id) : not_allowed("POST");
    if (const auto chair = between(path, "/api/chairs/", "/session"))
        return post ? session_control(req, who, *chair) : not_allowed("POST");
    if (path.size() > 1 && path.find('/', 1) == std::string_view::npos && path != "/index.html" &&
        path != "/login.html")
        if (find_asset(path.substr(1)))
            return get ? asset(req, path.substr(1)) : not_allowed("GET, HEAD");
    return error(404, "no such page");
}

Reply Board::asset(const Request& req, std::string_view name) {
    return asset_reply(req, *find_asset(name));
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
    if (!auth_.has_token() && auth_.users().list.empty())
        text +=
            "<p class=\"login-error\" role=\"alert\">No accounts (http.users_file) and no "
            "station token (http.token_file): nobody can log in.</p>";
    if (auto pos = body.find(marker); pos != std::string::npos)
        body.replace(pos, marker.size(), text);
    constexpr std::string_view token_marker = "<!--TOKEN-->";
    if (auto pos = body.find(token_marker); pos != std::string::npos)
        body.replace(pos, token_marker.size(),
                     auth_.has_token() ? std::string(token_form) : std::string());
    const auto station = report::html_escape(cfg_.station_name);
    constexpr std::string_view name_marker = "<!--STATION-->";
    if (auto pos = body.find(name_marker); pos != std::string::npos)
        body.replace(pos, name_marker.size(), station);
    return {make(status, a->content_type, std::move(body))};
}

bool Board::same_origin(const Request& req) const {
    return board::same_origin(req);
}

// A person's login (name and password) or, from the form's second part, the station token's
// read-only wall-display login.
Reply Board::login(const Request& req, const std::string& client) {
    const auto t = now();
    if (!same_origin(req)) return login_page(403, "Cross-site login refused.");
    if (auth_.rate_limited(client, t.mono))
        return login_page(429, "Too many attempts: wait a minute.");
    const auto token = form_field(req.body(), "token");
    const bool by_token = !token.empty();
    if (by_token && !auth_.has_token()) return login_page(403, "");
    const auto id = by_token
                        ? auth_.login(token, client, t.mono)
                        : auth_.login_person(form_field(req.body(), "user"),
                                             form_field(req.body(), "password"), client, t.mono);
    if (!id) {
        ++http_.logins_failed;
        return login_page(401, by_token ? "That is not the station token."
                                        : "Wrong name or password, or the account is disabled.");
    }
    ++http_.logins_ok;
    return logged_in(*id, auth_.lifetime());
}

Reply Board::logout(const Request& req) {
    auto r = log_out(auth_, req);
    prune_streams();  // the login's boards stop at once
    return r;
}

Reply Board::session_info(const Caller& who) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("station").value(cfg_.station_name);
    w.key("can_read").value(who.access == Access::read || who.access == Access::write);
    w.key("can_ack").value(may(who, Role::nurse));
    w.key("can_admin").value(may(who, Role::admin));
    w.key("logged_in").value(who.via_cookie);
    w.key("user").value(who.user);
    w.key("role").value(to_string(who.role));
    w.key("login_available").value(auth_.has_token() || !auth_.users().list.empty());
    if (who.via_cookie) w.key("csrf").value(who.csrf);
    const auto choices = station_.choices();
    w.key("profiles").begin_array();
    for (const auto& [name, route] : choices.profiles)
        w.begin_object().key("name").value(name).key("route").value(route).end_object();
    w.end_array();
    w.key("ack_actions").begin_array();
    for (const auto& a : choices.ack_actions)
        w.value(a);
    w.end_array();
    w.key("max_feed_pause_min").value(choices.max_feed_pause_min);
    w.key("version").value(CHAIRWATCH_VERSION);
    w.end_object();
    return json(200, std::move(out));
}

namespace {

// 401 for a caller who is not a person, 403 for a person whose role is below `at_least`.
std::optional<Reply> refuse_role(const Caller& who, Role at_least, std::string_view alert_id = {}) {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token", alert_id);
    if (may(who, at_least)) return std::nullopt;
    if (who.user.empty())
        return error(401, "this needs a person's login (log in at /login with your name)",
                     alert_id);
    return error(403,
                 "your role (" + std::string(to_string(who.role)) + ") may not do this: it needs " +
                     std::string(to_string(at_least)) + " or above",
                 alert_id);
}

}  // namespace

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
    std::string key = who.via_cookie  ? "login:" + who.login
                      : who.via_token ? std::string("token")
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

std::optional<Reply> Board::refuse_change(const Request& req, const Caller& who, Role at_least,
                                          std::string_view alert_id) const {
    if (auto r = refuse_role(who, at_least, alert_id)) return r;
    if (!same_origin(req) || who.csrf.empty() || !Auth::same(req["X-CSRF-Token"], who.csrf))
        return error(403, "cross-site request refused (missing or wrong X-CSRF-Token)", alert_id);
    if (req[http::field::content_type].substr(0, 16) != "application/json")
        return error(415, "Content-Type must be application/json", alert_id);
    return std::nullopt;
}

Reply Board::users(const Caller& who) {
    if (auto r = refuse_role(who, Role::admin)) return std::move(*r);
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("users").begin_array();
    for (const auto& u : auth_.users().list) {
        w.begin_object();
        w.key("name").value(u.name);
        w.key("role").value(to_string(u.role));
        w.key("disabled").value(u.disabled);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return json(200, std::move(out));
}

Reply Board::acknowledge(const Request& req, const Caller& who, std::string_view alert_id) {
    if (auto r = refuse_change(req, who, Role::nurse, alert_id)) return std::move(*r);
    const auto body = ack_payload(req.body(), alert_id, who.user);
    if (body.index() == 1) return error(400, std::get<1>(body), alert_id);
    if (!valid_alert_id(alert_id)) return error(404, "unknown alert_id", alert_id);

    // The id names its chair; the chair's open session decides whether it is one of its alarms.
    const auto parsed = alerts::parse_alert_id(alert_id);
    if (!parsed) return error(404, alerts::to_string(alerts::AckResult::malformed), alert_id);
    const auto* session = station_.clinic().session(parsed->chair);
    if (!session || session->id != parsed->session_id)
        return error(404, alerts::to_string(alerts::AckResult::not_open_session), alert_id);
    const std::string chair(parsed->chair);
    const auto reply = station_.acknowledge(chair, std::get<0>(body).payload);
    if (!reply.result) return error(400, reply.error, alert_id);
    switch (*reply.result) {
        case alerts::AckResult::ok:
            break;
        case alerts::AckResult::unknown:
        case alerts::AckResult::malformed:
        case alerts::AckResult::other_chair:
        case alerts::AckResult::not_open_session:
        case alerts::AckResult::other_site:
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
    w.key("acknowledged_by").value(std::get<0>(body).by);
    w.key("ts").time(now().wall);
    w.end_object();
    return json(200, std::move(out));
}

// The body is a session message exactly as on <prefix>/<chair>/session; it takes that path.
Reply Board::session_control(const Request& req, const Caller& who, const std::string& chair) {
    if (auto r = refuse_change(req, who, role_for(req.body()))) return std::move(*r);
    if (!drivers::valid_chair_id(chair) || chair == "chairwatchd")
        return error(404, "chair id must be 1-64 of A-Z a-z 0-9 - _ .");
    const auto reply = station_.control(chair, with_user(req.body(), who.user));
    const auto status = [&]() -> unsigned {
        if (!reply.result) return 400;
        switch (*reply.result) {
            case alerts::ControlResult::ok:
                return 200;
            case alerts::ControlResult::unknown_profile:
            case alerts::ControlResult::pause_too_long:
            case alerts::ControlResult::unknown_limit:
            case alerts::ControlResult::limit_out_of_bounds:
                return 400;
            case alerts::ControlResult::no_session:
            case alerts::ControlResult::wrong_phase:
            case alerts::ControlResult::not_paused:
            case alerts::ControlResult::session_open:
            case alerts::ControlResult::out_of_service:
            case alerts::ControlResult::in_service:
                return 409;
            case alerts::ControlResult::too_many_chairs:
                return 503;
        }
        return 400;
    }();
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("ok").value(status == 200);
    w.key("chair").value(chair);
    w.key("action").value(reply.action);
    if (status != 200) w.key("error").value(reply.error);
    if (!reply.session_id.empty()) w.key("session_id").value(reply.session_id);
    w.key("ts").time(now().wall);
    w.end_object();
    return json(status, std::move(out));
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
