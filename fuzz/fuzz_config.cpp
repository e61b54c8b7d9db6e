// Fuzz target: the configuration loader, YAML text to a validated Config or a list of errors,
// exactly the path of --check-config and SIGHUP reload. A config it accepts must be one the
// rule engine can run, so each accepted config also drives a short session or two.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace chairwatch;
using alerts::Instant;
using alerts::Millis;
using alerts::Signal;

Instant at(std::int64_t s) {
    return {Millis(s * 1000), Millis(1764000000000 + s * 1000)};
}

// A session that starts, doses, swings every signal from low to high and back, and ends.
void run_session(alerts::Clinic& clinic, const std::string& chair, const std::string& profile) {
    std::vector<alerts::ClinicEvent> out;
    alerts::SessionInfo info;
    info.profile = profile;
    clinic.on_control(chair, alerts::ControlAction::start, info, at(0), out);
    std::int64_t t = 0;
    const double swing[] = {120, 60, 45, 190, 260, 100, 30, 120};
    for (std::size_t step = 0; step < 16; ++step) {
        t += 150;
        if (step == 3) clinic.on_control(chair, alerts::ControlAction::dose_start, {}, at(t), out);
        if (step == 9) clinic.on_control(chair, alerts::ControlAction::dose_end, {}, at(t), out);
        const double v = swing[step % 8];
        const alerts::Reading cuff[] = {{Signal::sbp, v + 40, at(t).wall},
                                        {Signal::dbp, v, at(t).wall},
                                        {Signal::map, v + 13, at(t).wall}};
        clinic.on_readings(chair, cuff, at(t), out);
        clinic.on_reading(chair, {Signal::hr, v, at(t).wall}, at(t), out);
        clinic.on_reading(chair, {Signal::spo2, step % 3 ? 97.0 : 82.0, at(t).wall}, at(t), out);
        clinic.on_tick(at(t + 60), out);
        std::vector<std::string> ids;
        if (const auto* session = clinic.session(chair))
            for (const auto& a : clinic.listed_alarms(chair))
                ids.push_back(session->alert_id(a.alarm_no));
        for (const auto& id : ids)
            clinic.acknowledge(chair, id, "fuzz", at(t + 61), out);
    }
    clinic.on_control(chair, alerts::ControlAction::end, {}, at(t + 200), out);
    clinic.on_tick(at(t + 100000), out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto result = config::load_config_text(text, "fuzz.yaml");
    FUZZ_CHECK(result.config.has_value() == result.errors.empty());
    for (const auto& e : result.errors) {
        FUZZ_CHECK(e.line >= 1 && e.column >= 1 && !e.message.empty());
        FUZZ_CHECK(!e.format().empty());
    }
    if (!result.config) return 0;
    const auto& c = *result.config;
    FUZZ_CHECK(c.profiles.count(c.default_profile) == 1 && c.profile());
    for (const auto& [chair, profile] : c.chair_profiles)
        FUZZ_CHECK(c.profiles.count(profile));
    FUZZ_CHECK(!c.broker.uri.empty() && !c.broker.topic_prefix.empty());

    // The default profile and one other: inheritance is what differs between them.
    alerts::Clinic clinic(c.clinic_profiles(), c.clinic_settings());
    run_session(clinic, "chair-1", c.default_profile);
    for (const auto& [name, profile] : c.profiles)
        if (name != c.default_profile) {
            run_session(clinic, "chair-2", name);
            break;
        }
    return 0;
}
