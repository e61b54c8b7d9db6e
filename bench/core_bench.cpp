// Core throughput: readings per second through the pure Clinic (rule engine, alarm book,
// sessions) for 1, 100 and 10,000 chairs — HR at 1 Hz and a cuff reading every 5 min per
// chair, the shipped default profile, one thread — and the memory each chair costs.
// Usage: core_bench [SECONDS_OF_SIMULATED_TIME [CHAIRS...]]  (default 3600; fewer than 10 chairs
// run 100 times as long, 10,000 chairs and more a tenth, so that each measures 0.36-3.6 M readings)
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "config/config.hpp"

using namespace chairwatch;

namespace {

std::size_t heap_in_use() {
    const auto info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

void run(const alerts::ClinicProfiles& profiles, int chairs, int seconds) {
    std::vector<std::string> ids;
    for (int c = 0; c < chairs; ++c)
        ids.push_back("chair-" + std::to_string(c));
    alerts::Clinic clinic(profiles, {std::chrono::hours(4), static_cast<std::size_t>(chairs)});
    std::vector<alerts::ClinicEvent> events;
    events.reserve(1024);
    const auto heap_before = heap_in_use();  // the fixed base: profiles, the event buffer
    std::size_t readings = 0, alarms = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < seconds; ++s) {
        const alerts::Millis t(static_cast<long long>(s) * 1000);
        const alerts::Instant now{t, alerts::Millis(1'764'000'000'000) + t};
        for (int c = 0; c < chairs; ++c) {
            events.clear();
            const double hr = 70 + (s * 7 + c) % 11 + (c % 10 == 0 && s % 600 > 300 ? 60 : 0);
            clinic.on_reading(ids[static_cast<std::size_t>(c)], {alerts::Signal::hr, hr, now.wall},
                              now, events);
            ++readings;
            if ((s + c) % 300 == 0) {
                const double sbp = 130 + (c % 7 == 0 ? 60 : 0) + s % 13;
                const std::array<alerts::Reading, 3> cuff{
                    alerts::Reading{alerts::Signal::sbp, sbp, now.wall},
                    alerts::Reading{alerts::Signal::dbp, 80, now.wall},
                    alerts::Reading{alerts::Signal::map, 97, now.wall}};
                clinic.on_readings(ids[static_cast<std::size_t>(c)], cuff, now, events);
                readings += 3;
            }
            for (const auto& e : events)
                alarms += e.type == alerts::ClinicEvent::Type::alarm;
        }
        events.clear();
        clinic.on_tick(now, events);  // the daemon's one-second timer
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const auto per_chair = (heap_in_use() - heap_before) / static_cast<std::size_t>(chairs);
    std::printf(
        "%6d chairs: %10zu readings in %6.3f s = %6.2f M readings/s (ticks included); "
        "%zu alarm transitions; heap %zu bytes per chair\n",
        chairs, readings, took.count(), static_cast<double>(readings) / took.count() / 1e6, alarms,
        per_chair);
}

}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 3600;
    std::vector<int> counts;
    for (int i = 2; i < argc; ++i)
        counts.push_back(std::atoi(argv[i]));
    if (counts.empty()) counts = {1, 100, 10000};
    auto cfg = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    if (!cfg.config) return 1;
    const auto profiles = cfg.config->clinic_profiles();
    for (int chairs : counts)  // about the same number of readings whatever the chair count
        run(profiles, chairs,
            chairs >= 10000 ? seconds / 10
            : chairs < 10   ? seconds * 100
                            : seconds);
    return 0;
}
