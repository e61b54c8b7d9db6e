// Breathing (issue 21 item 9): RR and EtCO2 on the vitals payload, the NEWS2 respiratory bands
// of REFERENCE §7 as the shipped RR limits, SpO2 low while RR is low as one HIGH sooner than
// either alone, and the `sedatives` modifier that requires SpO2 and RR from the session's start.
#include <doctest/doctest.h>

#include "alerts/chair_monitor.hpp"
#include "config/config.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "drivers/recording/start_spec.hpp"
#include "profile_builder.hpp"
#include "ward.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ConditionChange;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;

namespace {

// spo2_low: < 92 MEDIUM after 15 s, and < 92 while RR <= 11 HIGH after 5 s (margin 2, no hold).
std::shared_ptr<alerts::Profile> joined_profile() {
    auto joined = tier(92, Priority::high, 5s, 1, 0ms, false);
    joined.and_limit = alerts::OrLimit{Signal::rr, 11, true};
    return profile({rule("spo2_low", Signal::spo2, Direction::low, 2, 0ms,
                         {tier(92, Priority::medium, 15s, 1, 0ms, false), joined})});
}

constexpr const char* state_names[] = {"raised", "updated", "cleared"};  // ConditionState

// Feeds SpO2 and RR once a second over [from, to), ticking each second; "t priority state" of
// each change.
struct Chair {
    explicit Chair(alerts::ChairMonitor::Shortcuts s) : monitor(joined_profile(), s) {}
    void feed(Millis from, Millis to, double spo2, double rr) {
        for (Millis t = from; t < to; t += 1s) {
            monitor.on_reading({Signal::spo2, spo2, at(t).wall}, at(t), out);
            monitor.on_reading({Signal::rr, rr, at(t).wall}, at(t), out);
            monitor.on_tick(at(t), out);
        }
    }
    std::vector<std::string> seen() const {
        std::vector<std::string> s;
        for (const auto& c : out)
            s.push_back(std::to_string(c.at.mono.count() / 1000) + " " +
                        std::string(alerts::to_string(c.priority)) + " " +
                        state_names[static_cast<std::size_t>(c.state)]);
        return s;
    }
    alerts::ChairMonitor monitor;
    std::vector<ConditionChange> out;
};

const alerts::ChairMonitor::Shortcuts both_modes[] = {alerts::ChairMonitor::Shortcuts::on,
                                                      alerts::ChairMonitor::Shortcuts::off};

}  // namespace

TEST_CASE("SpO2 below its limit while RR is low raises HIGH sooner than SpO2 alone") {
    for (const auto mode : both_modes) {
        Chair c(mode);
        c.feed(0s, 10s, 97, 14);
        c.feed(10s, 40s, 89, 10);  // both 5 s medians are beyond from 12 s
        // HIGH 5 s after both are beyond; the MEDIUM tier (15 s) never shows: HIGH came first.
        CHECK(c.seen() == std::vector<std::string>{"17 high raised"});
    }
}

TEST_CASE("SpO2 low with normal RR stays MEDIUM; the joined tier needs RR low as well") {
    for (const auto mode : both_modes) {
        Chair c(mode);
        c.feed(0s, 10s, 97, 14);
        c.feed(10s, 60s, 89, 14);
        CHECK(c.seen() == std::vector<std::string>{"27 medium raised"});
        c.feed(60s, 80s, 89, 9);  // RR falls (median at or below 11 from 62 s): HIGH 5 s later
        CHECK(c.seen().back() == "67 high updated");
    }
}

TEST_CASE("the joined tier ends when RR is back inside by its margin, SpO2 still low") {
    for (const auto mode : both_modes) {
        Chair c(mode);
        c.feed(0s, 30s, 89, 10);
        REQUIRE(c.seen() == std::vector<std::string>{"5 high raised"});
        c.feed(30s, 40s, 89, 12);  // 12 is inside 11 but not by the margin of 2: stays HIGH
        CHECK(c.seen().size() == 1);
        c.feed(40s, 60s, 89, 14);  // 14 >= 11 + 2 from 42 s: HIGH ends, MEDIUM (SpO2) remains
        CHECK(c.seen().back() == "42 medium updated");
    }
}

TEST_CASE("no RR at all: the joined tier is never beyond") {
    alerts::ChairMonitor m(joined_profile());
    std::vector<ConditionChange> out;
    for (Millis t = 0s; t < 30s; t += 1s) {
        m.on_reading({Signal::spo2, 88, at(t).wall}, at(t), out);
        m.on_tick(at(t), out);
    }
    REQUIRE(out.size() == 1);
    CHECK(out[0].priority == Priority::medium);
    CHECK(out[0].at.mono == 15s);
}

TEST_CASE("shipped RR limits: the NEWS2 respiratory bands (REFERENCE §7)") {
    ShippedWard w;
    REQUIRE(w.start(0s, "iv-ketamine") == alerts::ControlResult::ok);
    w.stream(Signal::rr, 0s, 10s, 14);
    w.stream(Signal::rr, 10s, 100s, 8);  // <= 8: HIGH after 30 s (from 12 s, the median's turn)
    const auto low = w.alarms("rr_low");
    REQUIRE(low.size() == 1);
    CHECK(low[0].priority == Priority::high);
    CHECK(low[0].at.mono == 42s);
    w.stream(Signal::rr, 100s, 300s, 26);  // >= 25: MEDIUM after 60 s
    const auto high = w.alarms("rr_high");
    REQUIRE_FALSE(high.empty());
    CHECK(high.front().priority == Priority::medium);
    CHECK(high.front().at.mono == 162s);
}

