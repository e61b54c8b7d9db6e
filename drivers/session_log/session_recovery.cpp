#include "drivers/session_log/session_recovery.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "drivers/codec/payload_codec.hpp"

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

bool flag_of(const json::object& o, const char* key, bool otherwise = false) {
    auto* v = o.if_contains(key);
    return v && v->is_bool() ? v->as_bool() : otherwise;
}

// The alarm number at the end of an alert id: "<chair>:<session>:a<n>", or "<session>-a<n>"
// as logs before version 0.9 wrote it.
std::uint32_t alarm_no_of(std::string_view id) {
    if (const auto parsed = alerts::parse_alert_id(id)) return parsed->alarm_no;
    const auto at = id.rfind("-a");
    if (at == std::string_view::npos) return 0;
    std::uint32_t no = 0;
    const auto digits = id.substr(at + 2);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), no);
    return ec == std::errc{} && p == digits.data() + digits.size() ? no : 0;
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
            if (implicit)
                call([&] { clinic_.resume_implicit(r_.chair, r_.session_id, t, out_); });
            else
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
            const auto alarm = alarm_of(o, t);
            if (!alarm) return problem(n, "alarm without alert_id, condition or state");
            // The rules are judged at the moment the alarm changed, as they were then.
            call([&] { clinic_.on_tick(r_.chair, t, out_); });
            clinic_.restore_alarm(r_.chair, *alarm);
            ++r_.restored_alarms;
        }
    }

    void finish() { flush(); }

  private:
    std::optional<alerts::AlarmTransition> alarm_of(const json::object& o,
                                                    alerts::Instant t) const {
        alerts::AlarmTransition a;
        a.alarm_no = alarm_no_of(text_of(o, "alert_id"));
        a.condition = text_of(o, "condition");
        const auto state = alerts::parse_alarm_state(text_of(o, "state"));
        if (a.alarm_no == 0 || a.condition.empty() || !state) return std::nullopt;
        a.state = *state;
        a.kind =
            alerts::parse_alarm_kind(text_of(o, "kind")).value_or(alerts::AlarmKind::physiological);
        a.priority = alerts::parse_priority(text_of(o, "priority")).value_or(alerts::Priority::low);
        a.max_priority = alerts::parse_priority(text_of(o, "max_priority")).value_or(a.priority);
        a.signal = alerts::parse_signal(text_of(o, "signal")).value_or(alerts::Signal::hr);
        a.value = number_of(o, "value").value_or(0);
        a.limit = number_of(o, "limit").value_or(0);
        a.peak = number_of(o, "peak").value_or(0);
        a.baseline = number_of(o, "baseline").value_or(0);
        a.cause = alerts::parse_clear_cause(text_of(o, "cause")).value_or(alerts::ClearCause::none);
        a.active = flag_of(o, "active", true);
        a.latched = flag_of(o, "latched");
        a.acknowledged = flag_of(o, "acknowledged");
        a.high = flag_of(o, "high", true);
        a.inclusive = flag_of(o, "inclusive", true);
        a.relative = flag_of(o, "relative");
        a.rise_rule = flag_of(o, "rise_rule");
        a.feed = flag_of(o, "feed", text_of(o, "unit") == "s");
        a.realarm = flag_of(o, "realarm");
        a.escalation_level = static_cast<int>(number_of(o, "escalation_level").value_or(0));
        a.at = t;
        const auto onset = parse_iso8601(text_of(o, "onset"));
        a.onset = onset ? instant(*onset) : t;
        if (a.acknowledged) {
            a.acknowledged_by = text_of(o, "acknowledged_by");
            const auto acked = parse_iso8601(text_of(o, "acknowledged_at"));
            a.acknowledged_at = acked ? instant(*acked) : t;
        }
        hint_ = text_of(o, "hint");
        a.text_hint = hint_;  // the Clinic takes its own copy of a notice's text
        return a;
    }

    void reading(const json::object& o, int n, alerts::Millis rx) {
        const auto sig = alerts::parse_signal(text_of(o, "signal"));
        const auto ts = parse_iso8601(text_of(o, "ts"));
        const auto value = number_of(o, "value");
        if (!sig || !ts || !value) return problem(n, "reading without signal, ts or value");
        // The values of one message (a cuff's sbp, dbp and map) share both times.
        if (!batch_.empty() && (rx != batch_rx_ || *ts != batch_.front().device_ts)) flush();
        batch_rx_ = rx;
        batch_.push_back({*sig, *value, *ts});
        r_.last_device_ts[alerts::index_of(*sig)] = *ts;
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
            call([&] { clinic_.on_tick(r_.chair, instant(w), out_); });
        last_ = std::max(*last_, wall);
    }

    alerts::Instant instant(alerts::Millis wall) const {
        return {now_.mono - (now_.wall - wall), wall};
    }

    template <class F>
    void call(F&& f) {
        out_.clear();
        f();
        // What the log holds already (starts, phases, readings) is not news; the end of a
        // session the replay closes, with its alarms' closing transitions, is.
        std::erase_if(out_, [](const alerts::ClinicEvent& e) {
            return e.type != alerts::ClinicEvent::Type::alarm &&
                   e.type != alerts::ClinicEvent::Type::session_ended;
        });
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
    mutable std::string hint_;
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
    clinic.set_replaying(true);
    struct Done {
        alerts::Clinic& clinic;
        ~Done() { clinic.set_replaying(false); }
    } done{clinic};
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
    clinic.set_replaying(false);
    const auto* s = clinic.session(r.chair);
    r.restored = s && !s->ended && s->id == r.session_id;
    if (!r.restored) return r;
    std::vector<alerts::ClinicEvent> out;
    clinic.finish_replay(r.chair, now, out);
    for (const auto& e : out)
        r.reconciled += e.type == alerts::ClinicEvent::Type::alarm;
    if (!out.empty()) on_events(out);
    return r;
}

}  // namespace chairwatch::drivers
