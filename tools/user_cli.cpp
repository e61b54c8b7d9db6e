// `chairwatch user add|passwd|disable|enable|list`: the accounts of people who log in to the
// board (docs/board.md, "Accounts"). Passwords come from the terminal, asked twice without
// echo, or with --password-stdin from one line on standard input; never from the command line.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "accounts/password.hpp"
#include "accounts/users_io.hpp"
#include "cli/cli.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::tools {

namespace {

constexpr const char* footer =
    R"(ACTION is add (with --role), passwd, disable, enable or list. The users file has one
line per person, NAME:ROLE:STATE:HASH, with a salted Argon2id hash (libsodium); chairwatchd
reads it at start, at a reload and within a second of a change. Passwords: at least 8
characters, asked twice on the terminal, or one line on standard input with --password-stdin.
Disabling a person ends their logins at once. Exit code: 0 done, 1 refused (unknown or
existing name, weak password, file error), 2 usage error.)";

struct UserArgs {
    std::string action;
    std::string name;
    std::string role;
    std::string users_file{"/etc/chairwatch/users"};
    bool password_stdin{false};
};

std::string read_line(std::FILE* in) {
    std::string line;
    for (int c = std::fgetc(in); c != EOF && c != '\n'; c = std::fgetc(in))
        line += static_cast<char>(c);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// One password typed without echo on the controlling terminal.
std::string prompt(std::FILE* tty, const char* question) {
    std::fputs(question, tty);
    std::fflush(tty);
    termios saved{};
    const int fd = ::fileno(tty);
    const bool echo_off = ::tcgetattr(fd, &saved) == 0;
    if (echo_off) {
        auto quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    auto line = read_line(tty);
    if (echo_off) ::tcsetattr(fd, TCSAFLUSH, &saved);
    std::fputs("\n", tty);
    return line;
}

std::string new_password(const UserArgs& a) {
    std::string password;
    if (a.password_stdin) {
        password = read_line(stdin);
    } else {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> tty(std::fopen("/dev/tty", "r+"),
                                                            std::fclose);
        if (!tty)
            throw std::runtime_error("no terminal to ask for the password: use --password-stdin");
        password = prompt(tty.get(), ("New password for " + a.name + ": ").c_str());
        if (prompt(tty.get(), "Again: ") != password)
            throw std::runtime_error("the two passwords differ: nothing changed");
    }
    if (auto weak = accounts::weak_password(password)) throw std::runtime_error(*weak);
    return accounts::hash_password(password);
}

accounts::Users load_existing(const std::string& path, bool may_be_missing) {
    if (may_be_missing && !std::filesystem::exists(path)) return {};
    auto parsed = accounts::load_users(path);
    if (!parsed.errors.empty()) {
        std::string all;
        for (const auto& e : parsed.errors)
            all += (all.empty() ? "" : "\n") + e;
        throw std::runtime_error(all);
    }
    return std::move(parsed.users);
}

accounts::User& existing(accounts::Users& users, const std::string& name) {
    auto* u = users.find(name);
    if (!u) throw std::runtime_error("no user '" + name + "'");
    return *u;
}

int list(const UserArgs& a) {
    for (const auto& u : load_existing(a.users_file, true).list)
        std::printf("%-24s %-13s %s\n", u.name.c_str(), std::string(to_string(u.role)).c_str(),
                    u.disabled ? "disabled" : "active");
    return 0;
}

int run_user(CLI::App& app, const UserArgs& a) {
    if (a.action == "list") return list(a);
    if (a.name.empty()) return cli::usage_error(app, a.action + " needs a NAME");
    if (a.action == "add" && a.role.empty()) return cli::usage_error(app, "add needs --role");
    if (a.action != "add" && !a.role.empty())
        return cli::usage_error(app, "--role goes with add only");
    auto users = load_existing(a.users_file, a.action == "add");
    if (a.action == "add") {
        if (auto e = accounts::bad_user_name(a.name)) throw std::runtime_error(*e);
        if (users.find(a.name)) throw std::runtime_error("user '" + a.name + "' exists already");
        const auto role = accounts::parse_role(a.role);
        users.list.push_back({a.name, *role, false, new_password(a)});
    } else if (a.action == "passwd") {
        existing(users, a.name).hash = new_password(a);
    } else {
        existing(users, a.name).disabled = a.action == "disable";
    }
    accounts::save_users(a.users_file, users);
    std::printf("%s: %s %s\n", a.users_file.c_str(), a.name.c_str(),
                a.action == "add"      ? "added"
                : a.action == "passwd" ? "has a new password"
                                       : (a.action + "d").c_str());
    return 0;
}

}  // namespace

Subcommand add_user(CLI::App& chairwatch) {
    auto* app = chairwatch.add_subcommand(
        "user", "add people who log in to the board, change passwords, disable, list");
    cli::setup(*app, footer);
    auto a = std::make_shared<UserArgs>();
    app->add_option("ACTION", a->action, "add, passwd, disable, enable or list")
        ->required()
        ->check(CLI::IsMember({"add", "passwd", "disable", "enable", "list"}));
    app->add_option("NAME", a->name, "the person's login name (a-z, 0-9, . _ -)");
    app->add_option("--role", a->role, "with add: what the person may do")
        ->check(CLI::IsMember({"nurse", "charge_nurse", "admin"}));
    app->add_option("--users", a->users_file, "the users file (http.users_file)")
        ->type_name("FILE")
        ->capture_default_str();
    app->add_flag("--password-stdin", a->password_stdin,
                  "read the password from one line of standard input (for scripts)");
    return {app, [app, a] { return run_user(*app, *a); }};
}

}  // namespace chairwatch::tools
