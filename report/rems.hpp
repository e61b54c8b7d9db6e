// The blood-pressure checks the SPRAVATO REMS asks for at an intranasal esketamine session
// (REFERENCE §2, §9): before the dose, about 40 minutes after it, and before discharge. Pure:
// finds them among the session's cuff readings.
//
//   pre-dose       the last BP at or before the dose start (the dosing phase's start)
//   ~40 min        the BP nearest to 40 min after the dose start, within 30-50 min (the window
//                  is ours: REMS says "approximately 40 minutes")
//   pre-discharge  the last BP after the dose, if it is not the ~40 min one
// A BP is a systolic and a diastolic reading with the same device time (and the mean, if the
// monitor sent one).
#pragma once

#include <optional>
#include <string_view>

#include "report/session_record.hpp"

namespace chairwatch::report {

struct BpReading {
    Millis t{0};  // device clock
    double sbp{0};
    double dbp{0};
    std::optional<double> map;
};

struct RemsCheckpoints {
    std::optional<Millis> dose_start;  // unset: no dose was recorded; no checkpoint then
    std::optional<Millis> dose_end;
    std::optional<BpReading> pre_dose;
    std::optional<BpReading> at_40_min;
    std::optional<BpReading> pre_discharge;
};

inline constexpr Millis rems_check_after{std::chrono::minutes(40)};
inline constexpr Millis rems_check_window{std::chrono::minutes(10)};  // either side
// REFERENCE §2: observe at least 2 h after the dose.
inline constexpr Millis rems_min_observation{std::chrono::hours(2)};

// Every BP of the session in time order.
std::vector<BpReading> bp_readings(const SessionRecord& rec);
RemsCheckpoints rems_checkpoints(const SessionRecord& rec);

// Whether the session is intranasal (esketamine): the start message's route, else the
// profile's (empty when the report has none).
bool is_intranasal(const SessionRecord& rec, std::string_view profile_route);

}  // namespace chairwatch::report
