// The retained per-chair state (daemon/chair_state.hpp): what is due when, and its payload.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "daemon/chair_state.hpp"

using namespace chairwatch;
using alerts::ClinicEvent;
using alerts::Instant;
using namespace std::chrono_literals;

namespace {

Instant at(std::chrono::milliseconds t) {
    return {t, 1'800'000'000'000ms + t};
}

ClinicEvent event(ClinicEvent::Type type, const alerts::Session& s) {
    ClinicEvent e;
    e.type = type;
    e.session = &s;
    return e;
}

ClinicEvent reading(const alerts::Session& s, alerts::Signal signal, double v) {
    auto e = event(ClinicEvent::Type::reading, s);
    e.reading = {signal, v, 0ms};
    return e;
}

}  // namespace

TEST_CASE("chair state: at once on a session's start and phase, readings at most every 5 s") {
    daemon::ChairStates states;
    alerts::Session s;
    s.chair = "chair-03";
    s.id = "S-1";
    s.phase = alerts::Phase::baseline;
    s.started = at(0ms);
    states.on_event(event(ClinicEvent::Type::session_started, s), at(0ms));
    states.on_event(reading(s, alerts::Signal::hr, 72), at(0ms));
    auto due = states.due(at(100ms));
    REQUIRE(due.size() == 1);
    CHECK(due[0].chair == "chair-03");
    auto j = boost::json::parse(due[0].payload).as_object();
    CHECK(j.at("session_id") == "S-1");
    CHECK(j.at("phase") == "baseline");
    CHECK(j.at("open") == true);
    CHECK(j.at("values").at("hr").at("value") == 72);
    CHECK_FALSE(j.contains("dose_start"));

    // Readings: held back until 5 s after the last publish.
    states.on_event(reading(s, alerts::Signal::hr, 75), at(1000ms));
    CHECK(states.due(at(1000ms)).empty());
    CHECK(states.due(at(5000ms)).empty());
    due = states.due(at(5100ms));
    REQUIRE(due.size() == 1);
    CHECK(boost::json::parse(due[0].payload).at("values").at("hr").at("value") == 75);
    CHECK(states.due(at(20000ms)).empty());  // nothing new: nothing due

    // A phase change goes out at once, with the dose's start.
    s.phase = alerts::Phase::dosing;
    s.dose_start = at(6000ms);
    states.on_event(event(ClinicEvent::Type::phase_changed, s), at(6000ms));
    due = states.due(at(6000ms));
    REQUIRE(due.size() == 1);
    j = boost::json::parse(due[0].payload).as_object();
    CHECK(j.at("phase") == "dosing");
    CHECK(j.contains("dose_start"));

    // A reconnection or a take-over: every chair again, at once.
    states.mark_all();
    CHECK(states.due(at(6100ms)).size() == 1);

    // A new session of the chair starts without the old one's values; the end says closed.
    alerts::Session next = s;
    next.id = "S-2";
    next.ended = at(7000ms);
    states.on_event(event(ClinicEvent::Type::session_ended, next), at(7000ms));
    due = states.due(at(7000ms));
    REQUIRE(due.size() == 1);
    j = boost::json::parse(due[0].payload).as_object();
    CHECK(j.at("open") == false);
    CHECK(j.at("values").as_object().empty());

    states.forget("chair-03");
    states.mark_all();
    CHECK(states.due(at(8000ms)).empty());
}
