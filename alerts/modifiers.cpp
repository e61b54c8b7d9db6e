#include "alerts/modifiers.hpp"

#include <algorithm>

namespace chairwatch::alerts {

namespace {

// Puts each of `with` in place of the item of `into` of the same condition, or appends it.
template <typename T>
void replace_by_condition(std::vector<T>& into, const std::vector<T>& with) {
    for (const auto& item : with) {
        auto it = std::find_if(into.begin(), into.end(),
                               [&](const T& x) { return x.condition == item.condition; });
        if (it != into.end())
            *it = item;
        else
            into.push_back(item);
    }
}

}  // namespace

Modified with_modifiers(std::shared_ptr<const Profile> base,
                        const std::vector<std::string>& flags) {
    Modified m{std::move(base), {}};
    std::shared_ptr<Profile> copy;
    for (const auto& mod : m.profile->modifiers) {
        if (std::find(flags.begin(), flags.end(), mod.flag) == flags.end()) continue;
        if (!copy) copy = std::make_shared<Profile>(*m.profile);
        replace_by_condition(copy->rules, mod.rules);
        replace_by_condition(copy->feeds, mod.feeds);
        m.applied.push_back(mod.flag);
    }
    if (copy) m.profile = std::move(copy);
    return m;
}

}  // namespace chairwatch::alerts
