// Restart recovery: sessions whose log has no end line are fed back through the Clinic, in
// their own time, so that after a restart (crash, upgrade, power cut) each chair has the
// session, baseline, rule state and alarms (with the same alert ids, latched and acknowledged
// as they were) it had when the last line was written. Logs are the one record; there is no
// second state file to fall out of step with them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "alerts/clinic.hpp"

namespace chairwatch::drivers {

// Session logs under `dir` (<dir>/<chair>/<session_id>.jsonl) without a session_end line,
// oldest first.
std::vector<std::string> find_open_session_logs(const std::string& dir);

struct RecoveredSession {
    std::string path;
    std::string chair;
    std::string session_id;  // as the log names it
    std::size_t readings{0};
    std::size_t alarm_lines{0};         // alarm transitions in the log
    std::size_t replayed_alarms{0};     // alarm transitions the replay produced
    std::vector<std::string> problems;  // lines that could not be used, "PATH:LINE: why"
    bool restored{false};               // a session is open on the chair afterwards
};

// Replays one session log into `clinic`. `now` maps the log's receive times onto the steady
// clock (a line written d ms before `now.wall` is replayed at `now.mono - d`). Every batch of
// events the Clinic returns is handed to `on_events` before the next call into the Clinic.
RecoveredSession recover_session(
    const std::string& path, alerts::Clinic& clinic, alerts::Instant now,
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events);

}  // namespace chairwatch::drivers
