// Restart recovery: sessions whose log has no end line are fed back through the Clinic, in
// their own time, so that after a restart (crash, upgrade, power cut) each chair has the
// session, baseline, rule state and alarms it had when the last line was written. Readings,
// ticks and session messages rebuild the rules' state; the alarms are taken from the log's
// alarm lines as they were published (same alert ids, onsets, priorities, latches,
// acknowledgements and escalation levels), never derived again. Logs are the one record; there
// is no second state file to fall out of step with them.
#pragma once

#include <array>
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
    std::size_t alarm_lines{0};      // alarm transitions in the log
    std::size_t restored_alarms{0};  // of them, taken back (the others had a problem)
    std::size_t reconciled{0};       // new transitions where the rules disagreed with the log
    // The device time of the last reading of each signal, so that a message the broker delivers
    // again after the restart is known as a repeat.
    std::array<alerts::Millis, alerts::signal_count> last_device_ts{};
    std::vector<std::string> problems;  // lines that could not be used, "PATH:LINE: why"
    bool restored{false};               // a session is open on the chair afterwards
};

// Replays one session log into `clinic`. `now` maps the log's receive times onto the steady
// clock (a line written d ms before `now.wall` is replayed at `now.mono - d`). Events that are
// news, not in the log (the end of a session the replay superseded, transitions where the
// rules disagree with the logged alarms), are handed to `on_events` before the next call into
// the Clinic: the caller writes and publishes them. The rest (the session's start, phases and
// readings, which the log holds already) goes to `on_replayed`, if given, with the instant it
// was replayed at: for views that show the session (the board's latest values and trends).
using ReplayedEvents =
    std::function<void(const std::vector<alerts::ClinicEvent>&, alerts::Instant at)>;
RecoveredSession recover_session(
    const std::string& path, alerts::Clinic& clinic, alerts::Instant now,
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events,
    const ReplayedEvents& on_replayed = {});

}  // namespace chairwatch::drivers
