// A chair's monitor link (REF §8 "link lost"): the monitor's own status, monitor_link_lost after
// the profile's delay, MEDIUM, HIGH while dosing, standing for the chair's feed alarms while it
// is offline. Explicit times throughout.
#include <doctest/doctest.h>

#include <algorithm>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "drivers/codec/monitor_codec.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmState;
using alerts::ClinicEvent;
using alerts::ControlAction;
using alerts::Priority;
using alerts::Signal;

namespace {

// HR expected from the start: silent > 10 s LOW, > 30 s MEDIUM (as shipped).
alerts::Clinic clinic_with_hr_feed() {
    auto p = profile({}, {feed_rule("hr_feed_lost", Signal::hr,
                                    {{10s, Priority::low}, {30s, Priority::medium}}, true)});
    p->name = "t";
    return alerts::Clinic(alerts::ClinicProfiles::single(std::move(p)), {});
}

std::vector<alerts::AlarmTransition> alarms(const std::vector<ClinicEvent>& out,
                                            std::string_view condition) {
    std::vector<alerts::AlarmTransition> found;
    for (const auto& e : out)
        if (e.type == ClinicEvent::Type::alarm && e.alarm.condition == condition)
            found.push_back(e.alarm);
    return found;
}

// The one transition of `condition` in `out` (the test stops if there is not exactly one).
alerts::AlarmTransition only(const std::vector<ClinicEvent>& out, std::string_view condition) {
    const auto found = alarms(out, condition);
    REQUIRE(found.size() == 1);
    return found[0];
}

// Ticks every second from `from` to `to` (inclusive).
void ticks(alerts::Clinic& clinic, Millis from, Millis to, std::vector<ClinicEvent>& out) {
    for (auto t = from; t <= to; t += 1s)
        clinic.on_tick(at(t), out);
}

void start(alerts::Clinic& clinic, Millis t, std::vector<ClinicEvent>& out) {
    REQUIRE(clinic.on_control("chair-01", ControlAction::start, {}, at(t), out) ==
            alerts::ControlResult::ok);
}

}  // namespace

TEST_CASE("MonitorLink: offline longer than the delay, MEDIUM or HIGH while dosing") {
    alerts::MonitorLink link;
    CHECK_FALSE(link.known());
    CHECK_FALSE(link.wanted(100s, 0s, 15s, false));
    link.on_status(true, 1s, "gw-1");
    CHECK(link.known());
    CHECK(link.device() == "gw-1");
    CHECK_FALSE(link.wanted(100s, 0s, 15s, true));
    link.on_status(false, 10s);
    link.on_status(false, 20s);  // a repeated will keeps the outage's first time
    CHECK(link.since() == 10s);
    CHECK(link.device() == "gw-1");
    CHECK_FALSE(link.wanted(25s, 0s, 15s, false));
    CHECK(link.due(0s, 15s) == 25001ms);
    CHECK(link.wanted(25001ms, 0s, 15s, false) == Priority::medium);
    CHECK(link.wanted(25001ms, 0s, 15s, true) == Priority::high);
    // Counted from a later session start.
    CHECK_FALSE(link.wanted(30s, 20s, 15s, false));
    CHECK(link.due(20s, 15s) == 35001ms);
    link.on_status(true, 40s);
    CHECK_FALSE(link.wanted(100s, 0s, 15s, true));
    CHECK(link.due(0s, 15s) == Millis::max());
}

