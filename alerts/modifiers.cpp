#include "alerts/modifiers.hpp"

#include <algorithm>

namespace chairwatch::alerts {

Modified with_modifiers(std::shared_ptr<const Profile> base,
                        const std::vector<std::string>& flags) {
    Modified m{std::move(base), {}};
    std::shared_ptr<Profile> copy;
    for (const auto& mod : m.profile->modifiers) {
        if (std::find(flags.begin(), flags.end(), mod.flag) == flags.end()) continue;
        if (!copy) copy = std::make_shared<Profile>(*m.profile);
        for (const auto& rule : mod.rules) {
            auto it = std::find_if(copy->rules.begin(), copy->rules.end(),
                                   [&](const Rule& r) { return r.condition == rule.condition; });
            if (it != copy->rules.end())
                *it = rule;
            else
                copy->rules.push_back(rule);
        }
        m.applied.push_back(mod.flag);
    }
    if (copy) m.profile = std::move(copy);
    return m;
}

}  // namespace chairwatch::alerts
