#include "report/rems.hpp"

#include <algorithm>
#include <cstdlib>

namespace chairwatch::report {

using alerts::Signal;

std::vector<BpReading> bp_readings(const SessionRecord& rec) {
    std::vector<BpReading> out;
    const auto& dbp = rec.of(Signal::dbp);
    const auto& map = rec.of(Signal::map);
    for (const auto& s : rec.of(Signal::sbp)) {
        const auto d =
            std::find_if(dbp.begin(), dbp.end(), [&](const TimedValue& v) { return v.t == s.t; });
        if (d == dbp.end()) continue;
        BpReading bp{s.t, s.value, d->value, std::nullopt};
        const auto m =
            std::find_if(map.begin(), map.end(), [&](const TimedValue& v) { return v.t == s.t; });
        if (m != map.end()) bp.map = m->value;
        out.push_back(bp);
    }
    return out;
}

RemsCheckpoints rems_checkpoints(const SessionRecord& rec) {
    RemsCheckpoints c;
    for (const auto& p : rec.phases) {
        if (p.phase == alerts::Phase::dosing && !c.dose_start) c.dose_start = p.t;
        if (p.phase == alerts::Phase::observation && c.dose_start && !c.dose_end) c.dose_end = p.t;
    }
    if (!c.dose_start) return c;
    const Millis dose = *c.dose_start;
    const Millis target = dose + rems_check_after;
    for (const auto& bp : bp_readings(rec)) {
        if (bp.t <= dose) {
            c.pre_dose = bp;
            continue;
        }
        const auto off = std::abs((bp.t - target).count());
        if (off <= rems_check_window.count() &&
            (!c.at_40_min || off < std::abs((c.at_40_min->t - target).count())))
            c.at_40_min = bp;
        c.pre_discharge = bp;
    }
    if (c.pre_discharge && c.at_40_min && c.pre_discharge->t == c.at_40_min->t)
        c.pre_discharge.reset();
    return c;
}

bool is_intranasal(const SessionRecord& rec, std::string_view profile_route) {
    return rec.route.empty() ? profile_route == "intranasal" : rec.route == "intranasal";
}

}  // namespace chairwatch::report
