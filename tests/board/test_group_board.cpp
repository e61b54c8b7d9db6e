// The group board against the real thing: a mosquitto, two sites' chairwatchd (distinct topic
// prefixes, the same chair name at both) and `chairwatchd --group-board`. A surge at each site
// shows on /api/group under its site; a site whose daemon is killed turns offline and stale;
// nothing can be changed through it.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>

#include "board_fixture.hpp"
#include "browser_tools.hpp"
#include "harness.hpp"
#include "http_client.hpp"
#include "http_json.hpp"

namespace chairwatch::it {

namespace {

std::string site_config(const std::string& prefix) {
    return shipped_config({{"topic_prefix: clinic", "topic_prefix: " + prefix},
                           {"client_id: chairwatchd", "client_id: chairwatchd-" + prefix}});
}

// `chairwatchd --group-board FILE` on a free port, stopped by its PID.
class GroupBoardProcess {
  public:
    GroupBoardProcess(const Broker& broker, const std::string& token_file)
        : dir_(temp_dir("group-board")), port_(free_port()) {
        write_file(dir_ + "/group.yaml",
                   "broker:\n  uri: " + broker.uri() + "\n  client_id: group-board-test\n" +
                       "http:\n  address: 127.0.0.1\n  port: " + std::to_string(port_) +
                       "\n  token_file: " + token_file + "\n  station_name: all sites\n" +
                       "sites:\n  - {name: North, prefix: north}\n" +
                       "  - {name: South, prefix: south}\n");
        proc_ = std::make_unique<Process>(
            std::vector<std::string>{CHAIRWATCHD_BIN, "--group-board", dir_ + "/group.yaml"},
            dir_ + "/group-board.log");
    }
    int port() const { return port_; }
    std::string output() const { return proc_->output(); }
    Process& process() { return *proc_; }

  private:
    std::string dir_;
    int port_;
    std::unique_ptr<Process> proc_;
};

boost::json::value group(int port) {
    return parse(http_request(port, "GET", "/api/group", "", bearer()));
}

const boost::json::object* site_of(const boost::json::value& doc, const std::string& name) {
    if (!doc.is_object() || !doc.as_object().contains("sites")) return nullptr;
    for (const auto& s : doc.at("sites").as_array())
        if (s.at("name") == name.c_str()) return &s.as_object();
    return nullptr;
}

// The highest priority listed for `chair` at site `name`; "" if none or not there.
std::string highest(const boost::json::value& doc, const std::string& name,
                    const std::string& chair) {
    const auto* s = site_of(doc, name);
    if (!s) return "";
    for (const auto& c : s->at("chairs").as_array())
        if (c.at("chair") == chair.c_str() && c.as_object().contains("highest"))
            return std::string(c.at("highest").as_string());
    return "";
}

// The latest heart rate of `chair` at site `name` from its state topic; -1 if none.
double hr_of(const boost::json::value& doc, const std::string& name, const std::string& chair) {
    const auto* s = site_of(doc, name);
    if (!s) return -1;
    for (const auto& c : s->at("chairs").as_array()) {
        const auto* st = c.as_object().if_contains("state");
        if (c.at("chair") != chair.c_str() || !st) continue;
        const auto* hr = st->at("values").as_object().if_contains("hr");
        return hr ? hr->at("value").to_number<double>() : -1;
    }
    return -1;
}

}  // namespace

// Two sites (north, south) with chair-01 surging at each, and the group board over both.
struct GroupRig {
    Broker broker;
    Daemon north{broker, site_config("north"), "north"};
    Daemon south{broker, site_config("south"), "south"};
    std::unique_ptr<GroupBoardProcess> board;

