// The board under hostile load, against the real chairwatchd: idle and slow
// connections, too many of them, too many live streams, malformed and smuggling
// requests, wrong logins from one address, a token file that is a FIFO, and no
// file descriptors left.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "board_fixture.hpp"

using namespace chairwatch::it;

TEST_SUITE("board_limits") {
    TEST_CASE(
        "a token file that is a FIFO or too large is refused at once, "
        "naming it") {
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
}
