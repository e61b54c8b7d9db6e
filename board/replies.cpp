#include "board/replies.hpp"

#include <chrono>

#include "drivers/codec/json_writer.hpp"

namespace chairwatch::board {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Response make(unsigned status, std::string_view type, std::string body) {
    Response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, type);  // the server adds the security headers
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Reply json(unsigned status, std::string body) {
    return {make(status, "application/json", std::move(body))};
}

Reply error(unsigned status, std::string_view message, std::string_view alert_id) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("ok").value(false);
    if (!alert_id.empty()) w.key("alert_id").value(alert_id);
    w.key("error").value(message);
    w.end_object();
    auto r = json(status, std::move(out));
    if (status == 401) r.res.set(http::field::www_authenticate, "Bearer realm=\"chairwatch\"");
    r.res.prepare_payload();
    return r;
}

Reply not_allowed(std::string_view allow) {
    auto r = error(405, "method not allowed");
    r.res.set(http::field::allow, allow);
    return r;
}

Reply redirect(std::string_view to) {
    Reply r{make(303, "text/plain; charset=utf-8", "")};
    r.res.set(http::field::location, to);
    return r;
}

std::string percent_decoded(std::string_view v, bool plus_is_space) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+' && plus_is_space) {
            out += ' ';
        } else if (v[i] == '%' && i + 2 < v.size() && hex_digit(v[i + 1]) >= 0 &&
                   hex_digit(v[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(v[i + 1]) * 16 + hex_digit(v[i + 2]));
            i += 2;
        } else {
            out += v[i];
        }
    }
    return out;
}

std::string form_field(std::string_view body, std::string_view name) {
    while (!body.empty()) {
        const auto amp = body.find('&');
        auto part = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        const auto eq = part.find('=');
        if (eq == std::string_view::npos || part.substr(0, eq) != name) continue;
        return percent_decoded(part.substr(eq + 1), true);
    }
    return {};
}

Reply asset_reply(const Request& req, const Asset& a) {
    const bool unchanged = req[http::field::if_none_match] == a.etag;
    Reply r{make(unchanged ? 304 : 200, a.content_type,
                 unchanged ? std::string() : std::string(a.body))};
    r.res.set(http::field::etag, a.etag);
    r.res.set(http::field::cache_control, "no-cache");
    return r;
}

bool same_origin(const Request& req) {
    const auto site = req["Sec-Fetch-Site"];
    if (!site.empty() && site != "same-origin" && site != "none") return false;
    const auto origin = req[http::field::origin];
    if (origin.empty()) return true;
    const auto host = req[http::field::host];
    return !host.empty() && origin == "http://" + std::string(host);
}

Reply logged_in(const std::string& id, alerts::Millis lifetime) {
    auto r = redirect("/");
    r.res.set(
        http::field::set_cookie,
        std::string(Auth::cookie_name) + "=" + id +
            "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(lifetime).count()));
    return r;
}

Reply log_out(Auth& auth, const Request& req) {
    if (!same_origin(req)) return error(403, "cross-site request refused");
    auth.logout(std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()));
    auto r = redirect("/login");
    r.res.set(http::field::set_cookie,
              std::string(Auth::cookie_name) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return r;
}

std::optional<Reply> refuse_reader(const Caller& who) {
    if (who.access == Access::bad_credentials) return error(401, "invalid station token");
    if (who.access == Access::none)
        return error(401, "log in at /login (or send the station token: Authorization: Bearer)");
    return std::nullopt;
}

}  // namespace chairwatch::board
