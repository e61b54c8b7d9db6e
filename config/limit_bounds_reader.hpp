// `limit_bounds:` of a profile: the limits a nurse may change for one session, and within what.
#pragma once

#include "alerts/profile.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

// `limit_bounds: [{rule: sbp_high, tier: 3, min: 170, max: 200}]` (a profile's list replaces the
// one it inherits). Each must name a tier of the profile's rules with an absolute limit, its
// configured limit within [min, max]. Without the key, the inherited list is checked against
// this profile's rules (reported at `profile`).
void read_limit_bounds(YamlReader& r, const YAML::Node& profile, const std::string& path,
                       alerts::Profile& p);

}  // namespace chairwatch::config
