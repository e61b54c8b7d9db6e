// The users file: one person a line, `NAME:ROLE:STATE:HASH`, like /etc/shadow.
//   NAME   1-64 of [a-z0-9._-], starting with a letter or digit
//   ROLE   nurse | charge_nurse | admin
//   STATE  active | disabled
//   HASH   Argon2id, as crypto_pwhash_str writes it ("$argon2id$v=19$m=65536,t=2,p=1$…")
// Blank lines and lines starting with '#' are ignored. Parsing and formatting are pure; the
// file's I/O is in users_io.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/role.hpp"

namespace chairwatch::accounts {

struct User {
    std::string name;
    Role role{Role::nurse};
    bool disabled{false};
    std::string hash;
    bool operator==(const User&) const = default;
};

struct Users {
    std::vector<User> list;  // in file order
    const User* find(std::string_view name) const;
    User* find(std::string_view name);
    bool operator==(const Users&) const = default;
};

// Every error as "FILE:LINE: sentence"; the users only when there is none.
struct ParsedUsers {
    Users users;
    std::vector<std::string> errors;
};

ParsedUsers parse_users(std::string_view text, std::string_view file);
std::string format_users(const Users& users);
// Why a name is refused, or nullopt.
std::optional<std::string> bad_user_name(std::string_view name);

}  // namespace chairwatch::accounts
