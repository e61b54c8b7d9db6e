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

}  // namespace chairwatch::drivers
