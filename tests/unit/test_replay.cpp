// Real recordings (../shared/data/vitals) through the shipped rules: the alarms must match what
// the recording shows. These are ICU charts, not ketamine sessions: see the data README.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/config.hpp"
#include "drivers/recording/replay.hpp"

using namespace chairwatch;
using namespace std::chrono_literals;
using alerts::AlarmState;
using alerts::Priority;
using drivers::ReplayedAlarm;

namespace {

// The shipped profile, adapted to charted data: one HR sample a minute or less often stays
// current for two minutes, and an HR feed is lost after missing two samples.
std::shared_ptr<const alerts::Profile> charted_profile() {
    auto r = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(r.config);
    auto p = std::make_shared<alerts::Profile>(*r.config->profile());
    p->stream_hold = 120s;
    for (auto& f : p->feeds) {
        if (f.condition == "hr_feed_lost") f.tiers = {{150s, Priority::low}};
        if (f.condition == "spo2_feed_lost") f.tiers = {{150s, Priority::low}};
        if (f.condition == "bp_feed_lost") f.tiers = {{4h, Priority::low}};
    }
    return p;
}

drivers::Recording load(const std::string& name) {
    auto rec = drivers::read_csv_recording(CHAIRWATCH_VITALS_DIR "/" + name);
    REQUIRE(rec.errors.empty());
    REQUIRE(rec.rows.size() > 100);
    return rec;
}

std::vector<ReplayedAlarm> of(const drivers::ReplayResult& r, const std::string& condition) {
    std::vector<ReplayedAlarm> out;
    for (const auto& a : r.alarms)
        if (a.condition == condition) out.push_back(a);
    return out;
}

// First time a signal's recorded value satisfies `pred`.
template <class Pred>
std::optional<alerts::Millis> first_row(const drivers::Recording& rec, const std::string& signal,
                                        Pred pred) {
    for (const auto& row : rec.rows)
        if (row.signal == signal && pred(std::stod(row.value))) return row.t;
    return std::nullopt;
}

}  // namespace

TEST_CASE(
    "replay 161656 (coronary care): SBP 213 raises high priority at that reading; bradycardia "
    "alarms") {
    const auto rec = load("physionet2012_161656.csv");
    const auto r = drivers::replay(rec, charted_profile());
    CHECK(r.readings > 250);

    const auto t200 = first_row(rec, "sbp", [](double v) { return v >= 200; });
    REQUIRE(t200);
    bool high_at_200 = false;
    for (const auto& a : of(r, "sbp_high"))
        if (a.t == *t200 && a.alarm.priority == Priority::high && a.alarm.limit == 200)
            high_at_200 = true;
    CHECK(high_at_200);

    // HR under 45 on charted minutes: a medium hr_low, raised no earlier than the first such value.
    const auto t45 = first_row(rec, "hr", [](double v) { return v <= 45; });
    REQUIRE(t45);
    const auto hr_low = of(r, "hr_low");
    REQUIRE_FALSE(hr_low.empty());
    CHECK(hr_low.front().alarm.state == AlarmState::raised);
    CHECK(hr_low.front().t >= *t45);
    CHECK(hr_low.front().t <= *t45 + 120s);
    // Every alarm raised is cleared or still open at the end; none raised twice without a clear.
    for (const auto& cond : {"sbp_high", "hr_low"}) {
        int open = 0;
        for (const auto& a : of(r, cond)) {
            if (a.alarm.state == AlarmState::raised) CHECK(++open == 1);
            if (a.alarm.state == AlarmState::cleared) CHECK(--open == 0);
        }
    }
}

TEST_CASE(
    "replay 157273 (stable, hypertensive negative control): no high-priority physiological alarm") {
    const auto r = drivers::replay(load("physionet2012_157273.csv"), charted_profile());
    for (const auto& a : r.alarms) {
        if (a.alarm.kind != alerts::AlarmKind::physiological) continue;
        INFO(a.condition << " at " << a.t.count() / 1000 << " s");
        CHECK(a.alarm.priority != Priority::high);
        CHECK(a.condition.rfind("hr_", 0) != 0);  // HR 61-96: no HR alarm at all
    }
}

TEST_CASE("replay 152982: the 14 mmHg SBP artifact is rejected, never a hypotension alarm") {
    const auto rec = load("physionet2012_152982.csv");
    const auto r = drivers::replay(rec, charted_profile());
    CHECK(r.rejected[static_cast<std::size_t>(drivers::RejectReason::implausible)] >= 1);
    const auto t14 = first_row(rec, "sbp", [](double v) { return v < 40; });
    REQUIRE(t14);
    CHECK(r.rejected[static_cast<std::size_t>(drivers::RejectReason::artifact)] >= 1);
    for (const auto& a : of(r, "sbp_low")) {
        INFO(alerts::to_string(a.alarm.state)
             << " value " << a.alarm.value << " cause " << alerts::to_string(a.alarm.cause));
        if (a.alarm.state == AlarmState::raised || a.alarm.state == AlarmState::updated)
            CHECK(a.t != *t14);
    }
    // The rejected measurement is noted as a technical alarm, not a physiological one.
    bool noted = false;
    for (const auto& a : of(r, "bp_artifact"))
        noted = noted || (a.t == *t14 && a.alarm.kind == alerts::AlarmKind::technical);
    CHECK(noted);
    // The persistent tachycardia (HR 92-159) is seen.
    CHECK_FALSE(of(r, "hr_high").empty());
}

TEST_CASE(
    "replay s25047 (artifact-heavy monitor record): zeros rejected, lost ECG becomes a technical "
    "alarm") {
    const auto rec = load("mimic2wdb_s25047-2704-05-04-10-44n.csv");
    const auto r = drivers::replay(rec, charted_profile());
    CHECK(r.rejected[static_cast<std::size_t>(drivers::RejectReason::sensor_off)] > 10);
    // HR reads 0 from minute 45: no bradycardia alarm from zeros ...
    for (const auto& a : of(r, "hr_low"))
        CHECK(a.t < 45min + 3min);
    // ... but the HR feed is reported lost soon after.
    const auto lost = of(r, "hr_feed_lost");
    REQUIRE_FALSE(lost.empty());
    CHECK(lost.back().alarm.state == AlarmState::raised);
    CHECK(lost.back().t >= 45min);
    CHECK(lost.back().t <= 50min);
    CHECK(lost.back().alarm.kind == alerts::AlarmKind::technical);
    // The desaturation to 43-63 % at minutes 40-44 raises a high-priority SpO2 alarm.
    bool spo2_high = false;
    for (const auto& a : of(r, "spo2_low"))
        if (a.alarm.priority == Priority::high && a.t >= 39min && a.t <= 46min) spo2_high = true;
    CHECK(spo2_high);
}
