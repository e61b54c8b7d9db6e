#include "config/site_reader.hpp"

#include <algorithm>

#include "alerts/site.hpp"

namespace chairwatch::config {

namespace {

// A chair id (1-64 of A-Z a-z 0-9 - _ ., not starting with '.') in which '*' and '?' may stand
// for characters.
bool valid_chair_pattern(const std::string& p) {
    if (p.empty() || p.size() > 64 || p[0] == '.') return false;
    return std::all_of(p.begin(), p.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '*' || c == '?';
    });
}

void read_patterns(YamlReader& r, const YAML::Node& list, SiteConfig& site) {
    if (!list.IsSequence() || list.size() == 0) {
        r.error(list,
                "site.chairs: must be a non-empty list of chair ids or patterns "
                "(e.g. [\"north-*\"])");
        return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto item = list[i];
        const auto path = "site.chairs[" + std::to_string(i) + "]";
        if (!item.IsScalar() || !valid_chair_pattern(item.Scalar())) {
            r.error(item, path + ": '" + (item.IsScalar() ? item.Scalar() : std::string("?")) +
                              "' must be 1 to 64 of A-Z a-z 0-9 - _ . with '*' or '?' as "
                              "wildcards");
            continue;
        }
        site.chairs.patterns.push_back(item.Scalar());
    }
}

}  // namespace

void read_site(YamlReader& r, const YAML::Node& n, SiteConfig& site) {
    if (!r.expect_map(n, "site", {"id", "chairs"})) return;
    if (!n["id"]) {
        r.error(n, "site.id: missing");
    } else if (auto v = r.string(n, "id", "site")) {
        if (alerts::valid_site_id(*v))
            site.id = *v;
        else
            r.error(n["id"], "site.id: '" + *v + "' must be 1 to " +
                                 std::to_string(alerts::max_site_id) +
                                 " of a-z, 0-9 and '-', not starting or ending with '-'");
    }
    if (n["chairs"]) read_patterns(r, n["chairs"], site);
}

void check_site_chairs(YamlReader& r, const YAML::Node& chairs, const Config& c) {
    if (!chairs || !chairs.IsMap()) return;
    for (const auto& kv : chairs) {
        const auto chair = kv.first.Scalar();
        if (!c.site.chairs.owns(chair))
            r.error(kv.first, "chairs." + chair +
                                  ": not one of this site's chairs (site.chairs): this instance "
                                  "never takes its messages");
    }
}

}  // namespace chairwatch::config
