#include "board/group_routes.hpp"

#include <chrono>

#include "board/assets.hpp"
#include "board/replies.hpp"
#include "report/report_format.hpp"

namespace chairwatch::board {

namespace {

alerts::Millis mono_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::steady_clock::now().time_since_epoch());
}

alerts::Millis wall_now() {
    return std::chrono::duration_cast<alerts::Millis>(
        std::chrono::system_clock::now().time_since_epoch());
}

std::string replaced(std::string body, std::string_view marker, std::string_view with) {
    if (auto pos = body.find(marker); pos != std::string::npos)
        body.replace(pos, marker.size(), with);
    return body;
}

// The group board's own files; the rest of board/assets/ belongs to the clinic board.
bool group_asset(std::string_view name) {
    return name == "group.js" || name == "group.css" || name == "style.css" ||
           name == "favicon.svg";
}

}  // namespace

GroupRoutes::GroupRoutes(const GroupModel& model, const std::string& token,
                         bool read_only_without_token, std::string station_name)
    : model_(model), station_name_(std::move(station_name)) {
    auth_.configure(token, read_only_without_token);
}

Reply GroupRoutes::handle(const Request& req, const std::string& client) {
    const auto target = std::string_view(req.target().data(), req.target().size());
    const auto path = target.substr(0, target.find('?'));
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    if (path == "/login" && method == http::verb::post) return login(req, client);
    const auto who = auth_.identify(
        std::string_view(req[http::field::authorization].data(),
                         req[http::field::authorization].size()),
        std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()),
        mono_now());
    if (path == "/healthz")
        return get ? json(200, std::string("{\"ok\":true}")) : not_allowed("GET, HEAD");
    if (path == "/login") return get ? login_page(200, "") : not_allowed("GET, HEAD, POST");
    if (path == "/logout") return method == http::verb::post ? logout(req) : not_allowed("POST");
    if (path == "/" || path == "/index.html") return get ? page(who) : not_allowed("GET, HEAD");
    if (path == "/api/group") return get ? api(who) : not_allowed("GET, HEAD");
    if (path.size() > 1 && group_asset(path.substr(1)))
        if (const auto* a = find_asset(path.substr(1)))
            return get ? asset_reply(req, *a) : not_allowed("GET, HEAD");
    return error(404, "no such page (the group board is read-only: act on each site's board)");
}

Reply GroupRoutes::api(const Caller& who) const {
    if (auto r = refuse_reader(who)) return std::move(*r);
    return json(200, model_.json(wall_now()));
}

Reply GroupRoutes::page(const Caller& who) const {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token");
    if (who.access == Access::none) return redirect("/login");
    const auto* a = find_asset("group.html");
    return {
        make(200, a->content_type,
             replaced(std::string(a->body), "<!--STATION-->", report::html_escape(station_name_)))};
}

Reply GroupRoutes::login_page(unsigned status, std::string_view message) const {
    const auto* a = find_asset("group_login.html");
    std::string text;
    if (!message.empty())
        text = "<p class=\"login-error\" role=\"alert\">" + report::html_escape(message) + "</p>";
    if (!auth_.has_token())
        text +=
            "<p class=\"login-error\" role=\"alert\">No station token (http.token_file): "
            "nobody can log in.</p>";
    auto body = replaced(std::string(a->body), "<!--MESSAGE-->", text);
    return {make(status, a->content_type,
                 replaced(std::move(body), "<!--STATION-->", report::html_escape(station_name_)))};
}

Reply GroupRoutes::login(const Request& req, const std::string& client) {
    const auto now = mono_now();
    if (!same_origin(req)) return login_page(403, "Cross-site login refused.");
    if (auth_.rate_limited(client, now))
        return login_page(429, "Too many attempts: wait a minute.");
    if (!auth_.has_token()) return login_page(403, "");
    const auto id = auth_.login(form_field(req.body(), "token"), client, now);
    if (!id) return login_page(401, "That is not the station token.");
    return logged_in(*id, auth_.lifetime());
}

Reply GroupRoutes::logout(const Request& req) {
    return log_out(auth_, req);
}

}  // namespace chairwatch::board
