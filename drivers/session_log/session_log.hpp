// Writes each session as it happens to <dir>/<chair>/<session_id>.jsonl (one JSON object per
// line; the session record, <session_id>.summary.json, is made from it by the daemon's
// ReportWriter at the session's end). Alarm transitions, phases, starts and ends
// reach the file at once; readings are batched until `flush()`, which the daemon calls at the
// end of each message it handles (the cuff's sbp, dbp and map of one message: one write). Sessions
// are known by chair and id together (two chairs may be given one session id). At most `max_open`
// logs hold a file descriptor at a time; the one used least recently is closed and opened again
// when it is next written. The lines' format is schema.hpp's; log_reader.hpp reads them back.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alerts/clinic.hpp"

namespace chairwatch::drivers {

// A notification receipt: what an alarm manager reported about an alert's delivery.
struct Receipt {
    std::string alert_id;
    std::string status;  // delivered, read, accepted, rejected ...
    std::string person;
    std::string device;
    std::optional<alerts::Millis> reported_at;  // its wall clock
    std::string control_id;
};

// One of chairwatchd's own technical alarms as it changed (daemon/service_alarms.hpp).
struct ServiceAlarmEntry {
    std::string alert_id;
    std::string condition;  // readings_link_lost, session_log_failed, notification_failed
    std::string state;      // raised, updated, cleared
    std::string priority;
    std::string text;
};

class SessionLog {
  public:
    explicit SessionLog(std::string dir, std::size_t max_open = 256)
        : dir_(std::move(dir)), max_open_(max_open < 1 ? 1 : max_open) {}
    SessionLog(const SessionLog&) = delete;
    SessionLog& operator=(const SessionLog&) = delete;

    // Records one event of the Clinic; `received` is the wall time the reading arrived.
    // Returns false, with `last_error()` set, if the line could not be written.
    bool write(const alerts::ClinicEvent& e, alerts::Instant now,
               std::optional<std::int64_t> seq = {});
    // A receipt for one of the session's alerts (the session is open); written at once.
    bool write_receipt(const alerts::Session& s, const Receipt& r, alerts::Instant now);
    // A technical alarm of the daemon's own, in the log of an open session; written at once.
    bool write_service_alarm(const alerts::Session& s, const ServiceAlarmEntry& a,
                             alerts::Instant now);
    const std::string& last_error() const { return last_error_; }
    // Writes out batched readings; false, with `last_error()` set, if a file could not be.
    bool flush();
    bool has_unflushed() const { return !dirty_.empty(); }
    const std::string& dir() const { return dir_; }
    std::string path_of(const alerts::Session& s, const char* suffix) const;
    // Whether a session of the chair with this id has a log here already (a new session must
    // not take the id: Clinic's `session_id_taken`).
    bool has_log(std::string_view chair, std::string_view session_id) const;
    // Logs of open sessions, and how many of them hold a file descriptor now.
    std::size_t open_logs() const { return files_.size(); }
    std::size_t open_descriptors() const { return open_fds_; }
    void set_max_open(std::size_t n) { max_open_ = n < 1 ? 1 : n; }

  private:
    // One open session's log: its file, its descriptor (when it holds one) and the lines not
    // yet written.
    struct OpenLog {
        std::string path;
        std::string session_id;
        int fd{-1};
        std::string pending;
        bool dirty{false};      // listed in dirty_
        std::uint64_t used{0};  // when it was last written (a count of writes)
        OpenLog() = default;
        OpenLog(const OpenLog&) = delete;
        OpenLog& operator=(const OpenLog&) = delete;
        ~OpenLog();
    };

    OpenLog* open(const alerts::Session& s);
    // The log's descriptor, opening the file (and closing the least recently used) if needed.
    bool hold(OpenLog& log);
    void release_one();
    bool append(const alerts::Session& s, const std::string& line, bool now);
    bool write_out(OpenLog& log);
    void close(const std::string& key);

    std::string dir_;
    std::size_t max_open_;
    std::size_t open_fds_{0};
    std::uint64_t uses_{0};
    std::unordered_map<std::string, std::unique_ptr<OpenLog>> files_;  // by "<chair>/<session id>"
    std::vector<OpenLog*> dirty_;                                      // with lines not yet out
    std::string line_;                                                 // reused for each line
    std::string key_;                                                  // reused for lookups
    std::string last_error_;
};

}  // namespace chairwatch::drivers
