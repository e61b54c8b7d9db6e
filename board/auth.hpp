// Who is asking: a person logged in with name and password (a login session in an HttpOnly
// cookie, with that person's role), or the station token, a read-only wall-display credential
// (as a bearer header or a token login). Cookie requests that change something must also carry
// the session's CSRF token and, if the browser sent one, a same-origin Origin header.
// Failed logins are limited per client address, in a table of bounded size; when it is full
// of recent failures, the addresses beyond it share one allowance (memory stays bounded).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/role.hpp"
#include "accounts/users.hpp"
#include "alerts/types.hpp"

namespace chairwatch::board {

enum class Access : std::uint8_t { none, bad_credentials, read, write };

// What a caller may do (accounts/role.hpp): display < nurse < charge_nurse < admin. The
// station token and a read-only board without a token are the role display.
using accounts::parse_role;
using accounts::Role;
using accounts::to_string;

struct Caller {
    Access access{Access::none};
    bool via_cookie{false};
    bool via_token{false};  // the station token as a bearer header
    std::string csrf;       // the login session's, when via_cookie
    std::string login;      // the login session's id, when via_cookie (never logged)
    std::string user;       // the logged-in person; empty for the station token or no login
    Role role{Role::display};
};

// True when the caller is known (at least read access) and its role is `at_least` or above.
bool may(const Caller& who, Role at_least);

class Auth {
  public:
    static constexpr const char* cookie_name = "cw_session";
    static constexpr auto default_lifetime = std::chrono::hours(12);
    static constexpr int max_failures_per_minute = 10;  // per client address
    static constexpr std::size_t max_tracked_clients = 1024;

    // An empty token: no wall-display login; `read_only` lets anyone read the board. A login
    // lasts `lifetime`; a new token ends the token's logins.
    void configure(const std::string& token, bool read_only_without_token,
                   alerts::Millis lifetime = default_lifetime);
    // The people who may log in. Ends the logins of anyone removed, disabled, or whose role or
    // password changed.
    void set_users(accounts::Users users);
    const accounts::Users& users() const { return users_; }
    alerts::Millis lifetime() const { return lifetime_; }

    Caller identify(std::string_view authorization, std::string_view cookie_header,
                    alerts::Millis now);
    // A new login session id, or nullopt (wrong token, no token configured, or rate-limited).
    // `client` is the caller's address: failures count against it alone. The station token's
    // logins are read-only (role display).
    std::optional<std::string> login(std::string_view token, std::string_view client,
                                     alerts::Millis now);
    // A person's login: the name of an active user and the password (checked against its
    // Argon2id hash: about 0.1 s, also for an unknown name). Failures count as above.
    std::optional<std::string> login_person(std::string_view name, std::string_view password,
                                            std::string_view client, alerts::Millis now);
    void logout(std::string_view cookie_header);
    // Whether login `id` is still open: not logged out, not expired, and not ended by a change
    // of its user (disabled, removed, another role or password).
    bool open(std::string_view id, alerts::Millis now) const;
    bool rate_limited(std::string_view client, alerts::Millis now) const;
    std::size_t tracked_clients() const { return failures_.size(); }
    bool has_token() const { return !token_.empty(); }
    bool read_only_without_token() const { return read_only_; }
    std::size_t sessions() const { return sessions_.size(); }

    // Constant-time comparison, for secrets.
    static bool same(std::string_view a, std::string_view b);
    static std::string random_hex(std::size_t bytes);
    static std::string cookie_value(std::string_view cookie_header, std::string_view name);

  private:
    struct Login {
        std::string csrf;
        alerts::Millis expires{0};
        std::string user;  // empty: the station token
        Role role{Role::display};
    };
    struct Failures {
        alerts::Millis window{0};  // when this minute began
        int count{0};
        bool limited(alerts::Millis now) const;
    };
    void expire(alerts::Millis now);
    const Failures* failures_of(std::string_view client) const;
    void count_failure(std::string_view client, alerts::Millis now);
    std::string open_session(Login login, alerts::Millis now);

    std::string token_;
    bool read_only_{false};
    alerts::Millis lifetime_{default_lifetime};
    accounts::Users users_;
    std::map<std::string, Login, std::less<>> sessions_;
    std::map<std::string, Failures, std::less<>> failures_;  // by client address
    Failures others_;  // every address beyond max_tracked_clients
};

}  // namespace chairwatch::board
