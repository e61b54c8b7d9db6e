// Alarm transitions out: the JSON a nurse station receives, the sentence a nurse reads, and the
// retained list of a chair's active alarms. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/session.hpp"

namespace chairwatch::drivers {

// "Chair 3: systolic BP 192 mmHg, above 180 (high priority)"
std::string alert_text(std::string_view chair, const alerts::AlarmTransition& t);
// "Chair 3" for "chair-03"; other ids as they are.
std::string chair_label(std::string_view chair);
// The unit of the alarm's value and limit: the signal's, or "s" for the silence of a feed or
// of a monitor's link.
std::string_view alert_unit(const alerts::AlarmTransition& t);

class JsonWriter;
// The fields of one alert, into an object the caller has opened.
void write_alarm_fields(JsonWriter& w, std::string_view chair, const alerts::Session& session,
                        const alerts::AlarmTransition& t);

// One alert message (also one session-log line, with "type":"alarm" added by the log).
std::string encode_alert(std::string_view chair, const alerts::Session& session,
                         const alerts::AlarmTransition& t, std::optional<std::int64_t> seq = {});
// The retained JSON array of a chair's active alarms.
std::string encode_active_alarms(std::string_view chair, const alerts::Session* session,
                                 const std::vector<alerts::AlarmTransition>& active);

}  // namespace chairwatch::drivers
