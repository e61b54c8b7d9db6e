// Reading a session log back: the header, phases, readings and alarms of the fixture, the
// receive-to-device clock mapping, bad lines, and what the summary derives from them.
#include <doctest/doctest.h>

#include <sstream>

#include "report/clock_map.hpp"
#include "report/session_summary.hpp"
#include "report_fixture.hpp"

namespace chairwatch::report {

using alerts::Millis;
using alerts::Phase;
using alerts::Priority;
using alerts::Signal;
using test::at;
using test::fixture;

TEST_CASE("the fixture's header, phases and baseline are read, on the device clock") {
    const auto& r = fixture();
    CHECK(r.errors.empty());
    CHECK(r.has_start);
    CHECK(r.chair == "chair-04");
    CHECK(r.session_id == "chair-04-20260302T090100Z");
    CHECK(r.profile == "iv-ketamine");
    CHECK(r.route == "iv");
    CHECK(r.weight_kg == 72);
    CHECK(r.dose_mg_per_kg == 0.5);
    CHECK(r.planned_duration_min == 40);
    CHECK(r.patient_ref == "PT-TEST-0042");
    CHECK(r.first_phase == Phase::baseline);
    // The monitor's clock is a minute behind the daemon's: receive times move back a minute.
    CHECK(r.start == at("2026-03-02T09:00:00Z"));
    REQUIRE(r.end);
    CHECK(*r.end == at("2026-03-02T10:50:00Z"));
    REQUIRE(r.phases.size() == 2);
    CHECK(r.phases[0].phase == Phase::dosing);
    CHECK(r.phases[0].t == at("2026-03-02T09:10:00Z"));
    CHECK(r.phases[1].phase == Phase::observation);
    CHECK(r.phases[1].t == at("2026-03-02T09:50:00Z"));
    CHECK(r.baseline[alerts::index_of(Signal::sbp)] == 128);
    CHECK(r.baseline[alerts::index_of(Signal::hr)] == 72);
    CHECK_FALSE(r.baseline[alerts::index_of(Signal::spo2)]);
    CHECK(r.end_reason == "end");
    CHECK(r.discharge_ready);
    CHECK(r.clock_speed == doctest::Approx(1.0));
}

TEST_CASE("readings are kept per signal with their device times") {
    const auto& r = fixture();
    CHECK(r.of(Signal::sbp).size() == 23);
    CHECK(r.of(Signal::dbp).size() == 23);
    CHECK(r.of(Signal::map).size() == 23);
    CHECK(r.of(Signal::hr).size() == 649);
    CHECK(r.of(Signal::spo2).size() == 221);
    CHECK(r.reading_count() == 939);
    CHECK(r.of(Signal::sbp)[8].t == at("2026-03-02T09:40:00Z"));
    CHECK(r.of(Signal::sbp)[8].value == 186);
}

TEST_CASE("alarm transitions keep their fields, their times mapped to the device clock") {
    const auto& r = fixture();
    REQUIRE(r.alarms.size() == 19);
    const auto& ack = r.alarms[3];
    CHECK(ack.condition == "sbp_high");
    CHECK(ack.state == alerts::AlarmState::acknowledged);
    CHECK(ack.priority == Priority::medium);
    CHECK(ack.acknowledged_by == "nurse-ana");
    CHECK(ack.onset == at("2026-03-02T09:30:00Z"));
    CHECK(ack.t == at("2026-03-02T09:37:00Z"));
    REQUIRE(ack.acknowledged_at);
    CHECK(*ack.acknowledged_at == at("2026-03-02T09:37:00Z"));
    CHECK(r.alarms.back().cause == "session_ended");
}

TEST_CASE("bad lines are reported as FILE:LINE: what, and the rest is kept") {
    std::string error;
    const auto path = test::fixture_dir + "/bad_lines.jsonl";
    const auto r = read_session_log(path, error);
    REQUIRE(r);
    const std::vector<std::pair<int, std::string>> expected{{3, "not JSON"},
                                                            {4, "not JSON"},
                                                            {5, "unknown signal"},
                                                            {6, "field 'ts'"},
                                                            {7, "field 'value'"},
                                                            {8, "unknown type 'heartbeat'"},
                                                            {10, "not a JSON object"},
                                                            {12, "unknown phase 'infusion'"},
                                                            {13, "unknown kind, priority or state"},
                                                            {14, "another session"},
                                                            {15, "a second session_start"}};
    REQUIRE(r->errors.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto prefix = path + ":" + std::to_string(expected[i].first) + ": ";
        CAPTURE(r->errors[i]);
        CHECK(r->errors[i].rfind(prefix, 0) == 0);
        CHECK(r->errors[i].find(expected[i].second) != std::string::npos);
    }
    CHECK(r->session_id == "chair-09-20260302T090000Z");
    CHECK(r->of(Signal::sbp).size() == 2);
    CHECK(r->of(Signal::hr).size() == 1);
    CHECK(r->alarms.empty());
    CHECK_FALSE(r->end);
}

TEST_CASE("a log that cannot be opened is an error, not an empty record") {
    std::string error;
    CHECK_FALSE(read_session_log(test::fixture_dir + "/no-such.jsonl", error));
    CHECK(error.find("cannot open") != std::string::npos);
}

TEST_CASE("receive times map onto an accelerated device clock, linearly between readings") {
    ClockMap m;
    m.add(Millis(1000), Millis(100000));  // the device runs 100x faster
    m.add(Millis(3000), Millis(300000));
    m.add(Millis(2000), Millis(200000));  // out of order: sorted by receive time
    m.finish();
    CHECK(m.to_device(Millis(1500)) == Millis(150000));
    CHECK(m.to_device(Millis(3000)) == Millis(300000));
    // Beyond the readings, one second per second from the nearest pair.
    CHECK(m.to_device(Millis(500)) == Millis(99500));
    CHECK(m.to_device(Millis(4000)) == Millis(301000));
    CHECK(m.speed() == doctest::Approx(100.0));
    ClockMap empty;
    empty.finish();
    CHECK(empty.to_device(Millis(42)) == Millis(42));
}

TEST_CASE("an accelerated log puts alarms and receipt-stamped readings on the device clock") {
    std::istringstream in(
        R"({"type":"session_start","ts":"2026-01-01T10:00:00.000Z","chair":"c","session_id":"s","implicit":true,"profile":"p","phase":"monitoring"}
{"type":"reading","ts":"2026-01-01T09:10:00.000Z","rx":"2026-01-01T10:00:00.000Z","signal":"sbp","value":120}
{"type":"reading","ts":"2026-01-01T10:50:00.000Z","rx":"2026-01-01T10:00:20.000Z","signal":"sbp","value":190}
{"type":"reading","ts":"2026-01-01T10:00:10.000Z","rx":"2026-01-01T10:00:10.000Z","signal":"spo2","value":97}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"raised","signal":"sbp","value":190,"limit":180,"unit":"mmHg","peak":190,"onset":"2026-01-01T10:00:20.000Z","ts":"2026-01-01T10:00:20.000Z"}
{"type":"reading","ts":"2026-01-01T11:40:00.000Z","rx":"2026-01-01T10:00:40.000Z","signal":"sbp","value":130}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"cleared","signal":"sbp","value":130,"limit":180,"unit":"mmHg","peak":190,"onset":"2026-01-01T10:00:20.000Z","ts":"2026-01-01T10:00:40.000Z","cause":"back_in_range","active":false}
)");
    const auto r = parse_session_log(in, "fast.jsonl");
    CHECK(r.errors.empty());
    CHECK(r.clock_speed == doctest::Approx(225.0));  // 150 min of device time in 40 s
    CHECK(r.first_phase == Phase::monitoring);
    // Stamped on receipt (ts == rx): a receive time, placed on the device clock like the alarms.
    REQUIRE(r.of(Signal::spo2).size() == 1);
    CHECK(r.of(Signal::spo2)[0].t == at("2026-01-01T10:00:00Z"));
    const auto s = summarize(r);
    REQUIRE(s.alarms.size() == 1);
    CHECK(r.start == at("2026-01-01T09:10:00Z"));
    CHECK(s.alarms[0].onset == at("2026-01-01T10:50:00Z"));
    CHECK(s.alarms[0].end == at("2026-01-01T11:40:00Z"));
    CHECK_FALSE(s.alarms[0].open);
    CHECK_FALSE(r.end);
    CHECK(s.end == at("2026-01-01T11:40:00Z"));
    CHECK_FALSE(s.discharge.applicable);
}

