// A chair out of service (Clinic::take_out_of_service): its readings are ignored, no session
// starts on it, it is never forgotten; and the daemon's file that keeps it across a restart.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "alerts/clinic.hpp"
#include "daemon/out_of_service_file.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::Admission;
using alerts::ClinicEvent;
using alerts::ControlAction;
using alerts::ControlResult;
using alerts::Signal;

namespace {

// HR is expected from a session's start: silent for 10 s, hr_feed_lost.
alerts::Clinic clinic_with_hr_feed() {
    auto p =
        profile({}, {feed_rule("hr_feed_lost", Signal::hr, {{10s, alerts::Priority::low}}, true)});
    p->name = "t";
    alerts::ClinicSettings s;
    s.forget_chair_after = std::chrono::minutes(10);
    return alerts::Clinic(alerts::ClinicProfiles::single(std::move(p)), s);
}

bool feed_lost(const std::vector<ClinicEvent>& out) {
    return std::any_of(out.begin(), out.end(), [](const ClinicEvent& e) {
        return e.type == ClinicEvent::Type::alarm && e.alarm.condition == "hr_feed_lost";
    });
}

}  // namespace

TEST_CASE("a chair out of service ignores its readings and starts no session") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    CHECK(clinic.out_of_service("chair-02") == nullptr);
    REQUIRE(clinic.take_out_of_service("chair-02", "cleaning", "admin-1", at(0s)) ==
            ControlResult::ok);
    const auto* why = clinic.out_of_service("chair-02");
    REQUIRE(why);
    CHECK(why->reason == "cleaning");
    CHECK(why->by == "admin-1");
    CHECK(why->since == at(0s).wall);
    CHECK(clinic.take_out_of_service("chair-02", "again", "admin-1", at(1s)) ==
          ControlResult::out_of_service);
    CHECK(clinic.out_of_service("chair-02")->reason == "cleaning");

    // Readings: ignored, no implicit session, no event; so no feed alarm on any tick.
    CHECK(clinic.on_reading("chair-02", {Signal::hr, 80, at(2s).wall}, at(2s), out) ==
          Admission::out_of_service);
    for (auto t = 3s; t < 120s; t += 1s)
        clinic.on_tick(at(t), out);
    CHECK(out.empty());
    CHECK(clinic.session("chair-02") == nullptr);
    alerts::SessionInfo info;
    CHECK(clinic.on_control("chair-02", ControlAction::start, info, at(120s), out) ==
          ControlResult::out_of_service);
    CHECK(out.empty());
    // Never forgotten while out of service, however long it stays silent.
    CHECK(clinic.forget_idle_chairs(at(std::chrono::hours(5))).empty());
    CHECK(clinic.out_of_service("chair-02"));

    // Back in service: readings open a session again.
    CHECK(clinic.return_to_service("chair-02", at(std::chrono::hours(5))) == ControlResult::ok);
    CHECK(clinic.return_to_service("chair-02", at(std::chrono::hours(5))) ==
          ControlResult::in_service);
    CHECK(clinic.return_to_service("chair-77", at(std::chrono::hours(5))) ==
          ControlResult::in_service);
    const auto later = at(std::chrono::hours(5) + 1s);
    CHECK(clinic.on_reading("chair-02", {Signal::hr, 80, later.wall}, later, out) ==
          Admission::accepted);
    CHECK(clinic.session("chair-02") != nullptr);
    for (auto t = 2s; t < 30s; t += 1s)  // the same silence as above, now in service
        clinic.on_tick(at(std::chrono::hours(5) + t), out);
    CHECK(feed_lost(out));
}

TEST_CASE("a chair with an open session cannot go out of service") {
    auto clinic = clinic_with_hr_feed();
    std::vector<ClinicEvent> out;
    alerts::SessionInfo info;
    info.session_id = "s-1";
    REQUIRE(clinic.on_control("chair-03", ControlAction::start, info, at(0s), out) ==
            ControlResult::ok);
    CHECK(clinic.take_out_of_service("chair-03", "cleaning", "admin-1", at(1s)) ==
          ControlResult::session_open);
    CHECK(clinic.out_of_service("chair-03") == nullptr);
    // Nor is one restored onto it (a session recovered from its log wins).
    clinic.restore_out_of_service("chair-03", {at(0s).wall, "cleaning", "admin-1"});
    CHECK(clinic.out_of_service("chair-03") == nullptr);
    REQUIRE(clinic.on_control("chair-03", ControlAction::end, info, at(2s), out) ==
            ControlResult::ok);
    CHECK(clinic.take_out_of_service("chair-03", "cleaning", "admin-1", at(3s)) ==
          ControlResult::ok);
}

TEST_CASE("the out-of-service file keeps chairs, reasons and who across a restart") {
    const std::string path = "test_out_of_service.json";
    std::remove(path.c_str());
    CHECK(daemon::load_out_of_service(path).chairs.empty());  // no file: none
    CHECK(daemon::load_out_of_service(path).problems.empty());
    daemon::OutOfServiceChairs chairs;
    chairs["chair-04"] = {at(0s).wall, "pump \"broken\"\nline two", "admin-1"};
    chairs["chair-05"] = {at(60s).wall, "cleaning", "admin-2"};
    REQUIRE(daemon::save_out_of_service(path, chairs).empty());
    const auto back = daemon::load_out_of_service(path);
    CHECK(back.problems.empty());
    REQUIRE(back.chairs.size() == 2);
    CHECK(back.chairs.at("chair-04").reason == "pump \"broken\"\nline two");
    CHECK(back.chairs.at("chair-04").since == at(0s).wall);
    CHECK(back.chairs.at("chair-05").by == "admin-2");

    std::ofstream(path) << R"({"chairs":[{"chair":"../x","since":"2026-01-01T00:00:00Z"},)"
                        << R"({"chair":"chair-06","since":"2026-01-01T00:00:00Z","by":"a"}]})";
    const auto bad = daemon::load_out_of_service(path);
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0] ==
          path + ": chairs[0]: needs a valid chair and an ISO-8601 since; skipped");
    CHECK(bad.chairs.size() == 1);  // its neighbour is kept
    std::ofstream(path) << "not json";
    CHECK(daemon::load_out_of_service(path).problems.size() == 1);
    std::remove(path.c_str());
}
