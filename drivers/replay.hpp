// Runs a recording through the same Clinic and rule engine as the daemon, in recording time,
// at full speed, with no broker: what would have been raised, and when.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "drivers/payload_codec.hpp"
#include "drivers/recording.hpp"

namespace chairwatch::drivers {

struct ReplayOptions {
    std::string chair{"replay"};
    alerts::Millis wall_start{0};  // wall time of the recording's t = 0, for records
    alerts::Millis tick{1000};     // how often time advances between rows
    alerts::ClinicSettings settings{std::chrono::hours(24), 1};
};

struct ReplayedAlarm {
    alerts::Millis t{0};  // from the recording's start
    alerts::AlarmTransition alarm;
    std::string condition;  // owned copy (alarm.condition points into the profile)
    std::string alert_id;
};

struct ReplayResult {
    std::vector<ReplayedAlarm> alarms;
    std::size_t readings{0};
    std::array<std::size_t, reject_reason_count> rejected{};
    std::vector<std::string> errors;  // rows that could not be read
};

ReplayResult replay(const Recording& rec, std::shared_ptr<const alerts::Profile> profile,
                    const ReplayOptions& options = {});

}  // namespace chairwatch::drivers
