#include "report/session_record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <variant>

#include "drivers/session_log/log_reader.hpp"
#include "report/clock_map.hpp"

namespace chairwatch::report {

namespace {

using alerts::Signal;
using drivers::LogAlarm;
using drivers::LogEnd;
using drivers::LogFeedPause;
using drivers::LogLimitChange;
using drivers::LogObservation;
using drivers::LogPhase;
using drivers::LogReading;
using drivers::LogReceipt;
using drivers::LogServiceAlarm;
using drivers::LogStart;

// Takes the entries of one log. Receive-clock times are kept as read and moved onto the device
// clock in finish(), once every reading's (rx, ts) pair is known.
class Reader {
  public:
    explicit Reader(const std::string& file) { rec_.file = file; }

    void line(const drivers::LogLine& l);
    SessionRecord finish();

  private:
    // Each returns what is wrong with the entry in this record ("" if nothing).
    std::string add(const LogStart& s, int n);
    std::string add(const LogReading& r, int n);
    std::string add(const LogPhase& p, int n);
    std::string add(const LogAlarm& a, int n);
    std::string add(const LogEnd& e, int n);
    std::string add(const LogReceipt& r, int n);
    std::string add(const LogServiceAlarm& a, int n);
    std::string add(const LogObservation& o, int n);
    std::string add(const LogFeedPause& p, int n);
    std::string add(const LogLimitChange& c, int n);
    void error(int n, const std::string& what) {
        rec_.errors.push_back(rec_.file + ":" + std::to_string(n) + ": " + what);
    }

