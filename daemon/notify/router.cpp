#include "daemon/notify/router.hpp"

#include <algorithm>

namespace chairwatch::daemon::notify {

namespace {

template <typename T, typename V>
bool allows(const std::vector<T>& list, const V& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// An escalated alarm's escalation receivers hear of it until it is over.
bool for_escalation(const alerts::AlarmTransition& t) {
    using S = alerts::AlarmState;
    return t.state == S::escalated ||
           (t.escalation_level > 0 && (t.state == S::acknowledged || t.state == S::cleared));
}

}  // namespace

bool Router::in_groups(const std::vector<std::string>& groups, std::string_view chair) const {
    for (const auto& g : groups) {
        const auto it = cfg_.chair_groups.find(g);
        if (it != cfg_.chair_groups.end() &&
            std::find(it->second.begin(), it->second.end(), chair) != it->second.end())
            return true;
    }
    return false;
}

bool Router::matches(const config::Route& r, std::string_view chair,
                     const alerts::AlarmTransition& t) const {
    const auto& m = r.match;
    // chairs and chair_groups together: the chair is in either.
    if (!m.chairs.empty() || !m.chair_groups.empty()) {
        const bool listed = std::find(m.chairs.begin(), m.chairs.end(), chair) != m.chairs.end();
        if (!listed && !in_groups(m.chair_groups, chair)) return false;
    }
    return allows(m.conditions, t.condition) && allows(m.kinds, t.kind) &&
           allows(m.priorities, t.priority) && allows(m.states, t.state);
}

void Router::add(const config::Route& r, const alerts::AlarmTransition& t,
                 std::vector<Target>& out) {
    const auto put = [&](const std::string& receiver) {
        for (const auto& have : out)
            if (have.receiver == receiver) return;
        out.push_back({receiver, r.fallback, r.name});
    };
    for (const auto& name : r.receivers)
        put(name);
    if (for_escalation(t))
        for (const auto& name : r.escalate_to)
            put(name);
}

std::vector<Target> Router::route(std::string_view chair, const alerts::AlarmTransition& t) const {
    std::vector<Target> out;
    bool matched = false;
    for (const auto& r : cfg_.routes) {
        if (!matches(r, chair, t)) continue;
        matched = true;
        add(r, t, out);
        if (!r.continue_matching) break;
    }
    if (!matched && cfg_.default_route) add(*cfg_.default_route, t, out);
    return out;
}

std::string notification_key(std::string_view alert_id, const alerts::AlarmTransition& first,
                             std::size_t count) {
    auto key = std::string(alert_id) + "/" + std::string(alerts::to_string(first.state)) + "/" +
               std::to_string(first.at.wall.count());
    if (count > 1) {  // appended: GCC 12's false -Wrestrict on "+" + string (GCC PR 105651)
        key += '+';
        key += std::to_string(count - 1);
    }
    return key;
}

}  // namespace chairwatch::daemon::notify
