#include "board/chair_json.hpp"

#include <algorithm>

#include "alerts/time_format.hpp"
#include "board/chair_due.hpp"
#include "drivers/codec/alert_codec.hpp"

namespace chairwatch::board {

using alerts::Millis;
using alerts::Signal;

namespace {

double seconds(Millis m) {
    return static_cast<double>(m.count()) / 1000.0;
}

void write_alarm(drivers::JsonWriter& w, std::string_view chair, const alerts::Session& s,
                 const alerts::AlarmTransition& a, const ChairLive* live = nullptr) {
    w.begin_object();
    drivers::write_alarm_fields(w, chair, s, a);
    w.key("display_state").value(display_state(a));
    w.key("feed").value(a.is_feed());
    if (live)
        if (auto it = live->receipts.find(a.alarm_no); it != live->receipts.end())
            w.key("receipt").value(it->second);
    w.end_object();
}

// One clock for every feed: the time since this value arrived (steady clock). A device's
// own clock never enters: a monitor 2 min fast must not age another feed's values.
void write_vital(drivers::JsonWriter& w, const LastValue& v, Millis stale_limit,
                 alerts::Instant now) {
    const auto age = now.mono - v.mono;
    w.begin_object();
    w.key("value").number(v.value);
    w.key("age_s").number(seconds(std::max(age, Millis(0))));
    w.key("stale_after_s").number(seconds(stale_limit));
    w.key("stale").value(age > stale_limit);
    w.end_object();
}

void write_trend(drivers::JsonWriter& w, const ChairLive& live) {
    w.key("trend").begin_object();
    for (auto sig : {Signal::hr, Signal::sbp, Signal::dbp, Signal::spo2, Signal::rr}) {
        const auto& pts = live.trend[alerts::index_of(sig)].points();
        if (pts.empty()) continue;
        w.key(alerts::to_string(sig)).begin_array();
        for (const auto& p : pts) {
            w.begin_array();
            w.number(p.t, 0);
            w.number(p.v, 1);
            w.end_array();
        }
        w.end_array();
    }
    w.end_object();
}

void write_dose(drivers::JsonWriter& w, const alerts::Session& s, alerts::Instant now) {
    if (s.dose_start) {
        w.key("dose_start").time(s.dose_start->wall);
        w.key("since_dose_s")
            .number(seconds(std::max(now.mono - s.dose_start->mono, Millis(0))), 0);
    }
    if (s.dose_end) w.key("dose_end").time(s.dose_end->wall);
    w.key("discharge_ready").value(s.discharge_ready.has_value());
}

// What is due: the next cuff reading, and the REMS checks (times as seconds from now).
void write_due(drivers::JsonWriter& w, const alerts::Profile& p, const alerts::Session& s,
               const ChairLive& live, alerts::Instant now) {
    if (const auto due = next_cuff_due(p, s, live)) {
        w.key("cuff_due").begin_object();
        w.key("in_s").number(seconds(due->at - now.mono), 0);
        w.key("overdue_in_s").number(seconds(due->at + due->grace - now.mono), 0);
        w.key("priority").value(alerts::to_string(due->priority));
        w.end_object();
    }
    const auto checks = rems_checks(p, s, live, now.mono);
    if (checks.empty()) return;
    w.key("rems").begin_array();
    for (const auto& c : checks) {
        w.begin_object();
        w.key("check").value(c.name);
        w.key("state").value(to_string(c.state));
        if (c.at) w.key("at_s").number(seconds(*c.at - now.mono), 0);
        w.end_object();
    }
    w.end_array();
}

// The limits a nurse may change on the session (the board's "Change limit" form), as in force.
void write_limits(drivers::JsonWriter& w, const std::vector<alerts::LimitInForce>& limits) {
    w.key("limits").begin_array();
    for (const auto& l : limits) {
        w.begin_object();
        w.key("rule").value(l.bound->condition);
        w.key("tier").value(l.bound->tier);
        w.key("signal").value(alerts::to_string(l.rule->signal_of(*l.tier)));
        const bool high = l.rule->direction == alerts::Direction::high;
        w.key("op").value(high ? (l.tier->inclusive ? ">=" : ">")
                               : (l.tier->inclusive ? "<=" : "<"));
        w.key("priority").value(alerts::to_string(l.tier->priority));
        w.key("value").number(l.tier->limit);
        w.key("min").number(l.bound->min);
        w.key("max").number(l.bound->max);
        w.key("changed").value(l.changed);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

Millis stale_after(const alerts::Profile& p, Signal s, alerts::Phase phase) {
    if (!alerts::is_cuff(s)) return p.stream_hold;
    return std::min(cuff_feed_timeout(p, s, phase), p.cuff_current_for);
}

Millis cuff_feed_timeout(const alerts::Profile& p, Signal s, alerts::Phase phase) {
    Millis in_phase{-1}, any{-1};
    const bool dosed = phase == alerts::Phase::dosing || phase == alerts::Phase::observation;
    for (const auto& f : p.feeds) {
        if (!f.fed_by(s)) continue;
        if (f.schedule && dosed) {  // the longest cycle of its schedule, and its grace
            Millis longest{0};
            for (const auto& w : f.schedule->windows)
                longest = std::max(longest, w.every);
            in_phase = longest + f.schedule->grace;
            continue;
        }
        for (const auto& t : f.tiers) {
            if (any < Millis(0) || t.after < any) any = t.after;
            if ((t.phases & alerts::phase_bit(phase)) &&
                (in_phase < Millis(0) || t.after < in_phase))
                in_phase = t.after;
        }
    }
    if (in_phase >= Millis(0)) return in_phase;
    if (any >= Millis(0)) return any;
    return std::chrono::minutes(15);
}

std::string_view display_state(const alerts::AlarmTransition& a) {
    if (a.acknowledged) return "acknowledged";
    if (a.escalation_level > 0) return "escalated";
    if (a.latched) return "latched";
    return "active";
}

void write_chair(drivers::JsonWriter& w, const Station& station, std::string_view chair,
                 const ChairLive* live, alerts::Instant now, const ViewOptions& opt) {
    const auto& clinic = station.clinic();
    const auto* s = clinic.session(chair);
    w.begin_object();
    w.key("chair").value(chair);
    w.key("label").value(drivers::chair_label(chair));
    w.key("in_session").value(s != nullptr);
    if (const auto* link = clinic.monitor_link(chair); link && link->known()) {
        w.key("monitor").begin_object();
        w.key("online").value(!link->offline());
        w.key("for_s").number(seconds(std::max(now.mono - link->since(), Millis(0))), 0);
        if (!link->device().empty()) w.key("device").value(link->device());
        w.end_object();
    }
    if (const auto* why = clinic.out_of_service(chair)) {
        w.key("out_of_service").begin_object();
        w.key("since").time(why->since);
        w.key("reason").value(why->reason);
        w.key("by").value(why->by);
        w.end_object();
    }
    if (s) {
        const auto profile = station.profile(s->profile);
        w.key("session_id").value(s->id);
        w.key("profile").value(s->profile);
        if (!s->info().route.empty()) w.key("route").value(s->info().route);
        w.key("phase").value(alerts::to_string(s->phase));
        w.key("implicit").value(s->implicit);
        if (const auto& p = s->feed_pause) {
            w.key("feeds_paused").begin_object();
            w.key("until").time(p->until.wall);
            w.key("remaining_s").number(seconds(std::max(p->until.mono - now.mono, Millis(0))), 0);
            w.key("reason").value(p->reason);
            w.key("by").value(p->by);
            w.end_object();
        }
        write_limits(w, clinic.limits(chair));
        w.key("started").time(s->started.wall);
        const auto start = live ? live->start_clock : s->started.wall;
        const auto elapsed =
            std::max(s->clock - start, Millis(0)) + (now.mono - s->last_reading.mono);
        w.key("elapsed_s").number(seconds(elapsed), 0);
        if (opt.show_patient_ref && !s->info().patient_ref.empty())
            w.key("patient_ref").value(s->info().patient_ref);
        w.key("vitals").begin_object();
        if (live && profile) {
            for (auto sig : alerts::all_signals) {
                const auto& v = live->last[alerts::index_of(sig)];
                if (!v.set) continue;
                w.key(alerts::to_string(sig));
                write_vital(w, v, stale_after(*profile, sig, s->phase), now);
            }
        }
        w.end_object();
        write_dose(w, *s, now);
        if (live && profile) write_due(w, *profile, *s, *live, now);
        if (live && opt.with_trend) write_trend(w, *live);
    }
    w.key("alarms").begin_array();
    if (s)
        for (const auto& a : clinic.listed_alarms(chair))
            write_alarm(w, chair, *s, a, live);
    w.end_array();
    w.end_object();
}

void write_alarms(drivers::JsonWriter& w, const alerts::Clinic& clinic) {
    struct Item {
        std::string chair;
        const alerts::Session* session;
        alerts::AlarmTransition alarm;
    };
    std::vector<Item> items;
    for (const auto& chair : clinic.chairs()) {
        const auto* s = clinic.session(chair);
        if (!s) continue;
        for (auto& a : clinic.listed_alarms(chair))
            items.push_back({chair, s, std::move(a)});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.alarm.priority != b.alarm.priority) return a.alarm.priority > b.alarm.priority;
        return a.alarm.onset.mono < b.alarm.onset.mono;
    });
    w.key("alarms").begin_array();
    for (const auto& i : items)
        write_alarm(w, i.chair, *i.session, i.alarm);
    w.end_array();
}

}  // namespace chairwatch::board
