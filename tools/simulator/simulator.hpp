// `chairwatch simulate`: publishes the vitals of N simulated chairs to an MQTT broker, with
// simulated time running `speed` times faster than real time, and exits when every chair's
// session has ended and every message has been delivered.
//
// Contract: tools::add_simulate() (tools/subcommands.hpp) declares the options; the run returns
// the process exit code: 0 done, 1 broker or delivery failure, 2 usage error. It never throws.
// parse_simulate_args() (argv[0] is "simulate") throws std::invalid_argument on a usage error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/simulator/scenario.hpp"

namespace chairwatch::sim {

struct SimulateOptions {
    std::string broker;  // e.g. tcp://127.0.0.1:1883
    int chairs = 0;
    double speed = 0;  // simulated seconds per real second
    std::uint64_t seed = 42;
    std::string prefix = "clinic";
    int qos = 1;
    Timeline timeline;
    std::optional<std::vector<int>> surge;  // chair numbers that surge; unset: default_kind()
    std::string profile = "iv-ketamine";    // named in each session's start message
    bool session_messages = true;           // start/dose_start/dose_end/end on <chair>/session
    double ack_after_s = -1;                // a simulated nurse acknowledges alarms (real s)
    // Readings and session messages carry the simulated time (--clock simulated), which runs
    // ahead of real time when speed > 1, rather than the real time of sending (--clock real).
    bool simulated_clock = false;
    bool quiet = false;
    // Each chair's monitor publishes its link status with a last will (monitor_links.hpp); the
    // monitor of chair `link_drop` (0: none) loses its link at the dose start for `link_drop_s`
    // real seconds, and its readings stop meanwhile.
    bool monitor_links = false;
    int link_drop = 0;
    double link_drop_s = 25;
};

SimulateOptions parse_simulate_args(int argc, char** argv);

}  // namespace chairwatch::sim
