// Replay throughput: readings per second through the same Clinic and rules as the daemon, one
// core, in memory (recording parsing included, file I/O not). Usage: replay_bench [SESSIONS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.hpp"
#include "drivers/recording/replay.hpp"

using namespace chairwatch;

namespace {

// Two hours of one chair: HR and SpO2 each second, a cuff reading every 5 minutes, events.
drivers::Recording synthetic_session(int seed) {
    drivers::Recording rec;
    rec.name = "synthetic";
    auto row = [&](long t, const char* signal, double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", v);
        rec.rows.push_back({alerts::Millis(t * 1000), signal, buf, "", 0});
    };
    rec.rows.push_back({alerts::Millis(0), "event", "start", "iv-ketamine", 0});
    for (long t = 0; t < 7200; ++t) {
        if (t == 600) rec.rows.push_back({alerts::Millis(t * 1000), "event", "dose_start", "", 0});
        if (t == 3000) rec.rows.push_back({alerts::Millis(t * 1000), "event", "dose_end", "", 0});
        const double rise =
            t > 600 && t < 5400 ? 40.0 * (1.0 - std::abs(t - 2700.0) / 2700.0) : 0.0;
        if (t % 300 == 0) {
            row(t, "sbp", 128 + rise + (t + seed) % 7);
            row(t, "dbp", 80 + rise / 2 + (t + seed) % 5);
            row(t, "map", 96 + rise * 0.66);
        }
        row(t, "hr", 72 + (t * 7 + seed) % 9 + rise / 4);
        row(t, "spo2", 96 + (t + seed) % 3);
    }
    rec.rows.push_back({alerts::Millis(7200 * 1000), "event", "end", "", 0});
    return rec;
}

}  // namespace

int main(int argc, char** argv) {
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 100;
    auto cfg = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    if (!cfg.config) {
        std::fprintf(stderr, "cannot load the shipped config\n");
        return 1;
    }
    const auto profiles = cfg.config->clinic_profiles();
    std::vector<drivers::Recording> recordings;
    for (int i = 0; i < sessions; ++i)
        recordings.push_back(synthetic_session(i));

    std::size_t readings = 0, alarms = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& rec : recordings) {
        const auto r = drivers::replay(rec, profiles);
        readings += r.readings;
        alarms += r.alarms.size();
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf(
        "replay: %d sessions, %zu readings, %zu alarm transitions in %.3f s: %.2f million "
        "readings/s\n",
        sessions, readings, alarms, took.count(),
        static_cast<double>(readings) / took.count() / 1e6);
    return 0;
}
