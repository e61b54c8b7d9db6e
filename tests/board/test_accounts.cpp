// Accounts end to end: the real `chairwatch user` writes the users file, the real daemon picks
// up each change within a second and logs people in over HTTP with their role.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "board_fixture.hpp"

using namespace chairwatch::it;

namespace {

const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};

int login_status(int port, const std::string& name, const std::string& password) {
    return http_request(port, "POST", "/login", "user=" + name + "&password=" + password, form)
        .status;
}

// Whether the login behind `as` (person()'s headers) is still a person's login.
bool logged_in(int port, const Headers& as) {
    const auto info = http_request(port, "GET", "/api/session", "", as).body;
    return info.find("\"logged_in\":true") != std::string::npos;
}

}  // namespace

TEST_SUITE("board_accounts") {
    TEST_CASE("chairwatch user: weak passwords, bad names and usage are refused") {
        const auto file = temp_dir("users-cli") + "/users";
        std::string out;
        CHECK(user_command({"add", "ana", "--role", "nurse"}, file, "", out) == 1);
        CHECK(out.find("the password is empty") != std::string::npos);
        CHECK(user_command({"add", "ana", "--role", "nurse"}, file, "short", out) == 1);
        CHECK(out.find("at least 8 characters") != std::string::npos);
        CHECK(user_command({"add", "Ana!", "--role", "nurse"}, file, "long-enough-1", out) == 1);
        CHECK(out.find("user name 'Ana!'") != std::string::npos);
        CHECK(user_command({"add", "ana"}, file, "long-enough-1", out) == 2);
        CHECK(out.find("add needs --role") != std::string::npos);
        CHECK(user_command({"add", "ana", "--role", "doctor"}, file, "long-enough-1", out) == 2);
        CHECK(user_command({"remove", "ana"}, file, "long-enough-1", out) == 2);
        CHECK(user_command({"add", "ana", "--role", "nurse"}, file, "long-enough-1", out) == 0);
        CHECK(user_command({"add", "ana", "--role", "admin"}, file, "long-enough-1", out) == 1);
        CHECK(out.find("exists already") != std::string::npos);
        CHECK(user_command({"passwd", "bob"}, file, "long-enough-1", out) == 1);
        CHECK(out.find("no user 'bob'") != std::string::npos);
        CHECK(user_command({"disable", "ana"}, file, "", out) == 0);
        CHECK(user_command({"list"}, file, "", out) == 0);
        CHECK(out.find("ana") != std::string::npos);
        CHECK(out.find("nurse") != std::string::npos);
        CHECK(out.find("disabled") != std::string::npos);
        const auto text = read_file(file);
        CHECK(text.find("ana:nurse:disabled:$argon2id$") != std::string::npos);
        CHECK(text.find("long-enough-1") == std::string::npos);
        // Without --password-stdin and without a terminal: refused, nothing written.
        CHECK(
            run({"/usr/bin/setsid", "-w", CHAIRWATCH_BIN, "user", "passwd", "ana", "--users", file},
                out) == 1);
        CHECK(out.find("no terminal") != std::string::npos);
        CHECK(read_file(file) == text);
    }

    TEST_CASE("add, passwd, disable and enable take effect on the running daemon") {
        Broker broker;
        const auto users = write_users();
        Daemon daemon(broker, board_config(write_token(), "  login_timeout_min: 30\n", users));
        daemon.start();
        const int port = daemon.http_port();

        // A new nurse, added while the daemon runs, logs in; the cookie lasts login_timeout_min.
        std::string out;
        REQUIRE(user_command({"add", "ana", "--role", "nurse"}, users, "ana-first-pw", out) == 0);
        Headers ana;
        REQUIRE(eventually([&] { return !(ana = person(port, "ana", "ana-first-pw")).empty(); }));
        auto raw = http_request(port, "POST", "/login", "user=ana&password=ana-first-pw", form);
        CHECK(raw.header("Set-Cookie").find("Max-Age=1800") != std::string::npos);
        CHECK(http_request(port, "GET", "/api/session", "", ana).body.find("\"user\":\"ana\"") !=
              std::string::npos);

        // Roles: a nurse is refused the admin's account list; the admin gets it, without hashes.
        auto refused = http_request(port, "GET", "/api/users", "", ana);
        CHECK(refused.status == 403);
        CHECK(refused.body.find("your role (nurse) may not do this") != std::string::npos);
        CHECK(http_request(port, "GET", "/api/users", "", bearer()).status == 401);
        const auto admin = person(port, admin_name, admin_password);
        REQUIRE(!admin.empty());
        auto list = http_request(port, "GET", "/api/users", "", admin);
        CHECK(list.status == 200);
        CHECK(list.body.find(R"({"name":"ana","role":"nurse","disabled":false})") !=
              std::string::npos);
        CHECK(list.body.find("argon2") == std::string::npos);

        // A new password ends her login; the old password is refused, the new one works.
        REQUIRE(user_command({"passwd", "ana"}, users, "ana-second-pw", out) == 0);
        CHECK(eventually([&] { return !logged_in(port, ana); }));
        CHECK(login_status(port, "ana", "ana-first-pw") == 401);
        ana = person(port, "ana", "ana-second-pw");
        REQUIRE(!ana.empty());

        // Disabled: logged out within a second, and no login; enabled again: a login. Her open
        // board's live stream is closed with her login; another person's stays.
        auto ana_board = open_stream(port, ana);
        const auto admin_at_desk = person(port, admin_name, admin_password);
        auto admin_board = open_stream(port, admin_at_desk);
        REQUIRE(has_snapshot(ana_board));
        REQUIRE(has_snapshot(admin_board));
        REQUIRE(user_command({"disable", "ana"}, users, "", out) == 0);
        CHECK(eventually([&] { return !logged_in(port, ana); }));
        CHECK(ana_board.closed_within(3s));
        CHECK_FALSE(admin_board.closed_within(1500ms));
        CHECK(login_status(port, "ana", "ana-second-pw") == 401);
        // Logging out closes that login's board at once.
        CHECK(http_request(port, "POST", "/logout", "", admin_at_desk).status == 303);
        CHECK(admin_board.closed_within(2s));
        CHECK(logged_in(port, admin));
        REQUIRE(user_command({"enable", "ana"}, users, "", out) == 0);
        // Wait for the daemon to take the change from the admin's list, not by trying to log in:
        // each refused try counts against the address's 10 failed logins a minute.
        CHECK(eventually([&] {
            return http_request(port, "GET", "/api/users", "", admin)
                       .body.find(R"({"name":"ana","role":"nurse","disabled":false})") !=
                   std::string::npos;
        }));
        CHECK(login_status(port, "ana", "ana-second-pw") == 303);
        CHECK(logged_in(port, admin));  // other people's logins stay

        // A broken file is not taken: the accounts stay as they were, and --check-config names
        // the line.
        write_file(users, read_file(users) + "bob:nurse:active\n");
        CHECK(eventually([&] {
            return daemon.output().find("users:5: expected NAME:ROLE:STATE:HASH") !=
                   std::string::npos;
        }));
        CHECK(login_status(port, "ana", "ana-second-pw") == 303);
        const auto dir = temp_dir("users-check");
        write_file(dir + "/c.yaml", board_config(write_token(), "", users));
        CHECK(run({CHAIRWATCHD_BIN, "--config", dir + "/c.yaml", "--check-config"}, out) == 2);
        CHECK(out.find("http.users_file: " + users + ":5: expected NAME:ROLE:STATE:HASH") !=
              std::string::npos);
    }
}
