// The unit column of a recording's start event: the profile, then the start message's patient
// flags, separated by ';': "iv-ketamine;age=70;hypertension;session_number=2". Flags:
// age_65_plus, hypertension (bare: true), age=N, session_number=N. Pure.
#pragma once

#include <string>
#include <string_view>

#include "alerts/session.hpp"

namespace chairwatch::drivers {

// Fills `info`; false with `error` on a part it does not know or a number out of range.
bool parse_start_spec(std::string_view spec, alerts::SessionInfo& info, std::string& error);
// The spec parse_start_spec() reads back as `info`'s profile and flags.
std::string format_start_spec(const alerts::SessionInfo& info);

}  // namespace chairwatch::drivers
