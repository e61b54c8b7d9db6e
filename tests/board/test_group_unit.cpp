// The group board's pure parts: the sites' MQTT messages in, the JSON it serves out (with
// explicit times), and its configuration's errors with FILE:LINE:COLUMN.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "board/group_model.hpp"
#include "config/group_board_config.hpp"

using namespace chairwatch;
using alerts::Millis;
using namespace std::chrono_literals;

namespace {

board::GroupModel two_sites() {
    return board::GroupModel({{"North", "north/clinic", ""}, {"South", "south", ""}});
}

boost::json::object site(const board::GroupModel& m, Millis now, std::size_t i) {
    const auto doc = boost::json::parse(m.json(now));
    return doc.at("sites").as_array().at(i).as_object();
}

constexpr const char* high_hr =
    R"([{"alert_id":"chair-01:S1:a1","chair":"chair-01","condition":"hr_high","kind":"clinical",)"
    R"("priority":"high","state":"raised","value":152,"text":"Chair 1: heart rate 152","latched":)"
    R"(false,"secret_field":"not shown","nested":{"x":1}}])";

}  // namespace

TEST_SUITE("board_unit") {
    TEST_CASE("group board: the same chair at two sites stays apart, grouped by site") {
        auto m = two_sites();
        m.set_connected(true, 1000ms);
        m.on_message("north/clinic/chairwatchd/status", R"({"state":"online","pid":1})", 1000ms);
        m.on_message("south/chairwatchd/status", R"({"state":"online"})", 1000ms);
        m.on_message("north/clinic/chair-01/alarms", high_hr, 2000ms);
        m.on_message("south/chair-01/alarms", "[]", 2000ms);
        const auto n = site(m, 5000ms, 0);
        const auto s = site(m, 5000ms, 1);
        CHECK(n.at("name") == "North");
        CHECK(n.at("stale") == false);
        CHECK(n.at("status_age_s") == 4);
        const auto& chair = n.at("chairs").as_array().at(0).as_object();
        CHECK(chair.at("chair") == "chair-01");
        CHECK(chair.at("highest") == "high");
        CHECK(chair.at("count") == 1);
        CHECK(chair.at("age_s") == 3);
        const auto& alarm = chair.at("alarms").as_array().at(0).as_object();
        CHECK(alarm.at("text") == "Chair 1: heart rate 152");
        CHECK_FALSE(alarm.contains("secret_field"));  // only the fields a board shows
        CHECK_FALSE(alarm.contains("nested"));
        CHECK(s.at("chairs").as_array().at(0).at("count") == 0);
        CHECK_FALSE(s.at("chairs").as_array().at(0).as_object().contains("highest"));
    }

    TEST_CASE("group board: a site whose daemon is offline or unknown is stale, lists kept") {
        auto m = two_sites();
        m.set_connected(true, 0ms);
        m.on_message("north/clinic/chair-01/alarms", high_hr, 0ms);
        CHECK(site(m, 0ms, 0).at("stale") == true);  // no status yet
        CHECK(site(m, 0ms, 0).at("state") == "unknown");
        m.on_message("north/clinic/chairwatchd/status", R"({"state":"online"})", 1000ms);
        CHECK(site(m, 1000ms, 0).at("stale") == false);
        m.on_message("north/clinic/chairwatchd/status",
                     R"({"state":"offline","reason":"connection lost"})", 2000ms);
        const auto n = site(m, 3000ms, 0);
        CHECK(n.at("stale") == true);
        CHECK(n.at("state") == "offline");
        CHECK(n.at("stale_reason") == "this site's chairwatchd is offline");
        CHECK(n.at("chairs").as_array().size() == 1);  // the last known, marked as such
        m.set_connected(false, 4000ms);
        m.on_message("south/chairwatchd/status", R"({"state":"online"})", 1000ms);
        CHECK(site(m, 4000ms, 1).at("stale") == true);
        CHECK(site(m, 4000ms, 1).at("stale_reason") ==
              "the group board is not connected to the broker");
    }

    TEST_CASE("group board: a standby pair's active instance and its take-over") {
        auto m = two_sites();
        m.set_connected(true, 0ms);
        m.on_message("south/chairwatchd/status",
                     R"({"state":"online","instance":"a","role":"active","term":3})", 0ms);
        m.on_message("south/_group/ward/a/status",
                     R"({"state":"online","instance":"a","role":"active","term":3})", 0ms);
        m.on_message("south/_group/ward/b/status",
                     R"({"state":"online","instance":"b","role":"standby","term":3})", 0ms);
        auto s = site(m, 0ms, 1);
        CHECK(s.at("active_instance") == "a");
        CHECK(s.at("instances").as_array().size() == 2);
        CHECK(s.at("stale") == false);
        // The active vanishes: its will; the clinic's status still names it until b claims.
        m.on_message("south/_group/ward/a/status", R"({"state":"offline"})", 1000ms);
        s = site(m, 1000ms, 1);
        CHECK(s.at("stale") == true);
        CHECK(s.at("state") == "offline");
        m.on_message("south/chairwatchd/status",
                     R"({"state":"online","instance":"b","role":"active","term":4})", 1100ms);
        s = site(m, 1100ms, 1);
        CHECK(s.at("stale") == false);
        CHECK(s.at("active_instance") == "b");
    }

    TEST_CASE("group board: bad, foreign and oversized messages are counted, neighbours kept") {
        board::GroupModel m({{"North", "north", ""}}, {2, 64, 4096});
        m.on_message("north/chair-01/alarms", high_hr, 0ms);
        m.on_message("north/chair-01/alarms", "{not json", 0ms);           // rejected
        m.on_message("north/chair-02/alarms", R"({"an":"object"})", 0ms);  // rejected
        m.on_message("north/chair-03/alarms", "[]", 0ms);
        m.on_message("north/chair-04/alarms", "[]", 0ms);  // beyond 2 chairs: rejected
        m.on_message("north/chair-01/alarms", std::string(5000, ' '), 0ms);  // too large
        m.on_message("north/.hidden/alarms", "[]", 0ms);                     // bad chair id
        m.on_message("elsewhere/chair-01/alarms", "[]", 0ms);                // no site
        m.on_message("north/chairwatchd/status", R"({"state":"maybe"})", 0ms);
        CHECK(m.rejected() == 5);
        CHECK(m.ignored() == 2);
        const auto n = site(m, 0ms, 0);
        CHECK(n.at("chairs").as_array().size() == 2);
        CHECK(n.at("chairs").as_array().at(0).at("count") == 1);  // chair-01 kept its list
    }

    TEST_CASE("group board: a chair's state (phase, dose, latest values) beside its alarms") {
        auto m = two_sites();
        m.set_connected(true, 0ms);
        m.on_message(
            "south/chair-07/state",
            R"({"chair":"chair-07","session_id":"S7","open":true,"phase":"dosing",)"
            R"("started":"2026-12-07T18:00:00.000Z","dose_start":"2026-12-07T18:05:00.000Z",)"
            R"("values":{"hr":{"value":88,"ts":"2026-12-07T18:06:00.000Z"},"bogus":{"value":1},)"
            R"("sbp":{"value":131,"extra":true}},"ts":"2026-12-07T18:06:01.000Z","x":[1]})",
            3000ms);
        const auto s = site(m, 5000ms, 1);
        const auto& chair = s.at("chairs").as_array().at(0).as_object();
        CHECK(chair.at("chair") == "chair-07");
        CHECK(chair.at("count") == 0);
        CHECK_FALSE(chair.contains("age_s"));  // no list received yet
        CHECK(chair.at("state_age_s") == 2);
        const auto& st = chair.at("state").as_object();
        CHECK(st.at("phase") == "dosing");
        CHECK(st.at("dose_start") == "2026-12-07T18:05:00.000Z");
        CHECK_FALSE(st.contains("x"));
        const auto& values = st.at("values").as_object();
        CHECK(values.at("hr").at("value") == 88);
        CHECK(values.at("sbp").at("value") == 131);
        CHECK_FALSE(values.at("sbp").as_object().contains("extra"));
        CHECK_FALSE(values.contains("bogus"));
        m.on_message("south/chair-07/state", "[]", 6000ms);  // not an object: kept as it was
        CHECK(m.rejected() == 1);
        CHECK(site(m, 6000ms, 1).at("chairs").as_array().at(0).at("state").at("phase") == "dosing");
    }

    TEST_CASE("group board: the filters cover each site's lists and statuses") {
        board::GroupModel m({{"North", "north", "north/custom/status"}});
        const auto f = m.filters();
        REQUIRE(f.size() == 4);
        CHECK(f[0] == "north/+/alarms");
        CHECK(f[1] == "north/+/state");
        CHECK(f[2] == "north/custom/status");
        CHECK(f[3] == "north/_group/+/+/status");
    }

    TEST_CASE("group board config: sites, defaults, and every error with its position") {
        const auto ok = config::load_group_board_text(R"(broker:
  uri: tcp://127.0.0.1:1883
http:
  port: 0
  read_only_without_token: true
sites:
  - {name: North, prefix: north/clinic}
  - name: South
    prefix: south
    status_topic: south/custom/status
  - {name: East, prefix: east, site: east-1}
)",
                                                      "g.yaml");
        REQUIRE(ok.config);
        CHECK(ok.config->broker.client_id == "chairwatch-group-board");
        REQUIRE(ok.config->sites.size() == 3);
        CHECK(ok.config->sites[0].status_topic == "north/clinic/chairwatchd/status");
        CHECK(ok.config->sites[1].status_topic == "south/custom/status");
        // A site with a site.id has it in its default status topic (docs/high-availability.md).
        CHECK(ok.config->sites[2].status_topic == "east/chairwatchd/east-1/status");

        const auto bad = config::load_group_board_text(R"(broker:
  uri: tcp://127.0.0.1:1883
http:
  users_file: /etc/chairwatch/users
sites:
  - {name: North, prefix: north}
  - {name: North, prefix: north/clinic}
  - {name: West, prefix: "west/#"}
  - {prefix: east, colour: red}
  - {name: Far, prefix: far, site: Far_1}
)",
                                                       "g.yaml");
        REQUIRE_FALSE(bad.config);
        std::vector<std::string> lines;
        for (const auto& e : bad.errors)
            lines.push_back(e.format());
        const auto has = [&](const std::string& s) {
            for (const auto& l : lines)
                if (l.find(s) != std::string::npos) return true;
            return false;
        };
        CHECK(has("g.yaml:4:3: http.users_file: the group board is read-only"));
        CHECK(has("g.yaml:7:12: sites[1].name: 'North' names two sites"));
        CHECK(has("g.yaml:7:27: sites[1].prefix: 'north/clinic' and 'north' overlap"));
        CHECK(has("g.yaml:8:26: sites[2].prefix: 'west/#' must be a non-empty topic"));
        CHECK(has("sites[3].name: missing"));
        CHECK(has("unknown key 'sites[3].colour'"));
        CHECK(has("g.yaml:10:36: sites[4].site: 'Far_1' must be the site's site.id"));

        const auto none = config::load_group_board_text("broker: {uri: tcp://h:1}\n", "e.yaml");
        REQUIRE(none.errors.size() == 1);
        CHECK(none.errors[0].format() == "e.yaml:1:1: sites: missing (a list of {name, prefix})");
    }
}
