// Past sessions for the board's history and handover views, read from the records the daemon's
// ReportWriter leaves beside each session log: <dir>/<chair>/<session_id>.summary.json (the
// session record, docs/records.md) and <session_id>.html (the clinician's page). Read-only: a
// request names a chair and a session id, each checked to be a plain file name, and only
// <dir>/<chair>/<session_id>.html is ever opened for it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/codec/json_writer.hpp"

namespace chairwatch::board {

// One alarm's acknowledgement: its response time (from onset to the first acknowledgement).
struct AckTime {
    std::string condition;
    std::string priority;
    std::string by;
    std::string at;  // ISO time of the acknowledgement
    double after_s{0};
};

struct HistoryEntry {
    std::string chair;
    std::string session_id;
    std::string profile;
    std::string route;
    std::string start;  // ISO times as the record has them (the monitor's clock)
    std::string end;
    std::string end_reason;  // end, idle, superseded, shutdown; empty: not ended
    bool discharge_applicable{false};
    bool discharge_ready_at_end{false};
    std::uint32_t alarms_high{0}, alarms_medium{0}, alarms_low{0};  // by highest priority
    std::uint32_t advisories{0};
    std::vector<AckTime> acks;
    bool has_report{false};  // the .html page exists

    std::string day() const { return start.substr(0, 10); }  // YYYY-MM-DD (UTC)
};

// A session record's JSON as a history entry; nullopt with `error` if it is not one.
std::optional<HistoryEntry> parse_record(std::string_view json, std::string& error);

// A chair or session id that may name a file: 1 to 128 of A-Z a-z 0-9 - _ ., not starting
// with a dot (so never "." or "..", and never a path).
bool valid_record_id(std::string_view id);

// The sessions under a directory, kept between requests: a record is parsed again only when
// its file changed. Records that cannot be read are counted and named in `errors`; the others
// are kept.
class History {
  public:
    explicit History(std::size_t max_records = 5000) : max_records_(max_records) {}
    // Looks at `dir` again (a new directory forgets the old one's records).
    void refresh(const std::string& dir);
    // Newest first.
    std::vector<const HistoryEntry*> sessions() const;
    const std::vector<std::string>& errors() const { return errors_; }
    // <dir>/<chair>/<session_id>.html if both ids are valid and it is a regular file (not a
    // link); nullopt otherwise.
    static std::optional<std::filesystem::path> report_path(const std::string& dir,
                                                            std::string_view chair,
                                                            std::string_view session_id);

  private:
    struct Cached {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size{0};
        std::optional<HistoryEntry> entry;
        std::string error;
    };
    std::size_t max_records_;
    std::string dir_;
    std::map<std::string, Cached> cache_;  // by path
    std::vector<std::string> errors_;
};

// One acknowledgement as JSON; with its chair and session when they are given.
void write_ack(drivers::JsonWriter& w, const AckTime& a, std::string_view chair = {},
               std::string_view session_id = {});

// {"days":[…newest first], "day":…, "sessions":[…of that day], "errors":n} ("" : the newest day).
void write_history(drivers::JsonWriter& w, const History& h, std::string_view day);

}  // namespace chairwatch::board