TEST_CASE("a lost monitor link is one alarm for the chair: its feeds' alarms are held") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    clinic.on_monitor_status("chair-01", true, "", at(0s), out);
    start(clinic, 0s, out);
    for (auto t = 0s; t <= 5s; t += 1s)
        clinic.on_reading("chair-01", {Signal::hr, 80, at(t).wall}, at(t), out);
    out.clear();
    clinic.on_monitor_status("chair-01", false, "", at(6s), out);
    CHECK(out.empty());
    // HR silent > 10 s at 15 s: the link alarm is raised then, at the feed's LOW, instead of it.
    ticks(clinic, 6s, 15s, out);
    CHECK(alarms(out, "monitor_link_lost").empty());
    ticks(clinic, 16s, 16s, out);
    auto link = only(out, "monitor_link_lost");
    CHECK(link.state == AlarmState::raised);
    CHECK(link.priority == Priority::low);
    CHECK(link.kind == alerts::AlarmKind::technical);
    // Offline > 15 s (from 6 s): MEDIUM.
    out.clear();
    ticks(clinic, 17s, 22s, out);
    link = only(out, "monitor_link_lost");
    CHECK(link.state == AlarmState::updated);
    CHECK(link.priority == Priority::medium);
    CHECK(link.at.mono == 22s);
    // Dosing starts while it is lost: HIGH at once.
    out.clear();
    REQUIRE(clinic.on_control("chair-01", ControlAction::dose_start, {}, at(25s), out) ==
            alerts::ControlResult::ok);
    link = only(out, "monitor_link_lost");
    CHECK(link.priority == Priority::high);
    ticks(clinic, 26s, 60s, out);
    // The HR feed passed its MEDIUM tier meanwhile: never paged for itself.
    CHECK(alarms(out, "hr_feed_lost").empty());
    const auto listed = clinic.listed_alarms("chair-01");
    CHECK(std::count_if(listed.begin(), listed.end(), [](const alerts::AlarmTransition& a) {
              return a.active && a.kind != alerts::AlarmKind::advisory;
          }) == 1);

    // Back online: cleared at once; HR resumes within the link delay: no feed alarm after.
    out.clear();
    clinic.on_monitor_status("chair-01", true, "", at(61s), out);
    link = only(out, "monitor_link_lost");
    CHECK_FALSE(link.active);
    CHECK(link.cause == alerts::ClearCause::feed_resumed);
    for (auto t = 63s; t <= 100s; t += 1s) {
        clinic.on_reading("chair-01", {Signal::hr, 80, at(t).wall}, at(t), out);
        clinic.on_tick(at(t), out);
    }
    CHECK(alarms(out, "hr_feed_lost").empty());
}

TEST_CASE("back online with a feed still silent: that feed alarms once the link delay ran") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    start(clinic, 0s, out);
    clinic.on_reading("chair-01", {Signal::hr, 80, at(1s).wall}, at(1s), out);
    clinic.on_monitor_status("chair-01", false, "", at(2s), out);
    ticks(clinic, 2s, 40s, out);
    CHECK(alarms(out, "monitor_link_lost").back().priority == Priority::medium);
    out.clear();
    clinic.on_monitor_status("chair-01", true, "", at(41s), out);
    ticks(clinic, 41s, 56s, out);
    CHECK(alarms(out, "hr_feed_lost").empty());
    ticks(clinic, 57s, 57s, out);
    const auto feed = only(out, "hr_feed_lost");
    CHECK(feed.state == AlarmState::raised);
    CHECK(feed.priority == Priority::medium);
}

TEST_CASE("no monitor status ever: the feeds alarm as before") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    start(clinic, 0s, out);
    ticks(clinic, 1s, 40s, out);
    CHECK(alarms(out, "monitor_link_lost").empty());
    CHECK(alarms(out, "hr_feed_lost").size() == 2);  // LOW, then MEDIUM
    CHECK(clinic.monitor_link("chair-01")->known() == false);
}

TEST_CASE("monitor offline before the session: the delay counts from the start; profile delay") {
    // A feed that alarms late, so the delay alone decides.
    auto p = profile({}, {feed_rule("hr_feed_lost", Signal::hr, {{300s, Priority::low}})});
    p->name = "t";
    p->monitor_lost = 5s;
    alerts::Clinic clinic(alerts::ClinicProfiles::single(std::move(p)), {});
    std::vector<ClinicEvent> out;
    clinic.on_monitor_status("chair-01", false, "mon-7", at(0s), out);
    CHECK(out.empty());  // no session: nothing to alarm, but the board knows
    REQUIRE(clinic.monitor_link("chair-01"));
    CHECK(clinic.monitor_link("chair-01")->offline());
    start(clinic, 100s, out);
    ticks(clinic, 101s, 105s, out);
    CHECK(alarms(out, "monitor_link_lost").empty());
    ticks(clinic, 106s, 106s, out);
    const auto link = only(out, "monitor_link_lost");
    CHECK(link.priority == Priority::medium);
}

TEST_CASE("a feed pause pauses the link alarm too; it comes back when the pause ends") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    start(clinic, 0s, out);
    clinic.on_monitor_status("chair-01", false, "", at(0s), out);
    ticks(clinic, 1s, 20s, out);
    REQUIRE(alarms(out, "monitor_link_lost").back().active);
    out.clear();
    REQUIRE(clinic.pause_feeds("chair-01", 60s, "repositioning", "nurse-1", at(21s), out) ==
            alerts::ControlResult::ok);
    ticks(clinic, 21s, 22s, out);
    auto link = only(out, "monitor_link_lost");
    CHECK_FALSE(link.active);
    CHECK(link.cause == alerts::ClearCause::feeds_paused);
    out.clear();
    ticks(clinic, 23s, 80s, out);
    CHECK(alarms(out, "monitor_link_lost").empty());
    ticks(clinic, 81s, 82s, out);
    link = only(out, "monitor_link_lost");
    CHECK(link.state == AlarmState::raised);
    CHECK(link.priority == Priority::medium);
    CHECK(alarms(out, "hr_feed_lost").empty());
}

