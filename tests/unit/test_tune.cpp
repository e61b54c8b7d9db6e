// Replay and tune on hand-counted recordings.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "drivers/recording/recording.hpp"
#include "drivers/recording/replay.hpp"
#include "tools/replay_cli.hpp"

using namespace chairwatch;

namespace {

const std::string config_path = CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml";
const std::string fixtures = CHAIRWATCH_SOURCE_DIR "/tests/fixtures/";

alerts::ClinicProfiles profiles_from(const std::string& text) {
    auto r = config::load_config_text(text, "test");
    for (const auto& e : r.errors)
        INFO(e.format());
    REQUIRE(r.config);
    return r.config->clinic_profiles();
}

std::string shipped() {
    std::ifstream in(config_path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("tune: raising the low SBP limit from 160 to 170 loses exactly the 165 mmHg alarm") {
    // By hand: SBP 165 at 10 min, 175 at 30 min, 185 at 50 min, each back under 150 after.
    // With 160: three sbp_high alarms. With 170: the 165 one is gone, nothing is gained.
    std::string error;
    const auto edited = tools::apply_sets(
        shipped(), {"profiles.adult-default.rules.sbp_high.tiers[0].at_or_above=170"}, error);
    REQUIRE(error.empty());
    const auto recording = fixtures + "tune_sbp.csv";
    const auto before =
        tools::episodes_of(tools::replay_path(recording, profiles_from(shipped())), recording);
    const auto after =
        tools::episodes_of(tools::replay_path(recording, profiles_from(edited)), recording);
    CHECK(before.size() == 3);
    CHECK(after.size() == 2);
    const auto t = tools::compare({before}, {after}, 1.0);
    REQUIRE(t.lost.size() == 1);
    CHECK(t.lost[0].condition == "sbp_high");
    CHECK(t.lost[0].start == std::chrono::seconds(600));
    CHECK(t.lost[0].end == std::chrono::seconds(1200));
    CHECK(t.gained.empty());
    CHECK(t.per_condition_base.at("sbp_high") == std::array<int, 3>{2, 1, 0});
    CHECK(t.per_condition_changed.at("sbp_high") == std::array<int, 3>{1, 1, 0});
    CHECK(t.alarm_seconds_base == doctest::Approx(1800));
    CHECK(t.alarm_seconds_changed == doctest::Approx(1200));
    auto json = boost::json::parse(tools::tune_json(t)).as_object();
    CHECK(json["high_priority_lost"] == false);
    CHECK(json["lost"].as_array().size() == 1);
}

TEST_CASE("tune flags a lost high-priority alarm") {
    std::string error;
    const auto edited = tools::apply_sets(
        shipped(), {"profiles.adult-default.rules.sbp_high.tiers[3].at_or_above=230"}, error);
    REQUIRE(error.empty());
    const auto recording = fixtures + "iv_session.csv";
    const auto before =
        tools::episodes_of(tools::replay_path(recording, profiles_from(shipped())), recording);
    const auto after =
        tools::episodes_of(tools::replay_path(recording, profiles_from(edited)), recording);
    const auto t = tools::compare({before}, {after}, 2.0);
    // 206 once was high (>= 200); without that tier the same episode peaks at medium: not lost.
    CHECK(t.lost.empty());
    CHECK(t.per_condition_base.at("sbp_high")[2] == 1);
    CHECK(t.per_condition_changed.at("sbp_high")[2] == 0);
}

TEST_CASE("--set reports a path that does not exist") {
    std::string error;
    tools::apply_sets(shipped(), {"profiles.adult-default.rules.sbp_high.tiers[9].above=1"}, error);
    CHECK(error.find("no item 9") != std::string::npos);
    error.clear();
    tools::apply_sets(shipped(), {"no-equals-sign"}, error);
    CHECK(error.find("expected PATH=VALUE") != std::string::npos);
}

TEST_CASE("replay steers sessions from event rows and acknowledges from ack rows") {
    const auto r = tools::replay_path(fixtures + "iv_session.csv", profiles_from(shipped()));
    CHECK(r.errors.empty());
    bool rise = false, acked = false, ready = false;
    for (const auto& a : r.alarms) {
        rise = rise || (a.condition == "bp_rise" && a.alarm.state == alerts::AlarmState::raised);
        acked = acked ||
                (a.condition == "sbp_high" && a.alarm.state == alerts::AlarmState::acknowledged &&
                 a.alarm.acknowledged_by == "nurse-2");
        ready = ready || a.condition == "discharge_ready";
    }
    CHECK(rise);  // 172 is 42 over the baseline of 130
    CHECK(acked);
    CHECK(ready);  // 129/79 and HR 72 (the final NIBP and HR) an hour after dose_end
}

TEST_CASE("tune flags a HIGH alarm the changed config demotes as loudly as one it loses") {
    using alerts::Priority;
    const auto ep = [](const char* cond, Priority p, int from_s, int to_s) {
        return tools::Episode{"r.csv",
                              cond,
                              "physiological",
                              p,
                              std::chrono::seconds(from_s),
                              std::chrono::seconds(to_s)};
    };
    // sbp_high: HIGH at 600-900 s now, only MEDIUM over the same time when changed; hr_high
    // stays HIGH; map_low was MEDIUM (a demotion of a non-HIGH alarm is not flagged).
    const std::vector<tools::Episode> base{ep("sbp_high", Priority::high, 600, 900),
                                           ep("hr_high", Priority::high, 1000, 1100),
                                           ep("map_low", Priority::medium, 2000, 2100)};
    const std::vector<tools::Episode> changed{ep("sbp_high", Priority::medium, 610, 880),
                                              ep("hr_high", Priority::high, 1005, 1100),
                                              ep("map_low", Priority::low, 2000, 2100)};
    const auto t = tools::compare({base}, {changed}, 1.0);
    CHECK(t.lost.empty());
    REQUIRE(t.demoted.size() == 1);
    CHECK(t.demoted[0].condition == "sbp_high");
    CHECK(t.demoted[0].max_priority == Priority::medium);
    CHECK(t.demoted[0].start == std::chrono::seconds(610));
    auto json = boost::json::parse(tools::tune_json(t)).as_object();
    CHECK(json["high_priority_demoted"] == true);
    CHECK(json["high_priority_lost"] == false);
    CHECK(json["demoted"].as_array().size() == 1);
    const auto none = tools::compare({base}, {base}, 1.0);
    CHECK(none.demoted.empty());
    CHECK(boost::json::parse(tools::tune_json(none)).as_object()["high_priority_demoted"] == false);
}

TEST_CASE("an alarm still open when a recording that starts late ends lasts until its last row") {
    // Charted data often starts hours into a stay: rows from 36000 s to 39600 s, SBP 172 from
    // the second cuff reading on. The sbp_high episode is open at the end: 36600 s to 39600 s,
    // and the same config compared with itself loses and gains nothing.
    std::string csv = "t_s,signal,value,unit\n";
    for (int t = 36000; t <= 39600; t += 60) {
        csv += std::to_string(t) + ",hr,72,bpm\n";
        if (t % 600 == 0) {
            const int sbp = t == 36000 ? 130 : 172;
            csv += std::to_string(t) + ",sbp," + std::to_string(sbp) + ",mmHg\n";
            csv += std::to_string(t) + ",dbp,80,mmHg\n";
        }
    }
    const auto recording = drivers::parse_csv_recording(csv, "late.csv");
    REQUIRE(recording.errors.empty());
    const auto r = drivers::replay(recording, profiles_from(shipped()));
    CHECK(r.last == std::chrono::seconds(39600));
    CHECK(r.span == std::chrono::seconds(3600));
    const auto episodes = tools::episodes_of(r, "late.csv");
    const auto sbp = std::find_if(episodes.begin(), episodes.end(), [](const tools::Episode& e) {
        return e.condition == "sbp_high";
    });
    REQUIRE(sbp != episodes.end());
    CHECK(sbp->start == std::chrono::seconds(36600));
    CHECK(sbp->end == std::chrono::seconds(39600));
    for (const auto& e : episodes)
        CHECK(e.end >= e.start);
    const auto t = tools::compare({episodes}, {episodes}, 1.0);
    CHECK(t.lost.empty());
    CHECK(t.gained.empty());
    CHECK(t.alarm_seconds_base >= 3000);
}
