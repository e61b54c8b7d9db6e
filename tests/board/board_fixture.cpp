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

}  // namespace chairwatch::it
