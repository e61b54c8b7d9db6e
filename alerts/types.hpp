// Plain values shared by the whole core: signals, priorities, instants and readings.
// Nothing here reads a clock or does I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chairwatch::alerts {

using Millis = std::chrono::milliseconds;

// A moment as the core sees it. `mono` orders and times everything (the steady clock in the
// daemon, recording time in replay); `wall` is epoch time and only goes into records.
struct Instant {
    Millis mono{0};
    Millis wall{0};
};

// rr (breaths/min) and etco2 (end-tidal CO2, mmHg) are optional, streamed like HR and SpO2.
enum class Signal : std::uint8_t { hr, sbp, dbp, map, spo2, rr, etco2 };
inline constexpr std::size_t signal_count = 7;
inline constexpr std::array<Signal, signal_count> all_signals{
    Signal::hr, Signal::sbp, Signal::dbp, Signal::map, Signal::spo2, Signal::rr, Signal::etco2};
// The names of all signals for messages: "hr, sbp, dbp, map, spo2, rr or etco2".
inline constexpr std::string_view signal_names_text = "hr, sbp, dbp, map, spo2, rr or etco2";

std::string_view to_string(Signal s);
std::optional<Signal> parse_signal(std::string_view name);
std::string_view unit_of(Signal s);
std::string_view label_of(Signal s);  // "systolic BP", for sentences a nurse reads

// Cuff signals arrive as single readings minutes apart; the others stream about once a second.
constexpr bool is_cuff(Signal s) {
    return s == Signal::sbp || s == Signal::dbp || s == Signal::map;
}

struct Range {
    double lo;
    double hi;
    constexpr bool contains(double v) const { return v >= lo && v <= hi; }
};
// What a monitor can physically report (REFERENCE.md section 6); anything else is an artifact.
Range plausible_range(Signal s);

enum class Priority : std::uint8_t { low, medium, high };
std::string_view to_string(Priority p);
std::optional<Priority> parse_priority(std::string_view name);

// Physiological alarms come from the patient's values, technical ones from equipment or data,
// advisories are notices that are not alarms (IHE types SP, ST, SA).
enum class AlarmKind : std::uint8_t { physiological, technical, advisory };
std::string_view to_string(AlarmKind k);
std::optional<AlarmKind> parse_alarm_kind(std::string_view name);

// Where a chair is in its session. `monitoring` is a session started by readings alone, with no
// start message: nothing is known of dosing, so only phase-independent rules apply.
enum class Phase : std::uint8_t { monitoring, baseline, dosing, observation };
inline constexpr std::size_t phase_count = 4;
std::string_view to_string(Phase p);
std::optional<Phase> parse_phase(std::string_view name);
constexpr std::uint8_t phase_bit(Phase p) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(p));
}
inline constexpr std::uint8_t all_phases = 0x0F;

struct Reading {
    Signal signal{Signal::hr};
    double value{0};
    Millis device_ts{0};  // wall time the device stamped, or the receive time; for the record
};

constexpr std::size_t index_of(Signal s) {
    return static_cast<std::size_t>(s);
}

}  // namespace chairwatch::alerts
