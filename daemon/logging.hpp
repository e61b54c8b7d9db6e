// chairwatchd's log on stderr. Under systemd (stderr connected to the journal) each line starts
// with its syslog priority, `<4>` for a warning (sd-daemon(3)), and has no timestamp, which
// journald adds; elsewhere lines read `2026-12-07T12:00:00.000 warning text`.
#pragma once

#include <string>

namespace chairwatch::daemon {

// True when JOURNAL_STREAM names the device and inode of stderr, as systemd sets it for a
// service whose stderr is the journal (systemd.exec(5)).
bool stderr_is_journal();

// Makes the default spdlog logger write to stderr in the form above, at `level`.
void setup_logging(const std::string& level);

}  // namespace chairwatch::daemon
