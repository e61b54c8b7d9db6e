#include "drivers/session_recovery.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "drivers/payload_codec.hpp"

namespace chairwatch::drivers {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr alerts::Millis tick{1000};

std::string text_of(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<double> number_of(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
}

bool ended(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return true;  // unreadable: nothing to recover from
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    const std::streamoff tail = std::min<std::streamoff>(size, 8192);
    in.seekg(size - tail);
    std::string text(static_cast<std::size_t>(tail), '\0');
    in.read(text.data(), tail);
    return text.find("\"type\":\"session_end\"") != std::string::npos;
}

alerts::SessionInfo info_of(const json::object& o) {
    alerts::SessionInfo i;
    i.session_id = text_of(o, "session_id");
    i.profile = text_of(o, "profile");
    i.route = text_of(o, "route");
    i.weight_kg = number_of(o, "weight_kg");
    i.dose_mg_per_kg = number_of(o, "dose_mg_per_kg");
    i.planned_duration_min = number_of(o, "planned_duration_min");
    i.patient_ref = text_of(o, "patient_ref");
    return i;
}

// Feeds the lines in order, advancing time in 1 s ticks between them as the daemon does.
class Replayer {
  public:
    Replayer(alerts::Clinic& clinic, alerts::Instant now,
             const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events,
             RecoveredSession& r)
        : clinic_(clinic), now_(now), on_events_(on_events), r_(r) {}

    void line(const json::object& o, int n) {
        const auto type = text_of(o, "type");
        const auto at = parse_iso8601(text_of(o, type == "reading" ? "rx" : "ts"));
        if (!at) return problem(n, "no time");
        if (type != "reading") flush();
        advance_to(*at);
        const auto t = instant(*at);
        if (type == "session_start") {
            r_.chair = text_of(o, "chair");
            r_.session_id = text_of(o, "session_id");
            const bool implicit = o.if_contains("implicit") && o.at("implicit").is_bool() &&
                                  o.at("implicit").as_bool();
            // An implicit session opens again with its first reading, under the same id.
            if (!implicit)
                call([&] {
                    clinic_.on_control(r_.chair, alerts::ControlAction::start, info_of(o), t, out_);
                });
        } else if (type == "reading") {
            reading(o, n, *at);
        } else if (type == "phase") {
            const auto phase = text_of(o, "phase");
            const alerts::SessionInfo none;
            if (phase == "dosing")
                call([&] {
                    clinic_.on_control(r_.chair, alerts::ControlAction::dose_start, none, t, out_);
                });
            else if (phase == "observation")
                call([&] {
                    clinic_.on_control(r_.chair, alerts::ControlAction::dose_end, none, t, out_);
                });
        } else if (type == "alarm") {
            ++r_.alarm_lines;
            if (text_of(o, "state") == "acknowledged")
                call([&] {
                    clinic_.acknowledge(r_.chair, text_of(o, "alert_id"),
                                        text_of(o, "acknowledged_by"), t, out_);
                });
        }
    }

    void finish() { flush(); }

  private:
    void reading(const json::object& o, int n, alerts::Millis rx) {
        const auto sig = alerts::parse_signal(text_of(o, "signal"));
        const auto ts = parse_iso8601(text_of(o, "ts"));
        const auto value = number_of(o, "value");
        if (!sig || !ts || !value) return problem(n, "reading without signal, ts or value");
        // The values of one message (a cuff's sbp, dbp and map) share both times.
        if (!batch_.empty() && (rx != batch_rx_ || *ts != batch_.front().device_ts)) flush();
        batch_rx_ = rx;
        batch_.push_back({*sig, *value, *ts});
    }

    void flush() {
        if (batch_.empty()) return;
        const auto t = instant(batch_rx_);
        call([&] { clinic_.on_readings(r_.chair, batch_, t, out_); });
        r_.readings += batch_.size();
        batch_.clear();
    }

    void advance_to(alerts::Millis wall) {
        if (!last_) {
            last_ = wall;
            return;
        }
        for (auto w = *last_ + tick; w < wall; w += tick)
            call([&] { clinic_.on_tick(instant(w), out_); });
        last_ = std::max(*last_, wall);
    }

    alerts::Instant instant(alerts::Millis wall) const {
        return {now_.mono - (now_.wall - wall), wall};
    }

    template <class F>
    void call(F&& f) {
        out_.clear();
        f();
        for (const auto& e : out_)
            if (e.type == alerts::ClinicEvent::Type::alarm) ++r_.replayed_alarms;
        if (!out_.empty()) on_events_(out_);
    }

    void problem(int n, const char* why) {
        if (r_.problems.size() < 20)
            r_.problems.push_back(r_.path + ":" + std::to_string(n) + ": " + why);
    }

    alerts::Clinic& clinic_;
    alerts::Instant now_;
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events_;
    RecoveredSession& r_;
    std::vector<alerts::ClinicEvent> out_;
    std::vector<alerts::Reading> batch_;
    alerts::Millis batch_rx_{0};
    std::optional<alerts::Millis> last_;
};

}  // namespace

std::vector<std::string> find_open_session_logs(const std::string& dir) {
    std::vector<std::pair<fs::file_time_type, std::string>> found;
    std::error_code ec;
    for (const auto& chair : fs::directory_iterator(dir, ec)) {
        if (!chair.is_directory(ec)) continue;
        for (const auto& f : fs::directory_iterator(chair.path(), ec)) {
            if (f.path().extension() != ".jsonl" || !f.is_regular_file(ec) || ended(f.path()))
                continue;
            found.emplace_back(f.last_write_time(ec), f.path().string());
        }
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> paths;
    for (auto& [_, p] : found)
        paths.push_back(std::move(p));
    return paths;
}

RecoveredSession recover_session(
    const std::string& path, alerts::Clinic& clinic, alerts::Instant now,
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events) {
    RecoveredSession r;
    r.path = path;
    std::ifstream in(path);
    if (!in) {
        r.problems.push_back(path + ": cannot open the file");
        return r;
    }
    Replayer replayer(clinic, now, on_events, r);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (ec || !v.is_object()) {
            // The last line of a log cut off by a crash is expected to be incomplete.
            r.problems.push_back(path + ":" + std::to_string(n) + ": not a JSON object");
            continue;
        }
        replayer.line(v.as_object(), n);
    }
    replayer.finish();
    const auto* s = clinic.session(r.chair);
    r.restored = s && !s->ended && s->id == r.session_id;
    return r;
}

}  // namespace chairwatch::drivers
