#include "board/chair_due.hpp"

#include "report/rems.hpp"

namespace chairwatch::board {

using alerts::Millis;
using alerts::Phase;
using State = RemsCheck::State;

namespace {

bool dosed(const alerts::Session& s) {
    return s.dose_start && (s.phase == Phase::dosing || s.phase == Phase::observation);
}

// The live session as the report's record, on the steady clock: phases and cuff readings.
report::SessionRecord live_record(const alerts::Session& s, const ChairLive& live) {
    report::SessionRecord rec;
    rec.route = s.info().route;
    if (s.dose_start) rec.phases.push_back({Phase::dosing, s.dose_start->mono});
    if (s.dose_end) rec.phases.push_back({Phase::observation, s.dose_end->mono});
    auto& sbp = rec.readings[alerts::index_of(alerts::Signal::sbp)];
    auto& dbp = rec.readings[alerts::index_of(alerts::Signal::dbp)];
    for (const auto& c : live.cuffs) {
        sbp.push_back({c.mono, c.sbp, 0});
        dbp.push_back({c.mono, c.dbp, 0});
    }
    return rec;
}

}  // namespace

std::optional<CuffDue> next_cuff_due(const alerts::Profile& p, const alerts::Session& s,
                                     const ChairLive& live) {
    if (!dosed(s)) return std::nullopt;
    for (const auto& f : p.feeds) {
        if (!f.schedule || !f.fed_by(alerts::Signal::sbp) || f.schedule->windows.empty()) continue;
        const Millis dose = s.dose_start->mono;
        const Millis last = live.cuffs.empty() ? s.started.mono : live.cuffs.back().mono;
        const Millis due = f.schedule->expected_after(last - dose);
        return CuffDue{dose + due, f.schedule->grace, f.schedule->window_at(due).priority};
    }
    return std::nullopt;
}

std::string_view to_string(State s) {
    switch (s) {
        case State::later:
            return "later";
        case State::due:
            return "due";
        case State::done:
            return "done";
        case State::missed:
            return "missed";
    }
    return "later";
}

std::vector<RemsCheck> rems_checks(const alerts::Profile& p, const alerts::Session& s,
                                   const ChairLive& live, Millis now) {
    const auto rec = live_record(s, live);
    if (!report::is_intranasal(rec, p.route)) return {};
    const auto c = report::rems_checkpoints(rec);
    const auto taken = [](const std::optional<report::BpReading>& bp) {
        return bp ? std::optional<Millis>(bp->t) : std::nullopt;
    };
    RemsCheck pre{"pre_dose", State::due, taken(c.pre_dose)};
    RemsCheck at40{"at_40_min", State::later, taken(c.at_40_min)};
    RemsCheck discharge{"pre_discharge", State::later, taken(c.pre_discharge)};
    if (!c.dose_start && !live.cuffs.empty()) pre.at = live.cuffs.back().mono;  // so far
    if (pre.at)
        pre.state = State::done;
    else if (c.dose_start)
        pre.state = State::missed;
    if (at40.at) {
        at40.state = State::done;
    } else if (c.dose_start) {
        const Millis target = *c.dose_start + report::rems_check_after;
        at40.at = target;
        if (now > target + report::rems_check_window)
            at40.state = State::missed;
        else if (now >= target - report::rems_check_window)
            at40.state = State::due;
    }
    // Live, a BP counts before discharge only once the ~40 min window is over.
    if (discharge.at && c.dose_start &&
        *discharge.at > *c.dose_start + report::rems_check_after + report::rems_check_window)
        discharge.state = State::done;
    else if (c.dose_start)
        discharge = {"pre_discharge", State::due, std::nullopt};
    return {pre, at40, discharge};
}

}  // namespace chairwatch::board
