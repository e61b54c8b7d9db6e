#include "alerts/types.hpp"

namespace chairwatch::alerts {

namespace {
constexpr std::array<std::string_view, signal_count> signal_names{"hr",   "sbp", "dbp",  "map",
                                                                  "spo2", "rr",  "etco2"};
constexpr std::array<std::string_view, signal_count> signal_units{"bpm", "mmHg", "mmHg", "mmHg",
                                                                  "%",   "/min", "mmHg"};
constexpr std::array<std::string_view, signal_count> signal_labels{
    "heart rate", "systolic BP",      "diastolic BP", "mean arterial pressure",
    "SpO2",       "respiratory rate", "EtCO2"};
// RR and EtCO2: REFERENCE section 6 gives no range; up to 150 (breaths/min, mmHg) is the measuring
// range of common capnographs (ours). 0 is "sensor off" for every signal, as the codec reads it.
constexpr std::array<Range, signal_count> plausible{Range{15, 300}, Range{40, 270}, Range{10, 210},
                                                    Range{20, 230}, Range{1, 100},  Range{1, 150},
                                                    Range{1, 150}};
constexpr std::array<std::string_view, 3> priority_names{"low", "medium", "high"};
}  // namespace

std::string_view to_string(Signal s) {
    return signal_names[index_of(s)];
}
std::string_view unit_of(Signal s) {
    return signal_units[index_of(s)];
}
std::string_view label_of(Signal s) {
    return signal_labels[index_of(s)];
}
Range plausible_range(Signal s) {
    return plausible[index_of(s)];
}

std::optional<Signal> parse_signal(std::string_view name) {
    for (auto s : all_signals)
        if (signal_names[index_of(s)] == name) return s;
    return std::nullopt;
}

std::string_view to_string(Priority p) {
    return priority_names[static_cast<std::size_t>(p)];
}

std::optional<Priority> parse_priority(std::string_view name) {
    for (std::size_t i = 0; i < priority_names.size(); ++i)
        if (priority_names[i] == name) return static_cast<Priority>(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, 3> kind_names{"physiological", "technical", "advisory"};
constexpr std::array<std::string_view, phase_count> phase_names{"monitoring", "baseline", "dosing",
                                                                "observation"};

std::string_view to_string(AlarmKind k) {
    return kind_names[static_cast<std::size_t>(k)];
}

std::optional<AlarmKind> parse_alarm_kind(std::string_view name) {
    for (std::size_t i = 0; i < kind_names.size(); ++i)
        if (kind_names[i] == name) return static_cast<AlarmKind>(i);
    return std::nullopt;
}

std::string_view to_string(Phase p) {
    return phase_names[static_cast<std::size_t>(p)];
}

std::optional<Phase> parse_phase(std::string_view name) {
    for (std::size_t i = 0; i < phase_names.size(); ++i)
        if (phase_names[i] == name) return static_cast<Phase>(i);
    return std::nullopt;
}

}  // namespace chairwatch::alerts