    SessionRecord rec_;
    ClockMap clock_;
    std::vector<std::pair<std::size_t, std::size_t>> stamped_on_receipt_;  // signal, index
};

void Reader::line(const drivers::LogLine& l) {
    std::string refused;
    if (l.entry) refused = std::visit([&](const auto& e) { return add(e, l.number); }, *l.entry);
    if (!refused.empty())
        error(l.number, refused);
    else if (!l.problem.empty())
        error(l.number, l.problem);
}

std::string Reader::add(const LogStart& s, int) {
    if (rec_.has_start) return "a second session_start (ignored)";
    auto& r = rec_;
    r.has_start = true;
    r.start = s.ts;
    r.chair = s.chair;
    r.session_id = s.session_id;
    r.site = s.site;
    r.implicit = s.implicit;
    r.profile = s.profile;
    r.first_phase =
        s.phase.value_or(r.implicit ? alerts::Phase::monitoring : alerts::Phase::baseline);
    r.route = s.route;
    r.weight_kg = s.weight_kg;
    r.devices = s.devices;
    r.dose_mg_per_kg = s.dose_mg_per_kg;
    r.planned_duration_min = s.planned_duration_min;
    r.patient_ref = s.patient_ref;
    return {};
}

std::string Reader::add(const LogReading& r, int n) {
    auto& series = rec_.readings[alerts::index_of(r.signal)];
    series.push_back({r.ts, r.value, n});
    // ts == rx: the payload had no time of its own and the daemon stamped it on receipt (a plain
    // number on .../vitals/spo2, say). It is then a receive time like any other.
    if (r.rx && *r.rx == r.ts)
        stamped_on_receipt_.push_back({alerts::index_of(r.signal), series.size() - 1});
    else if (r.rx)
        clock_.add(*r.rx, r.ts);
    return {};
}

std::string Reader::add(const LogPhase& p, int) {
    rec_.phases.push_back({p.phase, p.ts});
    if (p.devices) rec_.devices = p.devices;
    if (!p.baseline) return {};
    if (!rec_.baseline_at) rec_.baseline_at = p.ts;
    for (auto s : alerts::all_signals)
        if (const auto& v = (*p.baseline)[alerts::index_of(s)])
            rec_.baseline[alerts::index_of(s)] = v;
    return {};
}

std::string Reader::add(const LogAlarm& l, int n) {
    if (rec_.has_start && !l.session_id.empty() && l.session_id != rec_.session_id)
        return "an alarm of another session (ignored)";
    AlarmEvent a;
    a.line = n;
    a.alert_id = l.alert_id;
    a.condition = l.condition;
    a.kind = l.kind;
    a.priority = l.priority;
    a.state = l.state;
    a.signal = l.signal;
    a.value = l.value;
    a.limit = l.limit;
    a.peak = l.peak;
    a.unit = l.unit;
    a.onset = l.onset;
    a.t = l.ts;
    if (l.cause) a.cause = alerts::to_string(*l.cause);
    a.active = l.active;
    a.latched = l.latched;
    a.acknowledged = l.acknowledged;
    a.acknowledged_by = l.acknowledged_by;
    a.acknowledged_at = l.acknowledged_at;
    a.action_taken = l.action_taken;
    a.action_note = l.action_note;
    a.escalation_level = l.escalation_level;
    a.text = l.text;
    rec_.alarms.push_back(std::move(a));
    return {};
}

std::string Reader::add(const LogEnd& e, int) {
    if (rec_.end) return "a second session_end (ignored)";
    rec_.end = e.ts;
    if (e.reason) rec_.end_reason = alerts::to_string(*e.reason);
    rec_.discharge_ready = e.discharge_ready;
    rec_.end_note = e.note;
    return {};
}

std::string Reader::add(const LogReceipt& r, int n) {
    rec_.receipts.push_back({n, r.ts, r.alert_id, r.status, r.person, r.device});
    return {};
}

std::string Reader::add(const LogServiceAlarm& a, int n) {
    rec_.service_alarms.push_back({n, a.ts, a.alert_id, a.condition, a.state, a.priority, a.text});
    return {};
}

std::string Reader::add(const LogObservation& o, int n) {
    if (rec_.has_start && !o.session_id.empty() && o.session_id != rec_.session_id)
        return "an observation of another session (ignored)";
    rec_.observations.push_back({n, o.ts, o.kind, o.value, o.text, o.by});
    return {};
}

// A pause's end line carries the whole pause: it completes the pause it began, or stands alone.
std::string Reader::add(const LogFeedPause& p, int n) {
    if (rec_.has_start && !p.session_id.empty() && p.session_id != rec_.session_id)
        return "a feed pause of another session (ignored)";
    auto& list = rec_.feed_pauses;
    if (!p.ended && !list.empty() && !list.back().ended) {  // a new pause replaces one
        list.back().ended = p.ts;
        list.back().cause = "replaced";
    }
    if (!p.ended || list.empty() || list.back().ended || list.back().since != p.since)
        list.push_back({n, p.since, p.until, std::nullopt, "", p.reason, p.by, ""});
    if (p.ended) {
        list.back().ended = p.ts;
        list.back().cause = p.cause ? std::string(alerts::to_string(*p.cause)) : "";
        list.back().ended_by = p.ended_by;
    }
    return {};
}

std::string Reader::add(const LogLimitChange& c, int n) {
    if (rec_.has_start && !c.session_id.empty() && c.session_id != rec_.session_id)
        return "a limit change of another session (ignored)";
    rec_.limit_changes.push_back({n, c.ts, c.condition, c.tier, c.from, c.to, c.reason, c.by});
    return {};
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
    for (auto& a : rec_.service_alarms)
        a.t = dev(a.t);
    for (auto& o : rec_.observations)
        o.t = dev(o.t);
    for (auto& c : rec_.limit_changes)
        c.t = dev(c.t);
    for (auto& p : rec_.feed_pauses) {
        p.since = dev(p.since);
        p.until = dev(p.until);
        if (p.ended) p.ended = dev(*p.ended);
    }
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
    drivers::LogReader lines(in);
    for (drivers::LogLine l; lines.next(l);)
        reader.line(l);
    return reader.finish();
}

std::optional<SessionRecord> read_session_log(const std::string& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return parse_session_log(in, path);
}

}  // namespace chairwatch::report
