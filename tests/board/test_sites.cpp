// Many sites on one broker (docs/high-availability.md, "Many sites"), with the real chairwatchd,
// a real mosquitto and the real board: two sites on their own topic prefixes with the same chair
// name, and two sites on one prefix told apart by chair patterns. A surge at each: the alert ids
// differ by site, each daemon handles only its own chairs (another site's are ignored and
// counted), and an acknowledgement, over MQTT or the board, reaches the right one.
#include <doctest/doctest.h>

#include <filesystem>

#include "board_fixture.hpp"

using namespace chairwatch::it;

namespace {

// The shipped configuration on `prefix` with client id chairwatchd-<id>, a board (station token
// and accounts) and `site` (a `site:` section).
std::string site_config(const std::string& prefix, const std::string& id, const std::string& site,
                        const std::string& token_file, const std::string& users_file) {
    return shipped_config({{"client_id: chairwatchd ", "client_id: chairwatchd-" + id + " "},
                           {"topic_prefix: clinic ", "topic_prefix: " + prefix + " "}}) +
           "\nhttp:\n  token_file: " + token_file + "\n  users_file: " + users_file + "\n" + site;
}

// A site's daemon, started and watched on its own status topic.
struct SiteDaemon {
    SiteDaemon(const Broker& broker, const std::string& topic_prefix, const std::string& id,
               const std::string& site, const std::string& token, const std::string& users)
        : prefix(topic_prefix),
          daemon(broker, site_config(topic_prefix, id, site, token, users), "site-" + id) {
        daemon.watch_status(topic_prefix + "/chairwatchd/" + id + "/status");
    }
    std::string topic(const std::string& chair, const std::string& leaf) const {
        return prefix + "/" + chair + "/" + leaf;
    }
    double foreign() const { return daemon.metric("chairwatch_foreign_chair_messages_total"); }
    bool has_log(const std::string& chair) const {
        return std::filesystem::exists(daemon.log_dir() + "/" + chair);
    }
    std::string prefix;
    Daemon daemon;
};

// Two readings on `chair` of `site`: SBP 150, then 205 (sbp_high, high priority). Returns the
// raised alert's id once `station` heard it.
std::string surge(Client& monitor, Client& station, const SiteDaemon& site,
                  const std::string& chair) {
    monitor.publish(site.topic(chair, "vitals/bp"), R"({"sbp":150,"dbp":90})");
    monitor.publish(site.topic(chair, "vitals/bp"), R"({"sbp":205,"dbp":100})");
    const auto raised = station.wait_for([&](const Message& m) {
        return m.topic == site.topic(chair, "alerts") && field(m, "condition") == "sbp_high" &&
               field(m, "state") == "raised";
    });
    REQUIRE(raised);
    return field(*raised, "alert_id");
}

// Two sites' daemons, started, on one broker; a chair monitor, and a station that hears every
// alert and acknowledgement result under `heard` (a topic filter).
struct TwoSites {
    struct Site {
        std::string prefix, id, section;
    };
    TwoSites(const Site& a, const Site& b, const std::string& heard)
        : one(broker, a.prefix, a.id, a.section, token, users),
          two(broker, b.prefix, b.id, b.section, token, users) {
        one.daemon.start();
        two.daemon.start();
        station.subscribe(heard);
    }
    // A surge on `chair_one` of the first site and `chair_two` of the second: their alert ids.
    std::pair<std::string, std::string> surges(const std::string& chair_one,
                                               const std::string& chair_two) {
        auto first = surge(monitor, station, one, chair_one);
        return {first, surge(monitor, station, two, chair_two)};
    }
    Broker broker;
    std::string token = write_token();
    std::string users = write_users();
    SiteDaemon one, two;
    Client monitor{broker.uri()};
    Client station{broker.uri()};
};

// Waits for `id` in `state` on `chair`'s alerts topic of `site`.
bool alert_in(Client& station, const SiteDaemon& site, const std::string& chair,
              const std::string& id, const std::string& state) {
    return station
        .wait_for([&](const Message& m) {
            return m.topic == site.topic(chair, "alerts") && field(m, "alert_id") == id &&
                   field(m, "state") == state;
        })
        .has_value();
}

// Every alert published under `site`'s prefix carries `id_start`.
void check_ids(const Client& station, const SiteDaemon& site, const std::string& id_start) {
    for (const auto& m : station.messages(site.prefix + "/")) {
        if (!m.topic.ends_with("/alerts")) continue;
        CHECK_MESSAGE(field(m, "alert_id").rfind(id_start, 0) == 0, m.topic << " " << m.payload);
    }
}

bool starts(const std::string& s, const std::string& start) {
    return s.rfind(start, 0) == 0;
}

}  // namespace

