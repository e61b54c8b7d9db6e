#include "config/limit_bounds_reader.hpp"

#include <algorithm>

#include "alerts/limits.hpp"
#include "config/reader_util.hpp"

namespace chairwatch::config {

namespace {

// Whether `b` names a changeable limit of `p` with its configured limit inside its bounds.
bool check_bound(YamlReader& r, const YAML::Mark& at, const std::string& path,
                 const alerts::LimitBound& b, const alerts::Profile& p) {
    const auto rule = std::find_if(p.rules.begin(), p.rules.end(),
                                   [&](const auto& x) { return x.condition == b.condition; });
    if (rule == p.rules.end()) {
        r.error(at, join(path, "rule") + ": the profile has no rule '" + b.condition + "'");
        return false;
    }
    if (b.tier > static_cast<int>(rule->tiers.size())) {
        r.error(at, join(path, "tier") + ": rule '" + b.condition + "' has " +
                        std::to_string(rule->tiers.size()) + " tiers");
        return false;
    }
    const alerts::Tier* tier = alerts::changeable_tier(p, b.condition, b.tier);
    if (!tier) {
        r.error(at, join(path, "tier") + ": tier " + std::to_string(b.tier) + " of '" +
                        b.condition +
                        "' is relative to the baseline; only an absolute limit can be changed");
        return false;
    }
    if (b.min >= b.max || tier->limit < b.min || tier->limit > b.max) {
        r.error(at, path + ": min " + fmt(b.min) + " and max " + fmt(b.max) +
                        " must be in order and hold the tier's limit " + fmt(tier->limit));
        return false;
    }
    return true;
}

}  // namespace

void read_limit_bounds(YamlReader& r, const YAML::Node& profile, const std::string& path,
                       alerts::Profile& p) {
    const auto list = profile["limit_bounds"];
    const auto lpath = join(path, "limit_bounds");
    if (!list) {  // inherited: must still fit this profile's rules
        for (const auto& b : p.limit_bounds)
            check_bound(r, profile.Mark(), lpath + " (inherited)", b, p);
        return;
    }
    p.limit_bounds.clear();
    if (!list.IsSequence()) {
        r.error(list, lpath + ": expected a list of {rule, tier, min, max}");
        return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto n = list[i];
        const auto at = lpath + "[" + std::to_string(i) + "]";
        if (!r.expect_map(n, at, {"rule", "tier", "min", "max"})) continue;
        const auto rule = r.string(n, "rule", at);
        const auto tier =
            r.integer(n, "tier", at, 1, static_cast<long>(alerts::Profile::max_tiers));
        const auto min = r.number(n, "min", at, 0, 1000);
        const auto max = r.number(n, "max", at, 0, 1000);
        for (const char* key : {"rule", "tier", "min", "max"})
            if (!n[key]) r.error(n, join(at, key) + ": missing");
        if (!rule || !tier || !min || !max) continue;
        alerts::LimitBound b{*rule, *tier, *min, *max};
        if (alerts::bound_of(p, b.condition, b.tier)) {
            r.error(n, at + ": tier " + std::to_string(b.tier) + " of '" + b.condition +
                           "' has bounds already");
            continue;
        }
        if (check_bound(r, n.Mark(), at, b, p)) p.limit_bounds.push_back(std::move(b));
    }
}

}  // namespace chairwatch::config