TEST_CASE("the summary: phase spans, signal figures and alarm episodes") {
    const auto s = summarize(fixture());
    REQUIRE(s.phases.size() == 3);
    CHECK(s.phases[0].to - s.phases[0].from == std::chrono::minutes(10));
    CHECK(s.phases[1].to - s.phases[1].from == std::chrono::minutes(40));
    CHECK(s.phases[2].to - s.phases[2].from == std::chrono::minutes(60));
    CHECK(s.phase_at(at("2026-03-02T09:09:59Z")) == Phase::baseline);
    CHECK(s.phase_at(at("2026-03-02T09:10:00Z")) == Phase::dosing);

    const auto& hr = *s.of(Signal::hr);
    CHECK(hr.max == 160);         // the one-sample artifact, in the raw range ...
    CHECK(hr.peak.value == 119);  // ... but not the peak of the 1-minute medians
    const auto& sbp = *s.of(Signal::sbp);
    CHECK(sbp.baseline == 128);
    CHECK(sbp.peak.value == 186);
    CHECK(sbp.peak.t == at("2026-03-02T09:40:00Z"));
    CHECK(sbp.end.value == 127);
    CHECK(s.of(Signal::spo2)->lowest_is_worst);

    REQUIRE(s.alarms.size() == 5);
    const auto& a = s.alarms[0];
    CHECK(a.condition == "sbp_high");
    CHECK(a.max_priority == Priority::high);
    CHECK(a.limit == 180);
    CHECK(a.peak == 186);
    CHECK(a.duration() == std::chrono::minutes(35));
    REQUIRE(a.acks.size() == 2);
    CHECK(a.acks[0].at - a.onset == std::chrono::minutes(7));
    CHECK(a.acks[1].priority == Priority::high);
    CHECK(a.escalations == 1);
    CHECK(a.cause == "back_in_range");
    REQUIRE(a.spans.size() == 4);  // low, medium, high, low
    CHECK(a.spans[2].priority == Priority::high);
    CHECK(a.spans[2].to - a.spans[2].from == std::chrono::minutes(5));
    CHECK(s.alarms[2].condition == "hr_high");
    CHECK(s.alarms[2].acks.empty());
    CHECK(s.alarms[3].kind == alerts::AlarmKind::technical);
    CHECK(s.alarms[3].cause == "feed_resumed");
    REQUIRE(s.discharge.first_met);
    CHECK(*s.discharge.first_met == at("2026-03-02T10:50:00Z"));
}

