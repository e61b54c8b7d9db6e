#include "board/auth.hpp"

#include <fstream>
#include <random>

#include "accounts/password.hpp"

namespace chairwatch::board {

namespace {

constexpr std::size_t max_sessions = 256;
constexpr auto failure_window = std::chrono::minutes(1);

}  // namespace

bool may(const Caller& who, Role at_least) {
    const bool known = who.access == Access::read || who.access == Access::write;
    return known && static_cast<int>(who.role) >= static_cast<int>(at_least);
}

void Auth::configure(const std::string& token, bool read_only_without_token,
                     alerts::Millis lifetime) {
    if (!same(token, token_))  // a new token ends the token's logins
        std::erase_if(sessions_, [](const auto& kv) { return kv.second.user.empty(); });
    token_ = token;
    read_only_ = read_only_without_token;
    lifetime_ = lifetime;
}

void Auth::set_users(accounts::Users users) {
    std::erase_if(sessions_, [&](const auto& kv) {
        const auto& s = kv.second;
        if (s.user.empty()) return false;
        const auto* before = users_.find(s.user);
        const auto* after = users.find(s.user);
        return !after || after->disabled || after->role != s.role || !before ||
               before->hash != after->hash;
    });
    users_ = std::move(users);
}

bool Auth::same(std::string_view a, std::string_view b) {
    unsigned diff = a.size() == b.size() ? 0U : 1U;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i]) ^
                static_cast<unsigned char>(b.empty() ? 0 : b[i % b.size()]);
    return diff == 0;
}

std::string Auth::random_hex(std::size_t bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    std::random_device fallback;
    for (std::size_t i = 0; i < bytes; ++i) {
        char c = 0;
        if (!urandom.get(c)) c = static_cast<char>(fallback());
        const auto u = static_cast<unsigned char>(c);
        out += hex[u >> 4];
        out += hex[u & 15];
    }
    return out;
}

std::string Auth::cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        auto part = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name)
            return std::string(part.substr(eq + 1));
    }
    return {};
}

void Auth::expire(alerts::Millis now) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = it->second.expires <= now ? sessions_.erase(it) : std::next(it);
}

Caller Auth::identify(std::string_view authorization, std::string_view cookie_header,
                      alerts::Millis now) {
    Caller c;
    const auto fallback = read_only_ ? Access::read : Access::none;
    if (!authorization.empty()) {
        constexpr std::string_view bearer = "Bearer ";
        const bool ok = authorization.substr(0, bearer.size()) == bearer && !token_.empty() &&
                        same(authorization.substr(bearer.size()), token_);
        c.access = ok ? Access::read : Access::bad_credentials;
        c.via_token = ok;
        return c;
    }
    const auto id = cookie_value(cookie_header, cookie_name);
    if (!id.empty()) {
        expire(now);
        auto it = sessions_.find(id);
        if (it != sessions_.end()) {
            c.access = it->second.role == Role::display ? Access::read : Access::write;
            c.via_cookie = true;
            c.csrf = it->second.csrf;
            c.login = id;
            c.user = it->second.user;
            c.role = it->second.role;
            return c;
        }
    }
    c.access = fallback;
    return c;
}

bool Auth::Failures::limited(alerts::Millis now) const {
    return now - window < failure_window && count >= max_failures_per_minute;
}

// The client's own record; for an address not in a full table, the shared one.
const Auth::Failures* Auth::failures_of(std::string_view client) const {
    if (auto it = failures_.find(client); it != failures_.end()) return &it->second;
    return failures_.size() >= max_tracked_clients ? &others_ : nullptr;
}

void Auth::count_failure(std::string_view client, alerts::Millis now) {
    auto it = failures_.find(client);
    if (it == failures_.end()) {
        if (failures_.size() >= max_tracked_clients)
            std::erase_if(failures_,
                          [&](const auto& kv) { return now - kv.second.window >= failure_window; });
        if (failures_.size() >= max_tracked_clients) {
            if (now - others_.window >= failure_window) others_ = {now, 0};
            ++others_.count;
            return;
        }
        it = failures_.emplace(std::string(client), Failures{now, 0}).first;
    }
    auto& f = it->second;
    if (now - f.window >= failure_window) f = {now, 0};
    ++f.count;
}

bool Auth::rate_limited(std::string_view client, alerts::Millis now) const {
    const auto* f = failures_of(client);
    return f && f->limited(now);
}

std::optional<std::string> Auth::login(std::string_view token, std::string_view client,
                                       alerts::Millis now) {
    if (rate_limited(client, now)) return std::nullopt;
    if (token_.empty() || !same(token, token_)) {
        count_failure(client, now);
        return std::nullopt;
    }
    return open_session({}, now);
}

std::optional<std::string> Auth::login_person(std::string_view name, std::string_view password,
                                              std::string_view client, alerts::Millis now) {
    if (rate_limited(client, now)) return std::nullopt;
    const auto* user = users_.find(name);
    // An unknown name costs the same time as a wrong password: names cannot be probed.
    static const std::string decoy = accounts::hash_password("not a password of anyone");
    const bool ok = accounts::verify_password(user ? user->hash : decoy, password);
    if (!user || !ok || user->disabled) {
        count_failure(client, now);
        return std::nullopt;
    }
    return open_session({{}, {}, user->name, user->role}, now);
}

std::string Auth::open_session(Login login, alerts::Millis now) {
    expire(now);
    if (sessions_.size() >= max_sessions) sessions_.erase(sessions_.begin());
    auto id = random_hex(32);
    login.csrf = random_hex(16);
    login.expires = now + lifetime_;
    sessions_[id] = std::move(login);
    return id;
}

bool Auth::open(std::string_view id, alerts::Millis now) const {
    const auto it = sessions_.find(id);
    return it != sessions_.end() && it->second.expires > now;
}

void Auth::logout(std::string_view cookie_header) {
    auto it = sessions_.find(cookie_value(cookie_header, cookie_name));
    if (it != sessions_.end()) sessions_.erase(it);
}

}  // namespace chairwatch::board
