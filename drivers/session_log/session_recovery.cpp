#include "drivers/session_log/session_recovery.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "drivers/session_log/log_reader.hpp"
#include "drivers/session_log/schema.hpp"

namespace chairwatch::drivers {

namespace fs = std::filesystem;

namespace {

constexpr alerts::Millis tick{1000};

// Whether the log's last lines hold its end (only the tail is read: logs can be long).
bool ended(const fs::path& p) {
    // Appended, not a chain of operator+ from a literal: GCC 12 at -O3 warns falsely of
    // -Wrestrict there (GCC PR 105651).
    static const std::string end_line = [] {
        std::string s = "\"";
        s += log_schema::key::type;
        s += "\":\"";
        s += log_schema::line::session_end;
        s += '"';
        return s;
    }();
    std::ifstream in(p, std::ios::binary);
    if (!in) return true;  // unreadable: nothing to recover from
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    const std::streamoff tail = std::min<std::streamoff>(size, 8192);
    in.seekg(size - tail);
    std::string text(static_cast<std::size_t>(tail), '\0');
    in.read(text.data(), tail);
    return text.find(end_line) != std::string::npos;
}

// Feeds the lines in order, advancing time in 1 s ticks between them as the daemon does.
class Replayer {
  public:
    Replayer(alerts::Clinic& clinic, alerts::Instant now,
             const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events,
             const ReplayedEvents& on_replayed, RecoveredSession& r)
        : clinic_(clinic), now_(now), on_events_(on_events), on_replayed_(on_replayed), r_(r) {}

    void line(const LogLine& l) {
        if (!l.problem.empty()) problem(l.number, l.problem);
        if (!l.entry) return;
        // A reading happened when it was received; the rest when their ts says.
        if (const auto* reading = std::get_if<LogReading>(&*l.entry)) {
            if (!reading->rx) return problem(l.number, "a reading without its receive time 'rx'");
            advance_to(*reading->rx);
            return add(*reading);
        }
        flush();
        std::visit(
            [&](const auto& e) {
                advance_to(e.ts);
                apply(e, instant(e.ts), l.number);
            },
            *l.entry);
    }

    void finish() { flush(); }

  private:
    void apply(const LogStart& s, alerts::Instant t, int) {
        r_.chair = s.chair;
        r_.session_id = s.session_id;
        if (s.implicit)
            call(t, [&] { clinic_.resume_implicit(r_.chair, r_.session_id, t, out_); });
        else
            call(t, [&] {
                clinic_.on_control(r_.chair, alerts::ControlAction::start, session_info(s), t,
                                   out_);
            });
    }

    void apply(const LogPhase& p, alerts::Instant t, int) {
        alerts::SessionInfo none;
        none.devices = p.devices;
        if (p.phase == alerts::Phase::dosing)
            call(t, [&] {
                clinic_.on_control(r_.chair, alerts::ControlAction::dose_start, none, t, out_);
            });
        else if (p.phase == alerts::Phase::observation)
            call(t, [&] {
                clinic_.on_control(r_.chair, alerts::ControlAction::dose_end, none, t, out_);
            });
    }

    void apply(const LogAlarm& a, alerts::Instant t, int n) {
        ++r_.alarm_lines;
        if (a.alarm_no == 0)
            return problem(n, "alert_id '" + a.alert_id + "' names no alarm number");
        // The rules are judged at the moment the alarm changed, as they were then.
        call(t, [&] { clinic_.on_tick(r_.chair, t, out_); });
        clinic_.restore_alarm(r_.chair, transition_of(a, t));
        ++r_.restored_alarms;
    }

    void apply(const LogEnd&, alerts::Instant, int) {}
    void apply(const LogReceipt&, alerts::Instant, int) {}       // changes no alarm
    void apply(const LogServiceAlarm&, alerts::Instant, int) {}  // the daemon's, not the chair's
    void apply(const LogObservation&, alerts::Instant, int) {}   // the core judges none
    // A pause still running when the daemon stopped goes on until its end (a tick ends it).
    void apply(const LogFeedPause& p, alerts::Instant, int) {
        if (p.ended) return clinic_.restore_feed_pause(r_.chair, nullptr);
        const alerts::FeedPause pause{instant(p.since), instant(p.until), p.reason, p.by, {}};
        clinic_.restore_feed_pause(r_.chair, &pause);
    }
    // The limit holds again from where the log changed it: the rules judge by it.
    void apply(const LogLimitChange& c, alerts::Instant t, int n) {
        const alerts::LimitRequest rq{c.condition, c.tier, c.to, c.reason, c.by};
        alerts::ControlResult result{};
        call(t, [&] { result = clinic_.change_limit(r_.chair, rq, t, out_); });
        if (result != alerts::ControlResult::ok)
            problem(n, "limit change not applied: " + std::string(alerts::to_string(result)));
    }
    void apply(const LogReading&, alerts::Instant, int) {}  // add() takes readings

