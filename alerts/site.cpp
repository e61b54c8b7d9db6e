#include "alerts/site.hpp"

#include <algorithm>

namespace chairwatch::alerts {

bool valid_site_id(std::string_view id) {
    if (id.empty() || id.size() > max_site_id || id.front() == '-' || id.back() == '-')
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool glob_match(std::string_view pattern, std::string_view name) {
    // Iterative with one backtrack point (the latest '*'): linear in practice, never recursive.
    std::size_t p = 0, n = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool has_glob(std::string_view pattern) {
    return pattern.find_first_of("*?") != std::string_view::npos;
}

bool ChairSet::owns(std::string_view chair) const {
    return everything() || std::any_of(patterns.begin(), patterns.end(),
                                       [&](const auto& p) { return glob_match(p, chair); });
}

bool ChairSet::literal() const {
    return !everything() && std::none_of(patterns.begin(), patterns.end(),
                                         [](const auto& p) { return has_glob(p); });
}

}  // namespace chairwatch::alerts
