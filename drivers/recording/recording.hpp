// Recordings of vital signs for replay: CSV `t_s,signal,value,unit` as in shared/data/vitals/.
#pragma once

#include <string>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::drivers {

struct RecordedRow {
    alerts::Millis t{0};  // from the recording's start
    std::string signal;   // "hr", ..., or "event"
    std::string value;    // as written
    std::string unit;
    int line{0};
};

struct Recording {
    std::string name;
    std::vector<RecordedRow> rows;
    std::vector<std::string> errors;  // "FILE:LINE: what is wrong", rows skipped
};

Recording parse_csv_recording(const std::string& text, const std::string& name);
Recording read_csv_recording(const std::string& path);

// A session log (`<session_id>.jsonl`) as a recording: its readings on the device clock, its
// phase changes as events, its acknowledgements as ack rows. `start_wall` gets the wall time
// of t = 0.
Recording parse_session_log_recording(const std::string& text, const std::string& name,
                                      alerts::Millis* start_wall = nullptr);
// By extension: .jsonl is a session log, anything else CSV.
Recording read_recording(const std::string& path, alerts::Millis* start_wall = nullptr);

}  // namespace chairwatch::drivers
