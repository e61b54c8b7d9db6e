// The host's wall clock is data for the record, never the engine's timer: a step of it (NTP,
// an admin) neither fires nor postpones an alarm. Late, out-of-order device times are judged
// and never move the session's clock backwards.
#include <doctest/doctest.h>

#include "alerts/clinic.hpp"
#include "alerts/time_format.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;

namespace {

// HR high after 15 s, as the shipped high tier.
std::shared_ptr<alerts::Profile> hr_profile() {
    return profile(
        {rule("hr_high", Signal::hr, Direction::high, 5, 0ms, {tier(150, Priority::high, 15s)})});
}

// The steady clock at `mono`, the wall clock `wall_shift` away from where it should be.
alerts::Instant jumped(Millis mono, Millis wall_shift) {
    auto t = at(mono);
    t.wall += wall_shift;
    return t;
}

std::size_t raised(const std::vector<alerts::ClinicEvent>& out) {
    std::size_t n = 0;
    for (const auto& e : out)
        n += e.type == alerts::ClinicEvent::Type::alarm &&
             e.alarm.state == alerts::AlarmState::raised;
    return n;
}

}  // namespace

TEST_CASE("a wall-clock step during an alarm delay neither fires nor postpones it") {
    for (const Millis shift : {Millis(-3'600'000), Millis(3'600'000)}) {
        CAPTURE(shift.count());
        alerts::Clinic clinic(alerts::ClinicProfiles::single(hr_profile()), {30min, 10});
        std::vector<alerts::ClinicEvent> out;
        for (Millis t = 0s; t <= 20s; t += 1s) {
            const auto now = t < 5s ? at(t) : jumped(t, shift);  // the host clock steps at 5 s
            clinic.on_reading("chair-1", {Signal::hr, 160, now.wall}, now, out);
            clinic.on_tick(now, out);
            if (t < 15s) CHECK(raised(out) == 0);
        }
        CHECK(raised(out) == 1);
    }
}

TEST_CASE("an out-of-order reading is judged, and the session clock does not go back") {
    alerts::Clinic clinic(
        alerts::ClinicProfiles::single(profile({rule("sbp_high", Signal::sbp, Direction::high, 10,
                                                     0ms, {tier(180, Priority::medium)})})),
        {30min, 10});
    std::vector<alerts::ClinicEvent> out;
    clinic.on_reading("chair-2", {Signal::sbp, 130, at(600s).wall}, at(600s), out);
    const auto clock = clinic.session("chair-2")->clock;
    // Delivered late, stamped 5 minutes before the reading already seen.
    clinic.on_reading("chair-2", {Signal::sbp, 190, at(300s).wall}, at(601s), out);
    CHECK(raised(out) == 1);
    CHECK(clinic.session("chair-2")->clock == clock);
}

TEST_CASE("record times are ISO 8601 UTC with milliseconds") {
    using alerts::format_iso8601;
    CHECK(format_iso8601(Millis(0)) == "1970-01-01T00:00:00.000Z");
    CHECK(format_iso8601(Millis(1764000000123)) == "2025-11-24T16:00:00.123Z");
    CHECK(format_iso8601(Millis(-1)) == "1969-12-31T23:59:59.999Z");
    CHECK(format_iso8601(Millis(951782400999)) == "2000-02-29T00:00:00.999Z");  // leap day
    CHECK(format_iso8601(Millis(253402300799999)) == "9999-12-31T23:59:59.999Z");
    CHECK(format_iso8601(Millis(253402300800000)) == "10000-01-01T00:00:00.000Z");
    CHECK(alerts::format_compact(Millis(1764000000123)) == "20251124T160000Z");
}
