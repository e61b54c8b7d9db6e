#include <doctest/doctest.h>

#include <unistd.h>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alerts/clinic.hpp"
#include "drivers/session_log/session_log.hpp"
#include "profile_builder.hpp"
#include "report/report.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
namespace fs = std::filesystem;

namespace {

std::vector<boost::json::object> read_lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<boost::json::object> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(boost::json::parse(line).as_object());
    return lines;
}

// One rule: SBP at or above 180 is a medium alarm.
alerts::Clinic sbp_clinic() {
    return alerts::Clinic(alerts::ClinicProfiles::single(profile(
                              {rule("sbp_high", alerts::Signal::sbp, alerts::Direction::high, 10,
                                    0ms, {tier(180, alerts::Priority::medium)})})),
                          {10min, 10});
}

}  // namespace

TEST_CASE("a session is logged line by line as it happens, and its record is made from the log") {
    const auto dir = fs::temp_directory_path() / ("cw-log-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    drivers::SessionLog log(dir.string());
    alerts::Clinic clinic = sbp_clinic();
    std::vector<alerts::ClinicEvent> events;
    auto feed = [&](Millis t, double sbp) {
        events.clear();
        clinic.on_reading("chair-07", {alerts::Signal::sbp, sbp, at(t).wall}, at(t), events);
        for (const auto& e : events)
            REQUIRE(log.write(e, at(t)));
    };
    feed(0s, 150);
    feed(300s, 190);
    const auto jsonl = dir / "chair-07" / "chair-07-20251124T160000Z.jsonl";
    // An alarm reaches the disk at once, with the readings batched before it.
    auto lines = read_lines(jsonl);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["type"] == "session_start");
    CHECK(lines[1]["type"] == "reading");
    CHECK(lines[1]["signal"] == "sbp");
    CHECK(lines[1]["value"] == 150);
    CHECK(lines[3]["type"] == "alarm");
    CHECK(lines[3]["state"] == "raised");

    feed(600s, 160);
    events.clear();
    clinic.on_tick(at(1200s), events);
    for (const auto& e : events)
        REQUIRE(log.write(e, at(1200s)));
    lines = read_lines(jsonl);
    CHECK(lines.back()["type"] == "session_end");
    CHECK(lines.back()["reason"] == "idle");

    // The log writes no summary of its own: the session record is made from the log alone.
    CHECK_FALSE(fs::exists(dir / "chair-07" / "chair-07-20251124T160000Z.summary.json"));
    std::string error;
    const auto rec = report::read_session_log(jsonl.string(), error);
    REQUIRE(rec);
    auto summary = boost::json::parse(report::render_json(*rec, {})).as_object();
    auto session = summary["session"].as_object();
    CHECK(session["session_id"] == "chair-07-20251124T160000Z");
    CHECK(session["duration_s"] == 1200);
    CHECK(session["end_reason"] == "idle");
    auto sbp = summary["signals"].as_object()["sbp"].as_object();
    CHECK(sbp["count"] == 3);
    CHECK(sbp["max"] == 190);
    CHECK(sbp["mean"].as_double() == doctest::Approx(166.7));
    auto alarms = summary["alarms"].as_array();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].as_object()["condition"] == "sbp_high");
    CHECK(alarms[0].as_object()["peak"] == 190);
    CHECK(alarms[0].as_object()["duration_s"] == 300);
    fs::remove_all(dir);
}

TEST_CASE("an unwritable log directory is reported, not thrown") {
    drivers::SessionLog log("/proc/chairwatch-cannot-write-here");
    alerts::Clinic clinic(alerts::ClinicProfiles::single(profile({})), {10min, 10});
    std::vector<alerts::ClinicEvent> events;
    clinic.on_reading("c", {alerts::Signal::hr, 80, 0ms}, at(0s), events);
    CHECK_FALSE(log.write(events[0], at(0s)));
    CHECK(log.last_error().find("cannot create") != std::string::npos);
}

TEST_CASE("a full disk fails the write with its reason, and batched readings wait for a retry") {
    const auto dir = fs::temp_directory_path() / ("cw-log-full-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "chair-08");
    // The session's log file is /dev/full: every write fails with ENOSPC.
    fs::create_symlink("/dev/full", dir / "chair-08" / "chair-08-20251124T160000Z.jsonl");
    drivers::SessionLog log(dir.string());
    alerts::Clinic clinic = sbp_clinic();
    std::vector<alerts::ClinicEvent> events;
    clinic.on_reading("chair-08", {alerts::Signal::sbp, 150, at(0s).wall}, at(0s), events);
    REQUIRE(events.size() == 2);                // session start, reading
    CHECK_FALSE(log.write(events[0], at(0s)));  // written through at once: fails at once
    CHECK(log.last_error().find("chair-08-20251124T160000Z") != std::string::npos);
    CHECK(log.last_error().find("No space left on device") != std::string::npos);
    CHECK(log.write(events[1], at(0s)));  // a reading is batched ...
    CHECK(log.has_unflushed());
    CHECK_FALSE(log.flush());  // ... and its flush fails the same way
    CHECK_FALSE(log.has_unflushed());
    CHECK(log.last_error().find("No space left on device") != std::string::npos);
    fs::remove_all(dir);
}