TEST_SUITE("sites") {
    TEST_CASE("two sites, one broker, own prefixes: the same chair name, ids by site") {
        TwoSites sites({"grp/north", "north", "site: {id: north}\n"},
                       {"grp/south", "south", "site: {id: south, chairs: [\"chair-*\"]}\n"},
                       "grp/+/+/alerts/#");
        const auto [north_id, south_id] = sites.surges("chair-7", "chair-7");
        const SiteDaemon& north = sites.one;
        const SiteDaemon& south = sites.two;
        auto& monitor = sites.monitor;
        auto& station = sites.station;
        CHECK_MESSAGE(starts(north_id, "north:chair-7:north-chair-7-"), north_id);
        CHECK_MESSAGE(starts(south_id, "south:chair-7:south-chair-7-"), south_id);

        // South owns chair-*: lab-1 on its prefix is ignored, counted, and never a session.
        monitor.publish(south.topic("lab-1", "vitals/bp"), R"({"sbp":205,"dbp":100})");
        CHECK(eventually([&] { return south.foreign() >= 1; }));
        CHECK_FALSE(south.has_log("lab-1"));
        CHECK(north.foreign() == 0);

        // An acknowledgement over MQTT with the north id at north; the same id sent to south's
        // chair-7 is another site's.
        monitor.publish(north.topic("chair-7", "alerts/ack"),
                        R"({"alert_id":")" + north_id + R"(","by":"nurse-1"})");
        CHECK(alert_in(station, north, "chair-7", north_id, "acknowledged"));
        monitor.publish(south.topic("chair-7", "alerts/ack"),
                        R"({"alert_id":")" + north_id + R"(","by":"nurse-1"})");
        const auto refused = station.wait_for([&](const Message& m) {
            return m.topic == south.topic("chair-7", "alerts/ack/result") &&
                   field(m, "alert_id") == north_id;
        });
        REQUIRE(refused);
        CHECK(field(*refused, "ok") == "false");
        CHECK(field(*refused, "error") == "alert_id belongs to another site");

        // On south's board: its own id is acknowledged, north's is not one of its alarms.
        const auto nurse = person(south.daemon.http_port(), nurse_name, nurse_password);
        REQUIRE(!nurse.empty());
        const auto port = south.daemon.http_port();
        const auto wrong =
            http_request(port, "POST", "/api/alarms/" + north_id + "/ack", "{}", nurse);
        CHECK(wrong.status == 404);
        const auto ok = http_request(port, "POST", "/api/alarms/" + south_id + "/ack", "{}", nurse);
        CHECK_MESSAGE(ok.status == 200, ok.body);
        CHECK(alert_in(station, south, "chair-7", south_id, "acknowledged"));

        check_ids(station, north, "north:");
        check_ids(station, south, "south:");
    }

    TEST_CASE("two sites on one prefix, told apart by chair patterns") {
        // East by a pattern (subscribes to every chair, ignores west's); west by name (subscribes
        // to its two chairs only).
        TwoSites sites({"grp", "east", "site: {id: east, chairs: [\"e-*\"]}\n"},
                       {"grp", "west", "site: {id: west, chairs: [w-1, w-2]}\n"}, "grp/+/alerts/#");
        const auto [east_id, west_id] = sites.surges("e-1", "w-1");
        const SiteDaemon& east = sites.one;
        const SiteDaemon& west = sites.two;
        auto& station = sites.station;
        CHECK_MESSAGE(starts(east_id, "east:e-1:east-e-1-"), east_id);
        CHECK_MESSAGE(starts(west_id, "west:w-1:west-w-1-"), west_id);
        CHECK(eventually([&] { return east.foreign() >= 2; }));  // west's two readings
        CHECK(west.foreign() == 0);                              // never sent east's
        CHECK_FALSE(east.has_log("w-1"));
        CHECK_FALSE(west.has_log("e-1"));

        // The acknowledgement reaches west alone: one result, once east has ignored it too.
        const auto before = east.foreign();
        sites.monitor.publish(west.topic("w-1", "alerts/ack"),
                              R"({"alert_id":")" + west_id + R"(","by":"nurse-2"})");
        CHECK(alert_in(station, west, "w-1", west_id, "acknowledged"));
        // West's result follows its alert (on a slow machine, after the foreign count below).
        const auto result_topic = west.topic("w-1", "alerts/ack/result");
        CHECK(eventually([&] { return !station.messages(result_topic).empty(); }));
        CHECK(eventually([&] { return east.foreign() == before + 1; }));
        const auto results = station.messages(result_topic);
        REQUIRE(results.size() == 1);
        CHECK(field(results[0], "ok") == "true");

        for (const auto& m : station.messages("grp/")) {
            if (!m.topic.ends_with("/alerts")) continue;
            const auto id = field(m, "alert_id");
            CHECK_MESSAGE(
                (starts(m.topic, "grp/e-") ? starts(id, "east:e-") : starts(id, "west:w-")),
                m.topic << " " << m.payload);
        }
    }
}
