// Per-session limit changes: which limits of a profile a nurse may change (its limit_bounds),
// and the profile with the changes in place. Pure.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "alerts/profile.hpp"
#include "alerts/session.hpp"

namespace chairwatch::alerts {

// The bound of that limit in `p`, nullptr if the profile lets no one change it.
const LimitBound* bound_of(const Profile& p, std::string_view condition, int tier);
// The tier (1-based) of rule `condition`, nullptr unless it exists with an absolute limit of
// its own (a relative tier's limit is the patient's baseline plus a rise: not changeable).
const Tier* changeable_tier(const Profile& p, std::string_view condition, int tier);
// `p` with each change's limit in place of the tier's; `p` itself if there is none.
std::shared_ptr<const Profile> with_limits(std::shared_ptr<const Profile> p,
                                           const std::vector<LimitChange>& changes);

// A limit the profile in force lets a nurse change, with its value now.
struct LimitInForce {
    const LimitBound* bound{nullptr};
    const Rule* rule{nullptr};
    const Tier* tier{nullptr};
    bool changed{false};  // by a LimitChange of the session
};
std::vector<LimitInForce> limits_in_force(const Profile& in_force,
                                          const std::vector<LimitChange>& changes);

}  // namespace chairwatch::alerts
