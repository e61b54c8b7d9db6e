#include "alerts/limits.hpp"

#include <algorithm>

namespace chairwatch::alerts {

namespace {

// Profile or const Profile: the rule of that condition, or nullptr.
template <class P>
auto rule_of(P& p, std::string_view condition) -> decltype(&p.rules.front()) {
    auto it = std::find_if(p.rules.begin(), p.rules.end(),
                           [&](const Rule& r) { return r.condition == condition; });
    return it == p.rules.end() ? nullptr : &*it;
}

}  // namespace

const LimitBound* bound_of(const Profile& p, std::string_view condition, int tier) {
    auto it = std::find_if(p.limit_bounds.begin(), p.limit_bounds.end(), [&](const auto& b) {
        return b.condition == condition && b.tier == tier;
    });
    return it == p.limit_bounds.end() ? nullptr : &*it;
}

const Tier* changeable_tier(const Profile& p, std::string_view condition, int tier) {
    const Rule* rule = rule_of(p, condition);
    if (!rule || tier < 1 || static_cast<std::size_t>(tier) > rule->tiers.size()) return nullptr;
    const Tier& t = rule->tiers[static_cast<std::size_t>(tier) - 1];
    return t.has_limit && !rule->relative(t) ? &t : nullptr;
}

std::shared_ptr<const Profile> with_limits(std::shared_ptr<const Profile> p,
                                           const std::vector<LimitChange>& changes) {
    if (changes.empty()) return p;
    auto copy = std::make_shared<Profile>(*p);
    for (const auto& c : changes) {
        if (!changeable_tier(*copy, c.condition, c.tier)) continue;  // gone with a reload
        rule_of(*copy, c.condition)->tiers[static_cast<std::size_t>(c.tier) - 1].limit = c.to;
    }
    return copy;
}

std::vector<LimitInForce> limits_in_force(const Profile& in_force,
                                          const std::vector<LimitChange>& changes) {
    std::vector<LimitInForce> out;
    for (const auto& b : in_force.limit_bounds) {
        const Tier* tier = changeable_tier(in_force, b.condition, b.tier);
        if (!tier) continue;
        const bool changed = std::any_of(changes.begin(), changes.end(), [&](const auto& c) {
            return c.condition == b.condition && c.tier == b.tier;
        });
        out.push_back({&b, rule_of(in_force, b.condition), tier, changed});
    }
    return out;
}

}  // namespace chairwatch::alerts
