#include "report/session_record.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>

#include "report/clock_map.hpp"
#include "report/log_fields.hpp"

namespace chairwatch::report {

namespace {

using alerts::Signal;

std::optional<alerts::AlarmState> parse_state(std::string_view s) {
    using alerts::AlarmState;
    for (auto st : {AlarmState::raised, AlarmState::updated, AlarmState::acknowledged,
                    AlarmState::escalated, AlarmState::cleared})
        if (alerts::to_string(st) == s) return st;
    return std::nullopt;
}

// Reads the lines of one log. Receive-clock times are kept as read and moved onto the device
// clock in finish(), once every reading's (rx, ts) pair is known.
class Reader {
  public:
    explicit Reader(const std::string& file) { rec_.file = file; }

    void line(std::string_view text, int n);
    SessionRecord finish();

  private:
    void start(LogFields& f);
    void reading(LogFields& f, int n);
    void phase(LogFields& f);
    void alarm(LogFields& f, int n);
    void end(LogFields& f);
    void error(int n, const std::string& what) {
        rec_.errors.push_back(rec_.file + ":" + std::to_string(n) + ": " + what);
    }

    SessionRecord rec_;
    ClockMap clock_;
    std::vector<std::pair<std::size_t, std::size_t>> stamped_on_receipt_;  // signal, index
};

void Reader::line(std::string_view text, int n) {
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) {
        error(n, ec ? "not JSON (" + ec.message() + ")" : "not a JSON object");
        return;
    }
    LogFields f(v.get_object());
    const auto type = f.text("type");
    if (type == "reading")
        reading(f, n);
    else if (type == "alarm")
        alarm(f, n);
    else if (type == "phase")
        phase(f);
    else if (type == "session_start")
        start(f);
    else if (type == "session_end")
        end(f);
    else if (f.problem().empty())
        f.fail("unknown type '" + type + "'");
    if (!f.problem().empty()) error(n, f.problem());
}

void Reader::start(LogFields& f) {
    if (rec_.has_start) return f.fail("a second session_start (ignored)");
    const auto t = f.time("ts");
    auto chair = f.text("chair");
    auto id = f.text("session_id");
    if (!f.problem().empty()) return;
    auto& r = rec_;
    r.has_start = true;
    r.start = t;
    r.chair = std::move(chair);
    r.session_id = std::move(id);
    r.implicit = f.flag("implicit", false);
    r.profile = f.opt_text("profile");
    const auto phase = alerts::parse_phase(f.opt_text("phase"));
    r.first_phase =
        phase.value_or(r.implicit ? alerts::Phase::monitoring : alerts::Phase::baseline);
    r.route = f.opt_text("route");
    r.weight_kg = f.opt_number("weight_kg");
    r.dose_mg_per_kg = f.opt_number("dose_mg_per_kg");
    r.planned_duration_min = f.opt_number("planned_duration_min");
    r.patient_ref = f.opt_text("patient_ref");
}

void Reader::reading(LogFields& f, int n) {
    const auto name = f.text("signal");
    const auto value = f.number("value");
    const auto ts = f.time("ts");
    const auto rx = f.opt_time("rx");
    const auto sig = alerts::parse_signal(name);
    if (!f.problem().empty()) return;
    if (!sig) return f.fail("unknown signal '" + name + "'");
    auto& series = rec_.readings[alerts::index_of(*sig)];
    series.push_back({ts, value, n});
    // ts == rx: the payload had no time of its own and the daemon stamped it on receipt (a plain
    // number on .../vitals/spo2, say). It is then a receive time like any other.
    if (rx && *rx == ts)
        stamped_on_receipt_.push_back({alerts::index_of(*sig), series.size() - 1});
    else if (rx)
        clock_.add(*rx, ts);
}

void Reader::phase(LogFields& f) {
    const auto name = f.text("phase");
    const auto t = f.time("ts");
    const auto phase = alerts::parse_phase(name);
    if (!f.problem().empty()) return;
    if (!phase) return f.fail("unknown phase '" + name + "'");
    rec_.phases.push_back({*phase, t});
    const auto* b = f.object("baseline");
    if (b && !rec_.baseline_at) rec_.baseline_at = t;
    if (b)
        for (auto s : alerts::all_signals) {
            const auto* v = b->if_contains(alerts::to_string(s));
            if (v && v->is_number()) rec_.baseline[alerts::index_of(s)] = v->to_number<double>();
        }
}

void Reader::alarm(LogFields& f, int n) {
    AlarmEvent a;
    a.line = n;
    a.alert_id = f.text("alert_id");
    a.condition = f.text("condition");
    const auto kind = alerts::parse_alarm_kind(f.text("kind"));
    const auto priority = alerts::parse_priority(f.text("priority"));
    const auto state = parse_state(f.text("state"));
    a.signal = alerts::parse_signal(f.opt_text("signal"));
    a.value = f.opt_number("value").value_or(0);
    a.limit = f.opt_number("limit").value_or(0);
    a.peak = f.opt_number("peak").value_or(a.value);
    a.unit = f.opt_text("unit");
    a.t = f.time("ts");
    a.onset = f.opt_time("onset").value_or(a.t);
    a.cause = f.opt_text("cause");
    a.active = f.flag("active", state != alerts::AlarmState::cleared);
    a.latched = f.flag("latched", false);
    a.acknowledged = f.flag("acknowledged", false);
    a.acknowledged_by = f.opt_text("acknowledged_by");
    a.acknowledged_at = f.opt_time("acknowledged_at");
    a.escalation_level = static_cast<int>(f.opt_number("escalation_level").value_or(0));
    a.text = f.opt_text("text");
    if (!f.problem().empty()) return;
    if (!kind || !priority || !state) return f.fail("unknown kind, priority or state");
    const auto session = f.opt_text("session_id");
    if (rec_.has_start && !session.empty() && session != rec_.session_id)
        return f.fail("an alarm of another session (ignored)");
    a.kind = *kind;
    a.priority = *priority;
    a.state = *state;
    rec_.alarms.push_back(std::move(a));
}

void Reader::end(LogFields& f) {
    const auto t = f.time("ts");
    const auto reason = f.opt_text("reason");
    const bool ready = f.flag("discharge_ready", false);
    if (!f.problem().empty()) return;
    if (rec_.end) return f.fail("a second session_end (ignored)");
    rec_.end = t;
    rec_.end_reason = reason;
    rec_.discharge_ready = ready;
    rec_.end_note = f.opt_text("note");
}

SessionRecord Reader::finish() {
    clock_.finish();
    rec_.clock_speed = clock_.speed();
    auto dev = [&](Millis rx) { return clock_.to_device(rx); };
    rec_.start = dev(rec_.start);
    if (rec_.end) rec_.end = dev(*rec_.end);
    for (auto& p : rec_.phases)
        p.t = dev(p.t);
    if (rec_.baseline_at) rec_.baseline_at = dev(*rec_.baseline_at);
    for (auto& a : rec_.alarms) {
        a.t = dev(a.t);
        a.onset = dev(a.onset);
        if (a.acknowledged_at) a.acknowledged_at = dev(*a.acknowledged_at);
    }
    for (const auto& [signal, i] : stamped_on_receipt_)
        rec_.readings[signal][i].t = dev(rec_.readings[signal][i].t);
    for (auto& series : rec_.readings)
        std::stable_sort(series.begin(), series.end(),
                         [](const TimedValue& a, const TimedValue& b) { return a.t < b.t; });
    if (!rec_.has_start) {
        Millis first = rec_.last_time();
        for (const auto& series : rec_.readings)
            if (!series.empty()) first = std::min(first, series.front().t);
        rec_.start = first;
    }
    return std::move(rec_);
}

}  // namespace

std::size_t SessionRecord::reading_count() const {
    std::size_t n = 0;
    for (const auto& series : readings)
        n += series.size();
    return n;
}

Millis SessionRecord::last_time() const {
    if (end) return *end;
    Millis last = start;
    for (const auto& series : readings)
        if (!series.empty()) last = std::max(last, series.back().t);
    for (const auto& a : alarms)
        last = std::max(last, a.t);
    return last;
}

SessionRecord parse_session_log(std::istream& in, const std::string& file) {
    Reader reader(file);
    std::string text;
    int n = 0;
    while (std::getline(in, text))
        reader.line(text, ++n);
    return reader.finish();
}

std::optional<SessionRecord> read_session_log(const std::string& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot open " + path;
        return std::nullopt;
    }
    return parse_session_log(in, path);
}

}  // namespace chairwatch::report