TEST_CASE("1-minute trend buckets: median and 10th-90th percentiles, gaps left out") {
    std::vector<TimedValue> v;
    for (int i = 0; i < 6; ++i)
        v.push_back({Millis(i * 10000), 70.0 + i, 0});
    v.push_back({Millis(35000), 200, 0});  // an artifact
    v.push_back({Millis(180000), 80, 0});  // after a two-minute gap
    const auto t = trend_of(v, Millis(0), Millis(60000));
    REQUIRE(t.size() == 2);
    CHECK(t[0].median == 73);
    CHECK(t[0].hi == 75);
    CHECK(t[1].t == Millis(180000));
}

TEST_CASE("a latched alarm ends when it is acknowledged, its latched stretch kept apart") {
    std::istringstream in(
        R"({"type":"session_start","ts":"2026-01-01T10:00:00.000Z","chair":"c","session_id":"s","implicit":false,"profile":"p","phase":"dosing"}
{"type":"reading","ts":"2026-01-01T10:00:00.000Z","rx":"2026-01-01T10:00:00.500Z","signal":"sbp","value":205}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"raised","signal":"sbp","value":205,"limit":200,"unit":"mmHg","peak":205,"onset":"2026-01-01T10:00:00.500Z","ts":"2026-01-01T10:00:00.500Z","active":true,"latched":false,"acknowledged":false}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"escalated","signal":"sbp","value":205,"limit":200,"unit":"mmHg","peak":205,"onset":"2026-01-01T10:00:00.500Z","ts":"2026-01-01T10:01:00.500Z","active":true,"latched":false,"acknowledged":false,"escalation_level":1}
{"type":"reading","ts":"2026-01-01T10:05:00.000Z","rx":"2026-01-01T10:05:00.500Z","signal":"sbp","value":150}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"cleared","signal":"sbp","value":150,"limit":200,"unit":"mmHg","peak":205,"onset":"2026-01-01T10:00:00.500Z","ts":"2026-01-01T10:05:00.500Z","cause":"back_in_range","active":false,"latched":true,"acknowledged":false,"escalation_level":1}
{"type":"alarm","alert_id":"s-a1","condition":"sbp_high","kind":"physiological","priority":"high","state":"acknowledged","signal":"sbp","value":150,"limit":200,"unit":"mmHg","peak":205,"onset":"2026-01-01T10:00:00.500Z","ts":"2026-01-01T10:07:00.500Z","active":false,"latched":false,"acknowledged":true,"acknowledged_by":"dr-lee","acknowledged_at":"2026-01-01T10:07:00.500Z","escalation_level":1}
)");
    const auto s = summarize(parse_session_log(in, "latched.jsonl"));
    REQUIRE(s.alarms.size() == 1);
    const auto& a = s.alarms[0];
    CHECK(a.onset == at("2026-01-01T10:00:00Z"));
    REQUIRE(a.latched_from);
    CHECK(*a.latched_from == at("2026-01-01T10:05:00Z"));
    CHECK(a.end == at("2026-01-01T10:07:00Z"));
    CHECK(a.cause == "acknowledged_after_latch");
    CHECK(a.escalations == 1);
    REQUIRE(a.acks.size() == 1);
    CHECK(a.acks[0].by == "dr-lee");
    REQUIRE(a.spans.size() == 2);
    CHECK(a.spans[0].active);
    CHECK_FALSE(a.spans[1].active);
    CHECK(a.spans[1].to - a.spans[1].from == std::chrono::minutes(2));
}

}  // namespace chairwatch::report
