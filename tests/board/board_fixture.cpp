#include "board_fixture.hpp"

#include <boost/json.hpp>

namespace chairwatch::it {

Headers person(int port, const std::string& name, const std::string& password) {
    const auto login =
        http_request(port, "POST", "/login", "user=" + name + "&password=" + password,
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
    const auto set_cookie = login.header("Set-Cookie");
    if (login.status != 303 || set_cookie.empty()) return {};
    const auto cookie = set_cookie.substr(0, set_cookie.find(';'));
    const auto info = http_request(port, "GET", "/api/session", "", {{"Cookie", cookie}});
    boost::system::error_code ec;
    const auto v = boost::json::parse(info.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("csrf")) return {};
    return {{"Cookie", cookie},
            {"X-CSRF-Token", std::string(v.at("csrf").as_string())},
            {"Origin", "http://127.0.0.1:" + std::to_string(port)},
            {"Content-Type", "application/json"}};
}

std::string raw_request(int port, const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body) {
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& [k, v] : headers)
        req += k + ": " + v + "\r\n";
    return req + "\r\n" + body;
}

RawConnection open_stream(int port, const Headers& headers, const std::string& from) {
    RawConnection c(port, from);
    auto h = headers;
    h.emplace_back("Accept", "text/event-stream");
    c.send(raw_request(port, "GET", "/events", h));
    return c;
}

bool has_snapshot(RawConnection& c) {
    return c.read_until(
        [](const std::string& s) { return s.find("event: snapshot") != std::string::npos; }, 5s);
}

}  // namespace chairwatch::it
