// Applies a profile's modifiers for a session's flags: a new profile with the modifiers' rules
// and feeds in place of the profile's of the same condition. Pure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alerts/profile.hpp"

namespace chairwatch::alerts {

struct Modified {
    std::shared_ptr<const Profile> profile;  // `base` itself when no modifier applies
    std::vector<std::string> applied;        // the flags of the modifiers applied, in order
};

Modified with_modifiers(std::shared_ptr<const Profile> base, const std::vector<std::string>& flags);

}  // namespace chairwatch::alerts