    // The alarm as the engine had it. Fields the line lacks keep the reader's defaults (a line
    // naming no signal: heart rate).
    alerts::AlarmTransition transition_of(const LogAlarm& l, alerts::Instant t) {
        alerts::AlarmTransition a;
        a.alarm_no = l.alarm_no;
        a.condition = l.condition;
        a.state = l.state;
        a.kind = l.kind;
        a.priority = l.priority;
        a.max_priority = l.max_priority;
        a.signal = l.signal.value_or(alerts::Signal::hr);
        a.value = l.value;
        a.limit = l.limit;
        a.peak = l.peak;
        a.baseline = l.baseline;
        a.cause = l.cause.value_or(alerts::ClearCause::none);
        a.active = l.active;
        a.latched = l.latched;
        a.acknowledged = l.acknowledged;
        a.high = l.high;
        a.inclusive = l.inclusive;
        a.relative = l.relative;
        a.rise_rule = l.rise_rule;
        a.feed = l.feed;
        a.realarm = l.realarm;
        a.escalation_level = l.escalation_level;
        a.at = t;
        a.onset = instant(l.onset);
        if (a.acknowledged) {
            a.acknowledged_by = l.acknowledged_by;
            a.acknowledged_at = l.acknowledged_at ? instant(*l.acknowledged_at) : t;
            if (!l.action_taken.empty() || !l.action_note.empty())
                a.ack_action = std::make_shared<const alerts::AckAction>(
                    alerts::AckAction{l.action_taken, l.action_note});
        }
        hint_ = l.hint;
        a.text_hint = hint_;  // the Clinic takes its own copy of a notice's text
        return a;
    }

    void add(const LogReading& l) {
        // The values of one message (a cuff's sbp, dbp and map) share both times.
        if (!batch_.empty() && (*l.rx != batch_rx_ || l.ts != batch_.front().device_ts)) flush();
        batch_rx_ = *l.rx;
        batch_.push_back({l.signal, l.value, l.ts});
        r_.last_device_ts[alerts::index_of(l.signal)] = l.ts;
    }

    void flush() {
        if (batch_.empty()) return;
        const auto t = instant(batch_rx_);
        call(t, [&] { clinic_.on_readings(r_.chair, batch_, t, out_); });
        r_.readings += batch_.size();
        batch_.clear();
    }

    void advance_to(alerts::Millis wall) {
        if (!last_) {
            last_ = wall;
            return;
        }
        for (auto w = *last_ + tick; w < wall; w += tick)
            call(instant(w), [&] { clinic_.on_tick(r_.chair, instant(w), out_); });
        last_ = std::max(*last_, wall);
    }

    alerts::Instant instant(alerts::Millis wall) const {
        return {now_.mono - (now_.wall - wall), wall};
    }

    template <class F>
    void call(alerts::Instant at, F&& f) {
        out_.clear();
        f();
        // What the log holds already (starts, phases, readings) is not news; the end of a
        // session the replay closes, with its alarms' closing transitions, is. Runs of each
        // go out in order.
        const auto news = [](const alerts::ClinicEvent& e) {
            return e.type == alerts::ClinicEvent::Type::alarm ||
                   e.type == alerts::ClinicEvent::Type::session_ended;
        };
        for (auto i = out_.begin(); i != out_.end();) {
            const bool is_news = news(*i);
            const auto j =
                std::find_if(i, out_.end(), [&](const auto& e) { return news(e) != is_news; });
            run_.assign(i, j);
            if (is_news)
                on_events_(run_);
            else if (on_replayed_)
                on_replayed_(run_, at);
            i = j;
        }
    }

    void problem(int n, const std::string& why) {
        if (r_.problems.size() < 20)
            r_.problems.push_back(r_.path + ":" + std::to_string(n) + ": " + why);
    }

    alerts::Clinic& clinic_;
    alerts::Instant now_;
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events_;
    const ReplayedEvents& on_replayed_;
    RecoveredSession& r_;
    std::vector<alerts::ClinicEvent> out_;
    std::vector<alerts::ClinicEvent> run_;
    std::vector<alerts::Reading> batch_;
    std::string hint_;
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
    const std::function<void(const std::vector<alerts::ClinicEvent>&)>& on_events,
    const ReplayedEvents& on_replayed) {
    RecoveredSession r;
    r.path = path;
    std::ifstream in(path);
    if (!in) {
        r.problems.push_back(path + ": cannot open the file");
        return r;
    }
    Replayer replayer(clinic, now, on_events, on_replayed, r);
    clinic.set_replaying(true);
    struct Done {
        alerts::Clinic& clinic;
        ~Done() { clinic.set_replaying(false); }
    } done{clinic};
    LogReader reader(in);
    for (LogLine line; reader.next(line);)
        replayer.line(line);
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
