// Vital-sign payloads in: topic and bytes to readings, or a precise reason for each rejection.
// Pure: no I/O, no clock (the receive time is an argument).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::drivers {

enum class RejectReason : std::uint8_t {
    bad_topic,       // not <prefix>/<chair>/vitals/...
    bad_chair,       // chair id empty or with characters we won't put in a file name
    too_large,       // over the payload size cap
    bad_json,        // not JSON, not an object, or a field given twice
    wrong_type,      // a vital field that is not a number
    not_finite,      // NaN or infinity
    sensor_off,      // exactly 0: the monitor's "no signal"
    implausible,     // outside what a monitor can report (REFERENCE §6)
    bad_timestamp,   // ts neither epoch seconds nor ISO-8601, or before 2000
    no_values,       // nothing usable in the payload
    unknown_signal,  // a plain number on a topic that names no signal
    artifact,        // a cuff measurement whose values cannot belong together (REFERENCE §6)
    flooding,        // the chair is over input.max_messages_per_chair_s: dropped unread
    out_of_service,  // readings of a chair out of service: ignored
};
inline constexpr std::size_t reject_reason_count = 14;
std::string_view to_string(RejectReason r);

struct Rejection {
    RejectReason reason{RejectReason::bad_json};
    std::string detail;  // what exactly, for the warning (never the patient's identity)
    std::optional<alerts::Signal> signal;  // the value's signal, when one value was rejected
};

// `<prefix>/<chair>/<rest>`: the chair and the rest of the topic, or nothing.
struct ChairTopic {
    std::string_view chair;
    std::string_view rest;  // "vitals/bp", "session", "alerts/ack"
};
std::optional<ChairTopic> parse_chair_topic(std::string_view topic, std::string_view prefix);

struct VitalsTopic {
    std::string_view chair;
    std::string_view leaf;  // last topic level: "bp", "hr", ...
};

// Splits `<prefix>/<chair>/vitals/<...>`; nullopt if the topic is not of that shape.
std::optional<VitalsTopic> parse_vitals_topic(std::string_view topic, std::string_view prefix);
bool valid_chair_id(std::string_view chair);

struct Decoded {
    std::array<alerts::Reading, alerts::signal_count> readings{};
    std::size_t count{0};
    std::array<Rejection, alerts::signal_count + 1> rejections{};
    std::size_t rejected{0};
    std::optional<std::int64_t> seq;  // a publisher's sequence number, echoed in alerts

    // Bounded like reject(): a caller with more rows than signals (replay) must not overrun.
    void add(alerts::Signal s, double v, alerts::Millis ts) {
        if (count < readings.size()) readings[count++] = {s, v, ts};
    }
    void reject(RejectReason r, std::string detail, std::optional<alerts::Signal> s = {}) {
        if (rejected < rejections.size()) rejections[rejected++] = {r, std::move(detail), s};
    }
};

// A cuff measurement (SBP, DBP, MAP taken together) is one unit: if one of its values was
// rejected, or they cannot belong together (SBP <= DBP, pulse pressure outside 10-150 mmHg, MAP
// not between them), all its values are rejected as an artifact. True if it did that.
bool reject_cuff_artifact(Decoded& d);

// Decodes one payload. Each valid field becomes a reading even when a neighbour is rejected.
// `received` is the wall time used when the payload carries no `ts`.
Decoded decode_vitals(std::string_view leaf, std::string_view payload, alerts::Millis received,
                      std::size_t max_bytes);

// Why a value of a signal cannot be a reading (not finite, 0, implausible), or nothing if it can.
std::optional<RejectReason> judge_value(alerts::Signal s, double v);

// "2026-11-24T18:41:00.5Z", "2026-11-24T19:41:00+01:00" -> epoch milliseconds.
std::optional<alerts::Millis> parse_iso8601(std::string_view s);

}  // namespace chairwatch::drivers