    GroupRig() {
        north.watch_status("north/chairwatchd/status");
        south.watch_status("south/chairwatchd/status");
        north.start();
        south.start();
        board = std::make_unique<GroupBoardProcess>(broker, write_token());
        REQUIRE_MESSAGE(eventually([&] { return accepts(board->port()); }), board->output());
    }
    int port() const { return board->port(); }
    // A systolic surge at the north's chair-01, a diastolic one at the south's (HR 150 there);
    // returns /api/group once both show on it, with the south's chair state.
    boost::json::value surge() {
        Client monitor(broker.uri());
        for (int i = 0; i < 5; ++i) {
            monitor.publish("north/chair-01/vitals/bp", R"({"sbp":205,"dbp":90})");
            monitor.publish("south/chair-01/vitals/bp", R"({"sbp":165,"dbp":125})");
            monitor.publish("south/chair-01/vitals/hr", "150");
        }
        boost::json::value doc;
        const bool shown = eventually(
            [&] {
                doc = group(port());
                return highest(doc, "North", "chair-01") == "high" &&
                       highest(doc, "South", "chair-01") == "high" &&
                       hr_of(doc, "South", "chair-01") == 150;
            },
            20s);
        REQUIRE_MESSAGE(shown, boost::json::serialize(doc));
        return doc;
    }
};

TEST_SUITE("group_board") {
    TEST_CASE("two sites on one screen: surges grouped by site, a killed site stale, read-only") {
        GroupRig rig;
        // Without the token: nothing to read.
        CHECK(http_request(rig.port(), "GET", "/api/group").status == 401);
        CHECK(http_request(rig.port(), "GET", "/").status == 303);
        auto doc = rig.surge();
        const auto* n = site_of(doc, "North");
        const auto* s = site_of(doc, "South");
        REQUIRE(n);
        REQUIRE(s);
        CHECK(doc.at("connected") == true);
        CHECK(n->at("state") == "online");
        CHECK(n->at("stale") == false);
        CHECK(s->at("stale") == false);
        // Each site's own alarm: the systolic one in the north, the diastolic in the south.
        const auto conditions = [](const boost::json::object* site) {
            std::string all;
            for (const auto& a : site->at("chairs").as_array().at(0).at("alarms").as_array())
                all += std::string(a.at("condition").as_string()) + " ";
            return all;
        };
        CHECK(conditions(n).find("sbp_high ") != std::string::npos);
        CHECK(conditions(n).find("dbp_high ") == std::string::npos);
        CHECK(conditions(s).find("dbp_high ") != std::string::npos);
        CHECK(conditions(s).find("sbp_high ") != std::string::npos);  // 165: low
        CHECK(highest(doc, "South", "chair-01") == "high");

        // Read-only: no method but GET and HEAD on what it serves, no action route at all.
        CHECK(http_request(rig.port(), "POST", "/api/group", "{}", bearer()).status == 405);
        const auto alert_id = std::string(n->at("chairs")
                                              .as_array()
                                              .at(0)
                                              .at("alarms")
                                              .as_array()
                                              .at(0)
                                              .at("alert_id")
                                              .as_string());
        CHECK(http_request(rig.port(), "POST", "/api/alarms/" + alert_id + "/ack", "{}", bearer())
                  .status == 404);
        CHECK(http_request(rig.port(), "POST", "/api/chairs/chair-01/session",
                           R"({"action":"end"})", bearer())
                  .status == 404);
        const auto page = http_request(rig.port(), "GET", "/", "", bearer());
        CHECK(page.status == 200);
        CHECK(page.body.find("all sites") != std::string::npos);
        CHECK(http_request(rig.port(), "GET", "/app.js", "", bearer()).status == 404);

        // The south's daemon dies: its last will marks the site offline, its list stale.
        rig.south.kill(SIGKILL);
        REQUIRE(eventually(
            [&] {
                doc = group(rig.port());
                const auto* site = site_of(doc, "South");
                return site && site->at("stale") == true;
            },
            15s));
        s = site_of(doc, "South");
        n = site_of(doc, "North");
        CHECK(s->at("state") == "offline");
        CHECK(s->at("stale_reason") == "this site's chairwatchd is offline");
        CHECK(s->at("chairs").as_array().size() == 1);  // the last known list, marked stale
        CHECK(n->at("stale") == false);

        rig.board->process().signal(SIGTERM);
        CHECK(rig.board->process().wait(10s) == 0);
    }
}

// The page in Debian's chromium (group.test.mjs): both sites live, then the south stale.
// Screenshots in GROUP_OUT_DIR (group-live.png, group-south-stale.png): look at them.
TEST_SUITE("group_board_browser") {
    TEST_CASE("the group board's page: both sites, the HIGH colour, then one site NOT CURRENT") {
        const auto [node, chromium] = browser_tools();
        std::filesystem::create_directories(GROUP_OUT_DIR);
        GroupRig rig;
        rig.surge();
        const auto run = [&](const std::string& name, const std::string& stale) {
            std::vector<std::string> argv{
                node,         BOARD_TEST_DIR "/group.test.mjs",
                "--url",      "http://127.0.0.1:" + std::to_string(rig.port()),
                "--token",    station_token,
                "--chromium", chromium,
                "--out",      GROUP_OUT_DIR,
                "--name",     name};
            if (!stale.empty()) {
                argv.push_back("--stale");
                argv.push_back(stale);
            }
            Process script(argv, std::string(GROUP_OUT_DIR) + "/" + name + ".log");
            const int code = script.wait(90s);
            MESSAGE(script.output());
            CHECK(code == 0);
            CHECK(std::filesystem::exists(std::string(GROUP_OUT_DIR) + "/" + name + ".png"));
        };
        run("group-live", "");
        rig.south.kill(SIGKILL);
        run("group-south-stale", "South");
    }
}

}  // namespace chairwatch::it
