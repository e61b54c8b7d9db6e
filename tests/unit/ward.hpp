// The shipped configuration's Clinic on one chair, driven with explicit times, and the alarm
// transitions it returned; for tests of the clinical rules a whole session exercises.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

namespace chairwatch::test {

struct ShippedWard {
    ShippedWard() : clinic(profiles(), {std::chrono::hours(4), 16}) {}
    static alerts::ClinicProfiles profiles() {
        auto r = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
        REQUIRE(r.config);
        return r.config->clinic_profiles();
    }
    alerts::ControlResult start(Millis t, alerts::SessionInfo info) {
        info.ts = at(t).wall;
        return clinic.on_control(chair, alerts::ControlAction::start, info, at(t), events);
    }
    alerts::ControlResult start(Millis t, const std::string& profile) {
        alerts::SessionInfo info;
        info.profile = profile;
        return start(t, info);
    }
    alerts::ControlResult control(Millis t, alerts::ControlAction a) {
        alerts::SessionInfo info;
        info.ts = at(t).wall;
        return clinic.on_control(chair, a, info, at(t), events);
    }
    // One cuff measurement, judged together as the daemon judges one payload.
    void bp(Millis t, double sbp, double dbp) {
        const auto ts = at(t).wall;
        const alerts::Reading r[] = {{alerts::Signal::sbp, sbp, ts},
                                     {alerts::Signal::dbp, dbp, ts},
                                     {alerts::Signal::map, dbp + (sbp - dbp) / 3, ts}};
        clinic.on_readings(chair, r, at(t), events);
    }
    void reading(Millis t, alerts::Signal s, double v) {
        clinic.on_reading(chair, {s, v, at(t).wall}, at(t), events);
    }
    // A streamed signal at 1 Hz over [from, to), ticking each second as the daemon does.
    void stream(alerts::Signal s, Millis from, Millis to, double v) {
        for (Millis t = from; t < to; t += std::chrono::seconds(1)) {
            reading(t, s, v);
            clinic.on_tick(at(t), events);
        }
    }
    void hr(Millis from, Millis to, double v) { stream(alerts::Signal::hr, from, to, v); }
    void tick_until(Millis from, Millis to) {
        for (Millis t = from; t < to; t += std::chrono::seconds(1))
            clinic.on_tick(at(t), events);
    }
    std::vector<alerts::AlarmTransition> alarms(std::string_view condition) const {
        std::vector<alerts::AlarmTransition> out;
        for (const auto& e : events)
            if (e.type == alerts::ClinicEvent::Type::alarm && e.alarm.condition == condition)
                out.push_back(e.alarm);
        return out;
    }
    bool listed(std::string_view condition) const {
        for (const auto& a : clinic.listed_alarms(chair))
            if (a.condition == condition && a.active) return true;
        return false;
    }
    const alerts::Session& session() const {
        const auto* s = clinic.session(chair);
        REQUIRE(s != nullptr);
        return *s;
    }

    std::string chair{"chair-01"};
    alerts::Clinic clinic;
    std::vector<alerts::ClinicEvent> events;
};

}  // namespace chairwatch::test
