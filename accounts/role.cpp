#include "accounts/role.hpp"

namespace chairwatch::accounts {

std::string_view to_string(Role role) {
    switch (role) {
        case Role::display:
            return "display";
        case Role::nurse:
            return "nurse";
        case Role::charge_nurse:
            return "charge_nurse";
        case Role::admin:
            return "admin";
    }
    return "display";
}

std::optional<Role> parse_role(std::string_view text) {
    for (auto r : {Role::display, Role::nurse, Role::charge_nurse, Role::admin})
        if (to_string(r) == text) return r;
    return std::nullopt;
}

}  // namespace chairwatch::accounts
