// What a person (or a wall display) may do on the board. Each role includes the ones before
// it: a display only reads; a nurse also acts on alarms and sessions; a charge nurse leads the
// shift; an admin also changes the station (chairs out of service, limit bounds, accounts).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chairwatch::accounts {

enum class Role : std::uint8_t { display, nurse, charge_nurse, admin };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);  // exactly a to_string() word

}  // namespace chairwatch::accounts