TEST_CASE("shipped RR limits: 9-11 and 21-24 are LOW after 60 s") {
    ShippedWard w;
    REQUIRE(w.start(0s, "iv-ketamine") == alerts::ControlResult::ok);
    w.stream(Signal::rr, 0s, 120s, 10);
    const auto low = w.alarms("rr_low");
    REQUIRE(low.size() == 1);
    CHECK(low[0].priority == Priority::low);
    CHECK(low[0].at.mono == 60s);
    w.stream(Signal::rr, 120s, 300s, 22);
    const auto high = w.alarms("rr_high");
    REQUIRE_FALSE(high.empty());
    CHECK(high.front().priority == Priority::low);
}

TEST_CASE("sedatives: SpO2 and RR are expected from the session's start") {
    const auto silent = [](bool sedatives) {
        ShippedWard w;
        alerts::SessionInfo info;
        info.profile = "iv-ketamine";
        if (sedatives) info.sedatives = true;
        REQUIRE(w.start(0s, info) == alerts::ControlResult::ok);
        w.hr(0s, 40s, 70);
        return std::make_pair(w.alarms("spo2_feed_lost"), w.alarms("rr_feed_lost"));
    };
    const auto [spo2, rr] = silent(true);
    REQUIRE(rr.size() == 2);
    CHECK(rr[0].priority == Priority::low);
    CHECK(rr[0].at.mono == 11s);
    CHECK(rr[1].priority == Priority::medium);
    CHECK(rr[1].at.mono == 31s);
    CHECK(spo2.size() == 2);
    const auto [spo2_plain, rr_plain] = silent(false);
    CHECK(spo2_plain.empty());
    CHECK(rr_plain.empty());
}

TEST_CASE("an RR feed that delivered and then goes silent is noted (LOW after 30 s)") {
    ShippedWard w;
    REQUIRE(w.start(0s, "iv-ketamine") == alerts::ControlResult::ok);
    w.stream(Signal::rr, 0s, 10s, 14);
    w.hr(10s, 60s, 70);
    const auto lost = w.alarms("rr_feed_lost");
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].priority == Priority::low);
    CHECK(lost[0].at.mono == 40s);
    CHECK(drivers::alert_text("chair-01", lost[0]).find("respiratory-rate feed") !=
          std::string::npos);
}

TEST_CASE("rr and etco2 on the vitals payload, with plausibility ranges") {
    constexpr Millis rx{1'764'000'000'000};
    const auto d = drivers::decode_vitals("resp", R"({"rr":12,"etco2":38})", rx, 4096);
    REQUIRE(d.count == 2);
    CHECK(d.readings[0].signal == Signal::rr);
    CHECK(d.readings[0].value == 12);
    CHECK(d.readings[1].signal == Signal::etco2);
    CHECK(d.readings[1].value == 38);
    const auto off = drivers::decode_vitals("rr", "0", rx, 4096);  // 0: the sensor is off
    REQUIRE(off.rejected == 1);
    CHECK(off.rejections[0].reason == drivers::RejectReason::sensor_off);
    const auto bad = drivers::decode_vitals("resp", R"({"rr":12,"etco2":180})", rx, 4096);
    CHECK(bad.count == 1);  // the neighbour's valid RR is kept
    REQUIRE(bad.rejected == 1);
    CHECK(bad.rejections[0].reason == drivers::RejectReason::implausible);
    CHECK(bad.rejections[0].detail.find("etco2 180") != std::string::npos);
}

TEST_CASE("sedatives on the start message and in a replay's start spec") {
    alerts::SessionInfo info;
    std::string error;
    REQUIRE(drivers::parse_start_spec("iv-ketamine;sedatives", info, error));
    CHECK(info.sedatives == true);
    CHECK(drivers::format_start_spec(info) == "iv-ketamine;sedatives");
    CHECK(alerts::session_flags(info) == std::vector<std::string>{"sedatives"});
}

TEST_CASE("config: 'and' joins streamed signals only, with file:line:col") {
    const auto load = [](const std::string& tier) {
        return config::load_config_text(
            "broker: {uri: tcp://127.0.0.1:1883}\nprofiles:\n  p:\n    rules:\n      r:\n"
            "        signal: spo2\n        tiers:\n          - " +
                tier + "\n",
            "t.yaml");
    };
    const auto ok = load("{below: 92, and: {signal: rr, at_or_below: 11}, priority: high}");
    REQUIRE(ok.errors.empty());
    const auto& t = ok.config->profiles.at("p")->rules.at(0).tiers.at(0);
    REQUIRE(t.and_limit);
    CHECK(t.and_limit->signal == Signal::rr);
    CHECK(t.and_limit->limit == 11);
    const auto cuff = load("{below: 92, and: {signal: sbp, at_or_below: 90}, priority: high}");
    REQUIRE_FALSE(cuff.errors.empty());
    CHECK(cuff.errors[0].format().rfind("t.yaml:8:", 0) == 0);
    CHECK(cuff.errors[0].format().find("'and' joins another streamed signal") != std::string::npos);
    const auto dir = load("{below: 92, and: {signal: rr, above: 24}, priority: high}");
    REQUIRE_FALSE(dir.errors.empty());
    CHECK(dir.errors[0].format().find("same direction") != std::string::npos);
    const auto range = load("{below: 92, and: {signal: rr, below: 200}, priority: high}");
    REQUIRE_FALSE(range.errors.empty());
    CHECK(range.errors[0].format().find("physiological range of rr (1-150 /min)") !=
          std::string::npos);
}
