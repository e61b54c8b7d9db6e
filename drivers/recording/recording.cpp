#include "drivers/recording/recording.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <variant>

#include "drivers/recording/start_spec.hpp"
#include "drivers/session_log/log_reader.hpp"

namespace chairwatch::drivers {

namespace {

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ','))
        out.push_back(field);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

}  // namespace

Recording parse_csv_recording(const std::string& text, const std::string& name) {
    Recording rec;
    rec.name = name;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#' || line.rfind("t_s,", 0) == 0) continue;
        auto f = split(line);
        double t = 0;
        if (f.size() < 3 ||
            std::from_chars(f[0].data(), f[0].data() + f[0].size(), t).ec != std::errc{}) {
            rec.errors.push_back(name + ":" + std::to_string(n) +
                                 ": expected t_s,signal,value,unit");
            continue;
        }
        rec.rows.push_back({alerts::Millis(static_cast<long long>(t * 1000.0)), f[1], f[2],
                            f.size() > 3 ? f[3] : "", n});
    }
    return rec;
}

Recording read_csv_recording(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Recording{path, {}, {"cannot open " + path + ": " + std::strerror(errno)}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_csv_recording(text.str(), path);
}

namespace {

// Shortest text that reads back as the same number.
std::string number_text(double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string();
}

// Turns session-log entries into rows; receive times are moved onto the device clock by the
// offset between the two seen on the latest reading.
class LogRows {
  public:
    explicit LogRows(const std::string& name) { rec_.name = name; }

    void line(const LogLine& l) {
        if (!l.problem.empty()) error(l.number, l.problem);
        if (l.entry) std::visit([&](const auto& e) { add(e, l.number); }, *l.entry);
    }

    Recording finish(alerts::Millis* start_wall) {
        // Events are stamped on the receive clock moved by the offset: keep the rows in time
        // order.
        std::stable_sort(rec_.rows.begin(), rec_.rows.end(),
                         [](const RecordedRow& a, const RecordedRow& b) { return a.t < b.t; });
        if (start_wall && origin_) *start_wall = *origin_;
        return std::move(rec_);
    }

  private:
    void add(const LogReading& r, int n) {
        if (!r.rx) return error(n, "a reading without its receive time 'rx'");
        offset_ = r.ts - *r.rx;
        row(r.ts, std::string(alerts::to_string(r.signal)), number_text(r.value), "", n);
    }
    void add(const LogStart& s, int n) {
        if (s.implicit) return;
        row(s.ts + offset_, "event", "start", format_start_spec(session_info(s)), n);
    }
    void add(const LogPhase& p, int n) {
        if (p.phase == alerts::Phase::dosing) row(p.ts + offset_, "event", "dose_start", "", n);
        if (p.phase == alerts::Phase::observation) row(p.ts + offset_, "event", "dose_end", "", n);
    }
    void add(const LogAlarm& a, int n) {
        if (a.state == alerts::AlarmState::acknowledged)
            row(a.ts + offset_, "ack", a.condition, a.acknowledged_by, n);
    }
    void add(const LogReceipt&, int) {}       // a pager's receipt is no reading or event to replay
    void add(const LogServiceAlarm&, int) {}  // nor is the daemon's own technical alarm
    void add(const LogObservation&, int) {}   // nor a nurse's observation
    void add(const LogFeedPause&, int) {}     // nor a feed pause (replay judges every feed)
    void add(const LogLimitChange&, int) {}   // nor a limit change (replay judges as configured)
    void add(const LogEnd& e, int n) {
        if (e.reason == alerts::EndReason::explicit_end) row(e.ts + offset_, "event", "end", "", n);
    }

    void row(alerts::Millis device, std::string signal, std::string value, std::string unit,
             int line) {
        if (!origin_) origin_ = device;
        rec_.rows.push_back(
            {device - *origin_, std::move(signal), std::move(value), std::move(unit), line});
    }
    void error(int n, const std::string& what) {
        rec_.errors.push_back(rec_.name + ":" + std::to_string(n) + ": " + what);
    }

    Recording rec_;
    std::optional<alerts::Millis> origin_;  // device time of t = 0
    alerts::Millis offset_{0};              // device time minus receive time
};

}  // namespace

Recording parse_session_log_recording(const std::string& text, const std::string& name,
                                      alerts::Millis* start_wall) {
    LogRows rows(name);
    std::istringstream in(text);
    LogReader reader(in);
    for (LogLine l; reader.next(l);)
        rows.line(l);
    return rows.finish(start_wall);
}

Recording read_recording(const std::string& path, alerts::Millis* start_wall) {
    const bool log = path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
    if (!log) return read_csv_recording(path);
    std::ifstream in(path);
    if (!in) return Recording{path, {}, {"cannot open " + path + ": " + std::strerror(errno)}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_session_log_recording(text.str(), path, start_wall);
}

}  // namespace chairwatch::drivers
