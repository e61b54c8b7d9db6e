#include "drivers/recording/recording.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "drivers/codec/payload_codec.hpp"

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
    if (!in) return Recording{path, {}, {path + ":1: cannot open the file"}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_csv_recording(text.str(), path);
}

namespace {

std::string text_of(const boost::json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<alerts::Millis> time_of(const boost::json::object& o, const char* key) {
    return parse_iso8601(text_of(o, key));
}

// Turns session-log lines into rows; receive times are moved onto the device clock by the
// offset between the two seen on the latest reading.
struct LogReader {
    Recording rec;
    std::optional<alerts::Millis> origin;  // device time of t = 0
    alerts::Millis offset{0};              // device time minus receive time

    void row(alerts::Millis device, std::string signal, std::string value, std::string unit,
             int line) {
        if (!origin) origin = device;
        rec.rows.push_back(
            {device - *origin, std::move(signal), std::move(value), std::move(unit), line});
    }

    void line(const boost::json::object& o, int n) {
        const auto type = text_of(o, "type");
        const auto rx = time_of(o, type == "reading" ? "rx" : "ts");
        if (type == "reading") {
            const auto ts = time_of(o, "ts");
            auto* v = o.if_contains("value");
            if (!ts || !rx || !v || !v->is_number())
                return error(n, "reading without ts, rx or value");
            offset = *ts - *rx;
            row(*ts, text_of(o, "signal"), boost::json::serialize(*v), "", n);
        } else if (type == "session_start" &&
                   !(o.if_contains("implicit") && o.at("implicit").is_bool() &&
                     o.at("implicit").as_bool())) {
            if (rx) row(*rx + offset, "event", "start", text_of(o, "profile"), n);
        } else if (type == "phase" && rx) {
            const auto phase = text_of(o, "phase");
            if (phase == "dosing") row(*rx + offset, "event", "dose_start", "", n);
            if (phase == "observation") row(*rx + offset, "event", "dose_end", "", n);
        } else if (type == "alarm" && text_of(o, "state") == "acknowledged" && rx) {
            row(*rx + offset, "ack", text_of(o, "condition"), text_of(o, "acknowledged_by"), n);
        } else if (type == "session_end" && text_of(o, "reason") == "end" && rx) {
            row(*rx + offset, "event", "end", "", n);
        }
    }

    void error(int n, const std::string& what) {
        rec.errors.push_back(rec.name + ":" + std::to_string(n) + ": " + what);
    }
};

}  // namespace

Recording parse_session_log_recording(const std::string& text, const std::string& name,
                                      alerts::Millis* start_wall) {
    LogReader r;
    r.rec.name = name;
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (ec || !v.is_object()) {
            r.error(n, "not a JSON object");
            continue;
        }
        r.line(v.as_object(), n);
    }
    // Events are stamped on the receive clock moved by the offset: keep the rows in time order.
    std::stable_sort(r.rec.rows.begin(), r.rec.rows.end(),
                     [](const RecordedRow& a, const RecordedRow& b) { return a.t < b.t; });
    if (start_wall && r.origin) *start_wall = *r.origin;
    return std::move(r.rec);
}

Recording read_recording(const std::string& path, alerts::Millis* start_wall) {
    const bool log = path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
    if (!log) return read_csv_recording(path);
    std::ifstream in(path);
    if (!in) return Recording{path, {}, {path + ":1: cannot open the file"}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_session_log_recording(text.str(), path, start_wall);
}

}  // namespace chairwatch::drivers
