// The board under hostile load, against the real chairwatchd: idle and slow connections, too
// many of them, too many live streams, malformed and smuggling requests, wrong logins from one
// address, a token file that is a FIFO, and no file descriptors left.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "board_fixture.hpp"

using namespace chairwatch::it;

namespace {

std::string raw_request(int port, const std::string& method, const std::string& target,
                        const Headers& headers = {}, const std::string& body = "") {
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& [k, v] : headers)
        req += k + ": " + v + "\r\n";
    return req + "\r\n" + body;
}

// The headers board.md promises on every response.
void check_security_headers(const std::string& raw) {
    INFO(raw.substr(0, raw.find("\r\n\r\n")));
    CHECK(header_of(raw, "X-Content-Type-Options") == "nosniff");
    CHECK(header_of(raw, "X-Frame-Options") == "DENY");
    CHECK(header_of(raw, "Referrer-Policy") == "same-origin");
    CHECK(header_of(raw, "Content-Security-Policy").rfind("default-src 'none'", 0) == 0);
    CHECK(header_of(raw, "Cache-Control") == "no-store");
}

}  // namespace

TEST_SUITE("board_limits") {
    TEST_CASE("every response has the security headers; a smuggling request gets 400") {
        Broker broker;
        Daemon daemon(broker, board_config(write_token()));
        daemon.start();
        const int port = daemon.http_port();
        const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
        auto with = [&](Headers h) {
            h.insert(h.end(), form.begin(), form.end());
            return h;
        };
        struct Case {
            const char* what;
            std::string request;
            int status;
        };
        const std::vector<Case> cases{
            {"a malformed field", raw_request(port, "GET", "/", {{"Bad Field", "x"}}), 400},
            {"a head over 8 KB", raw_request(port, "GET", "/", {{"X-Big", std::string(9000, 'a')}}),
             431},
            {"a body over 8 KB",
             raw_request(port, "POST", "/login", with({{"Content-Length", "9000"}}),
                         std::string(9000, 'a')),
             413},
            {"Content-Length, then Transfer-Encoding",
             raw_request(port, "POST", "/login",
                         with({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}),
                         "0\r\n\r\n"),
             400},
            {"Transfer-Encoding, then Content-Length",
             raw_request(port, "POST", "/login",
                         with({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}),
                         "0\r\n\r\n"),
             400},
            {"Transfer-Encoding identity with Content-Length",
             raw_request(port, "POST", "/login",
                         with({{"Transfer-Encoding", "identity"}, {"Content-Length", "7"}}),
                         "token=x"),
             400},
            {"a Transfer-Encoding other than chunked",
             raw_request(port, "POST", "/login", with({{"Transfer-Encoding", "gzip"}})), 400},
            {"no such page", raw_request(port, "GET", "/nothing-here"), 404},
        };
        for (const auto& c : cases) {
            INFO(std::string(c.what));
            RawConnection conn(port);
            conn.send(c.request);
            conn.read_until(complete_response, 5s);
            CHECK(status_of(conn.received()) == c.status);
            check_security_headers(conn.received());
            // An error that ends the request stream closes the connection.
            if (c.status != 404) CHECK(conn.closed_within(3s));
        }
        // Each of those was answered: nothing was handled as a second, smuggled request.
        CHECK(http_request(port, "GET", "/healthz").status == 200);
    }

    TEST_CASE("a token file that is a FIFO or too large is refused at once, naming it") {
        const auto dir = temp_dir("tokenfile");
        std::string out;
        REQUIRE(::mkfifo((dir + "/fifo.token").c_str(), 0600) == 0);
        write_file(dir + "/a.yaml", board_config(dir + "/fifo.token"));
        const auto t0 = Clock::now();
        CHECK(run({CHAIRWATCHD_BIN, "--config", dir + "/a.yaml", "--check-config"}, out, 10s) == 2);
        CHECK(Clock::now() - t0 < 5s);
        CHECK(out.find("fifo.token' is not a regular file") != std::string::npos);
        write_file(dir + "/big.token", std::string(5000, 'x') + "\n");
        write_file(dir + "/b.yaml", board_config(dir + "/big.token"));
        CHECK(run({CHAIRWATCHD_BIN, "--config", dir + "/b.yaml", "--check-config"}, out, 10s) == 2);
        CHECK(out.find("big.token' is larger than 4096 bytes") != std::string::npos);
    }

    TEST_CASE("wrong logins from one address do not lock out another") {
        Broker broker;
        Daemon daemon(broker, board_config(write_token()));
        daemon.start();
        const int port = daemon.http_port();
        const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
        const auto right = std::string("token=") + station_token;
        for (int i = 0; i < 10; ++i)
            CHECK(http_request(port, "POST", "/login", "token=guess", form, "127.0.0.2").status ==
                  401);
        CHECK(http_request(port, "POST", "/login", right, form, "127.0.0.2").status == 429);
        CHECK(http_request(port, "POST", "/login", right, form, "127.0.0.1").status == 303);
        CHECK(http_request(port, "POST", "/login", "token=guess", form, "127.0.0.3").status == 401);
    }
}
