// Runs a recording through the same Clinic and rule engine as the daemon, in recording time,
// at full speed, with no broker: what would have been raised, and when. Rows with signal
// `event` (start, dose_start, dose_end, end; a start may name the profile and the patient's
// flags in its unit column, recording/start_spec.hpp)
// steer the session as the session topic does; `ack` rows (value: the condition) acknowledge.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "drivers/recording/recording.hpp"

namespace chairwatch::drivers {

struct ReplayOptions {
    std::string chair{"replay"};
    alerts::Millis wall_start{946684800000};  // wall time of t = 0 (2000-01-01 unless known)
    alerts::Millis tick{1000};                // how often time advances between rows
    alerts::ClinicSettings settings{std::chrono::hours(24), 1};
};

struct ReplayedAlarm {
    alerts::Millis t{0};  // from the recording's start
    alerts::AlarmTransition alarm;
    std::string condition;  // owned copy (alarm.condition points into the profile)
    std::string alert_id;
    std::string json;  // the alert message as the daemon would publish it
};

struct ReplayResult {
    std::vector<ReplayedAlarm> alarms;
    std::size_t readings{0};
    alerts::Millis span{0};  // from the first row to the last
    alerts::Millis last{0};  // the last row's time (rows need not start at 0)
    std::array<std::size_t, reject_reason_count> rejected{};
    std::vector<std::string> errors;  // rows that could not be read
};

ReplayResult replay(const Recording& rec, alerts::ClinicProfiles profiles,
                    const ReplayOptions& options = {});
ReplayResult replay(const Recording& rec, std::shared_ptr<const alerts::Profile> profile,
                    const ReplayOptions& options = {});

}  // namespace chairwatch::drivers
