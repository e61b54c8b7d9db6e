#include "accounts/users.hpp"

#include <algorithm>
#include <utility>

#include "accounts/password.hpp"

namespace chairwatch::accounts {

namespace {

constexpr std::size_t max_name_chars = 64;

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        const auto colon = line.find(':');
        out.push_back(line.substr(0, colon));
        if (colon == std::string_view::npos) return out;
        line.remove_prefix(colon + 1);
    }
}

// The user of one line, or the reason it is not one.
std::optional<std::string> parse_line(std::string_view line, User& u) {
    const auto f = fields(line);
    if (f.size() != 4)
        return "expected NAME:ROLE:STATE:HASH (4 fields), found " + std::to_string(f.size());
    if (auto e = bad_user_name(f[0])) return *e;
    const auto role = parse_role(f[1]);
    if (!role || *role == Role::display)
        return "role '" + std::string(f[1].substr(0, 40)) +
               "' is not one of nurse, charge_nurse, admin";
    if (f[2] != "active" && f[2] != "disabled")
        return "state '" + std::string(f[2].substr(0, 40)) + "' is not active or disabled";
    if (!looks_like_hash(f[3])) return "the hash is not an Argon2id hash ($argon2id$…)";
    u = {std::string(f[0]), *role, f[2] == "disabled", std::string(f[3])};
    return std::nullopt;
}

}  // namespace

const User* Users::find(std::string_view name) const {
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const User& u) { return u.name == name; });
    return it == list.end() ? nullptr : &*it;
}

User* Users::find(std::string_view name) {
    return const_cast<User*>(std::as_const(*this).find(name));
}

std::optional<std::string> bad_user_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_chars)
        return "a user name must be 1 to " + std::to_string(max_name_chars) + " characters";
    const auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    };
    if (!std::all_of(name.begin(), name.end(), ok) || !ok(name.front()) || name.front() == '.' ||
        name.front() == '_' || name.front() == '-')
        return "user name '" + std::string(name.substr(0, max_name_chars)) +
               "': only a-z, 0-9, '.', '_' and '-', starting with a letter or digit";
    return std::nullopt;
}

ParsedUsers parse_users(std::string_view text, std::string_view file) {
    ParsedUsers out;
    std::size_t no = 0;
    while (!text.empty()) {
        ++no;
        const auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        const auto where = std::string(file) + ":" + std::to_string(no) + ": ";
        User u;
        if (auto e = parse_line(line, u)) {
            out.errors.push_back(where + *e);
        } else if (out.users.find(u.name)) {
            out.errors.push_back(where + "user '" + u.name + "' is listed twice");
        } else {
            out.users.list.push_back(std::move(u));
        }
    }
    if (!out.errors.empty()) out.users = {};
    return out;
}

std::string format_users(const Users& users) {
    std::string out =
        "# chairwatch users: NAME:ROLE:STATE:HASH (written by `chairwatch user`; see "
        "docs/board.md)\n";
    for (const auto& u : users.list)
        out += u.name + ":" + std::string(to_string(u.role)) + ":" +
               (u.disabled ? "disabled" : "active") + ":" + u.hash + "\n";
    return out;
}

}  // namespace chairwatch::accounts
