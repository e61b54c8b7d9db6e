// The board in a real browser: playwright-core (npm, pinned in package-lock.json) drives
// Debian's chromium headless through board.test.mjs against the real daemon and broker. The
// script prints KILL_BROKER, then KILL_DAEMON, when it wants them gone; the screenshots stay in
// BOARD_OUT_DIR for a person to look at.
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>

#include "board_fixture.hpp"
#include "browser_tools.hpp"

using namespace chairwatch::it;
namespace fs = std::filesystem;

TEST_SUITE("board_browser") {
    TEST_CASE(
        "a nurse logs in, runs a session, sees a BP surge go red, acknowledges it with an "
        "action, changes a limit, sees discharge, opens the report; sees the broker banner") {
        const auto [node, chromium] = browser_tools();
        fs::create_directories(BOARD_OUT_DIR);
        for (const auto& e : fs::directory_iterator(BOARD_OUT_DIR))
            fs::remove(e.path());

        Broker broker;
        // The discharge criteria can be met within the test: 20 s of observation.
        auto config = board_config(write_token());
        const std::string iv = "  iv-ketamine:";
        const auto at = config.find("    route: iv\n", config.find(iv));
        REQUIRE(at != std::string::npos);
        config.insert(at, "    discharge: {min_observation_s: 20}\n");
        Daemon daemon(broker, config);
        daemon.start();
        Process script(
            {node, BOARD_TEST_DIR "/board.test.mjs", "--url",
             "http://127.0.0.1:" + std::to_string(daemon.http_port()), "--user", nurse_name,
             "--password", nurse_password, "--admin", admin_name, "--admin-password",
             admin_password, "--mqtt-port", std::to_string(broker.port()), "--chromium", chromium,
             "--out", BOARD_OUT_DIR},
            std::string(BOARD_OUT_DIR) + "/board.test.log");
        const bool asked = eventually(
            [&] {
                return script.output().find("KILL_BROKER") != std::string::npos ||
                       !script.running();
            },
            180s);
        REQUIRE_MESSAGE(asked, script.output());
        if (script.running()) broker.stop();
        // Then the daemon itself: the page must say its live link is lost.
        eventually(
            [&] {
                return script.output().find("KILL_DAEMON") != std::string::npos ||
                       !script.running();
            },
            60s);
        if (script.running()) daemon.kill(SIGTERM);
        const int code = script.wait(60s);
        MESSAGE(script.output());
        CHECK(code == 0);
        CHECK(fs::exists(BOARD_OUT_DIR "/board-start-session.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-alarm.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-ack-action.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-feeds-paused.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-limit-changed.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-discharge.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-report.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-acknowledged.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-broker-down.png"));
        CHECK(fs::exists(BOARD_OUT_DIR "/board-link-lost.png"));
    }
}

// 12 chairs in alarm on a 1920x1080 wall screen, the sound setting, history and handover
// (tests/board/wall.test.mjs); its screenshots stay in BOARD_WALL_DIR.
TEST_SUITE("board_wall") {
    TEST_CASE(
        "12 chairs in alarm fit a 1080p screen in their colours; a report opens from history") {
        const auto [node, chromium] = browser_tools();
        const std::string out = BOARD_WALL_DIR;
        fs::remove_all(out);
        fs::create_directories(out);

        Broker broker;
        Daemon daemon(broker, board_config(write_token()));
        daemon.start();
        Process script({node, BOARD_TEST_DIR "/wall.test.mjs", "--url",
                        "http://127.0.0.1:" + std::to_string(daemon.http_port()), "--user",
                        nurse_name, "--password", nurse_password, "--mqtt-port",
                        std::to_string(broker.port()), "--chromium", chromium, "--out", out},
                       out + "/wall.test.log");
        const int code = script.wait(180s);
        MESSAGE(script.output());
        CHECK(code == 0);
        CHECK(fs::exists(out + "/wall-1920x1080.png"));
        CHECK(fs::exists(out + "/history-report.png"));
        CHECK(fs::exists(out + "/handover-print.png"));
    }
}