TEST_CASE("restart: a monitor_link_lost the log lists brings back the offline monitor") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    start(clinic, 0s, out);
    alerts::AlarmTransition logged;
    logged.alarm_no = 1;
    logged.kind = alerts::AlarmKind::technical;
    logged.condition = "monitor_link_lost";
    logged.priority = logged.max_priority = Priority::medium;
    logged.onset = logged.at = at(20s);
    logged.text_hint = alerts::monitor_link_text;
    clinic.set_replaying(true);
    clinic.restore_alarm("chair-01", logged);
    clinic.set_replaying(false);
    clinic.finish_replay("chair-01", at(30s), out);
    REQUIRE(clinic.monitor_link("chair-01")->offline());
    CHECK(clinic.monitor_link("chair-01")->since() == 5s);  // the onset less the delay
    ticks(clinic, 30s, 40s, out);
    CHECK(alarms(out, "monitor_link_lost").empty());  // as listed: nothing new
    // The retained offline status arrives again on reconnecting: the same outage.
    clinic.on_monitor_status("chair-01", false, "", at(41s), out);
    CHECK(clinic.monitor_link("chair-01")->since() == 5s);
    clinic.on_monitor_status("chair-01", true, "", at(42s), out);
    const auto link = only(out, "monitor_link_lost");
    CHECK_FALSE(link.active);
}

namespace {

std::string refusal(std::string_view payload) {
    const auto d = drivers::decode_monitor_status(payload, 256);
    const auto* e = std::get_if<std::string>(&d);
    return e ? *e : std::string();
}

}  // namespace

TEST_CASE("a monitor status: online with a device, or its will; anything else refused") {
    auto d =
        drivers::decode_monitor_status(R"({"online":true,"device":"mon-5","ts":1764000000})", 256);
    REQUIRE(std::holds_alternative<drivers::MonitorStatus>(d));
    CHECK(std::get<drivers::MonitorStatus>(d).online);
    CHECK(std::get<drivers::MonitorStatus>(d).device == "mon-5");
    d = drivers::decode_monitor_status(R"({"online":false})", 256);
    REQUIRE(std::holds_alternative<drivers::MonitorStatus>(d));
    CHECK_FALSE(std::get<drivers::MonitorStatus>(d).online);

    CHECK(refusal(R"({"device":"m"})") == "online is missing");
    CHECK(refusal(R"({"online":"yes"})") == "online must be true or false");
    CHECK(refusal(R"({"online":1})") == "online must be true or false");
    CHECK(refusal(R"({"online":true,"online":false})") == "duplicate field 'online'");
    CHECK(refusal(R"({"online":true,"reboot":true})") == "unknown field 'reboot'");
    CHECK(refusal(R"({"online":true,"device":7})") ==
          "device must be a string of at most 64 bytes");
    CHECK(refusal(R"({"online":true,"device":"a\u202eb"})") ==
          "device must not contain invisible formatting characters (such as bidirectional "
          "overrides)");
    CHECK(refusal(R"({"online":true,"ts":[1]})") ==
          "ts must be epoch seconds or an ISO-8601 string");
    CHECK(refusal("[true]") == "payload is not a JSON object");
    CHECK(refusal("online").starts_with("invalid JSON"));
    CHECK(refusal(std::string(300, ' ')) == "payload over 256 bytes");
}

TEST_CASE(
    "monitor_lost_s: 15 s shipped (REF §8), per profile, refused out of 1-300 with its place") {
    auto shipped = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(shipped.config);
    for (const auto& [name, p] : shipped.config->profiles)
        CHECK(p->monitor_lost == 15s);
    const std::string text = R"(broker:
  uri: tcp://127.0.0.1:1883
default_profile: p
profiles:
  p:
    monitor_lost_s: 5
  q:
    inherits: p
    monitor_lost_s: 301
)";
    const auto r = config::load_config_text(text, "t.yaml");
    CHECK_FALSE(r.config);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].format() ==
          "t.yaml:9:21: profiles.q.monitor_lost_s: 301 is out of range [1, 300]");
    const auto ok = config::load_config_text(text.substr(0, text.find("  q:")), "t.yaml");
    REQUIRE(ok.config);
    CHECK(ok.config->profiles.at("p")->monitor_lost == 5s);
}
