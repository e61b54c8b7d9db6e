// Many sites on one broker (docs/high-availability.md, "Many sites"): the site id that alert and
// session ids carry, and the set of chairs an instance owns. Pure: names in, answers out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chairwatch::alerts {

// The longest site id: it goes into every alert id and generated session id.
inline constexpr std::size_t max_site_id = 16;

// 1 to max_site_id of a-z, 0-9 and '-', neither first nor last a '-'.
bool valid_site_id(std::string_view id);

// Shell-style match of a whole chair name: '*' any run of characters (also none), '?' one.
bool glob_match(std::string_view pattern, std::string_view name);
// Whether a pattern has '*' or '?' (else it names one chair).
bool has_glob(std::string_view pattern);

// The chairs an instance owns: those matching any pattern; every chair when there are none.
struct ChairSet {
    std::vector<std::string> patterns;

    bool owns(std::string_view chair) const;
    bool everything() const { return patterns.empty(); }
    // Whether every pattern names one chair, so that the instance can subscribe to exactly
    // those chairs' topics.
    bool literal() const;
};

}  // namespace chairwatch::alerts
