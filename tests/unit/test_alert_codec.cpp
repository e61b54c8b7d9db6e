#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "alerts/monitor_link.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/json_writer.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmState;
using alerts::Priority;
using alerts::Signal;

namespace {

alerts::Session session() {
    alerts::Session s;
    s.chair = "chair-03";
    s.id = "chair-03-20251124T160000Z";
    return s;
}

alerts::AlarmTransition sbp_alarm(AlarmState state, double value) {
    alerts::AlarmTransition t;
    t.alarm_no = 4;
    t.condition = "sbp_high";
    t.state = state;
    t.priority = Priority::high;
    t.signal = Signal::sbp;
    t.value = value;
    t.limit = 180;
    t.peak = 192;
    t.onset = at(0s);
    t.at = at(90s);
    return t;
}

}  // namespace

TEST_CASE("alert text is one sentence a nurse understands") {
    CHECK(drivers::alert_text("chair-03", sbp_alarm(AlarmState::raised, 192)) ==
          "Chair 3: systolic BP 192 mmHg, above 180 (high priority)");
    CHECK(drivers::alert_text("chair-03", sbp_alarm(AlarmState::updated, 180)) ==
          "Chair 3: systolic BP 180 mmHg, at 180 (now high priority)");
    auto cleared = sbp_alarm(AlarmState::cleared, 148);
    cleared.cause = alerts::ClearCause::back_in_range;
    CHECK(drivers::alert_text("chair-03", cleared) ==
          "Chair 3: systolic BP back to 148 mmHg, alarm cleared (was high priority, peak 192)");
    auto feed = sbp_alarm(AlarmState::raised, 12);
    feed.kind = alerts::AlarmKind::technical;
    feed.feed = true;
    feed.signal = Signal::hr;
    feed.priority = Priority::low;
    CHECK(drivers::alert_text("recliner-b", feed) ==
          "Chair recliner-b: no heart-rate feed data for 12 s (low priority)");
}

TEST_CASE("a technical note says what it is, not a value it does not have") {
    alerts::AlarmTransition t;
    t.condition = "bp_artifact";
    t.kind = alerts::AlarmKind::technical;
    t.signal = Signal::sbp;
    t.priority = Priority::low;
    t.text_hint = "cuff reading rejected as an artifact: recheck BP";
    CHECK(drivers::alert_text("chair-07", t) ==
          "Chair 7: cuff reading rejected as an artifact: recheck BP (low priority)");
    t.state = AlarmState::cleared;
    t.cause = alerts::ClearCause::valid_reading;
    CHECK(drivers::alert_text("chair-07", t) == "Chair 7: bp_artifact cleared by a valid reading");
}

TEST_CASE("alert JSON carries every documented field, times in ISO-8601 UTC") {
    auto s = session();
    auto text = drivers::encode_alert("chair-03", s, sbp_alarm(AlarmState::raised, 192.25), 77);
    auto v = boost::json::parse(text).as_object();
    CHECK(v["alert_id"] == "chair-03:chair-03-20251124T160000Z:a4");
    CHECK(v["chair"] == "chair-03");
    CHECK(v["session_id"] == "chair-03-20251124T160000Z");
    CHECK(v["condition"] == "sbp_high");
    CHECK(v["kind"] == "physiological");
    CHECK(v["priority"] == "high");
    CHECK(v["state"] == "raised");
    CHECK(v["signal"] == "sbp");
    CHECK(v["value"].as_double() == doctest::Approx(192.3));
    CHECK(v["limit"] == 180);
    CHECK(v["unit"] == "mmHg");
    CHECK(v["onset"] == "2025-11-24T16:00:00.000Z");
    CHECK(v["ts"] == "2025-11-24T16:01:30.000Z");
    CHECK(v["seq"] == 77);
    CHECK(v["text"].as_string().size() > 10);
    CHECK(text.find("E2") == std::string::npos);  // numbers a person can read
}

TEST_CASE("a lost monitor link is measured in seconds, as a silent feed is") {
    alerts::AlarmTransition t;
    t.condition = std::string(alerts::monitor_link_lost);
    t.kind = alerts::AlarmKind::technical;
    t.value = 16;
    t.limit = 15;
    CHECK(drivers::alert_unit(t) == "s");
    t.condition = "hr_feed_lost";
    t.feed = true;
    CHECK(drivers::alert_unit(t) == "s");
    t.condition = "hr_high";
    t.feed = false;
    CHECK(drivers::alert_unit(t) == "bpm");
}

TEST_CASE("the retained alarm list is a JSON array, empty without alarms") {
    auto s = session();
    CHECK(drivers::encode_active_alarms("chair-03", &s, {}) == "[]");
    CHECK(drivers::encode_active_alarms("chair-03", nullptr, {}) == "[]");
    auto list = boost::json::parse(drivers::encode_active_alarms(
        "chair-03", &s, {sbp_alarm(AlarmState::raised, 190), sbp_alarm(AlarmState::updated, 200)}));
    CHECK(list.as_array().size() == 2);
}

TEST_CASE("JsonWriter escapes strings and writes readable numbers") {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("s").value("a\"b\\c\n");
    w.key("n").number(116.43);
    w.key("i").number(120.0);
    w.key("x").number(std::nan(""));
    w.key("a").begin_array().value(1).value(true).end_array();
    w.end_object();
    CHECK(out == R"({"s":"a\"b\\c\u000a","n":116.4,"i":120,"x":null,"a":[1,true]})");
    CHECK(boost::json::parse(out).is_object());
}
