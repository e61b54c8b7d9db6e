// What a chair's session has due next, for its tile: the next cuff reading by the profile's
// schedule after the dose (REF §9), and the SPRAVATO REMS blood-pressure checks of an
// intranasal esketamine session (REF §2, §9: pre-dose, ~40 min, before discharge). Pure: every
// time is on the steady clock of arrival (alerts::Instant::mono), the clock the core's feed
// timers use.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "alerts/profile.hpp"
#include "alerts/session.hpp"
#include "board/chair_live.hpp"

namespace chairwatch::board {

struct CuffDue {
    alerts::Millis at{0};     // the next reading is expected then (steady clock)
    alerts::Millis grace{0};  // bp_overdue is raised this long after `at`
    alerts::Priority priority{alerts::Priority::medium};
};

// Only after the dose start, for a profile whose cuff feed has a schedule; nullopt otherwise.
std::optional<CuffDue> next_cuff_due(const alerts::Profile& p, const alerts::Session& s,
                                     const ChairLive& live);

struct RemsCheck {
    enum class State : std::uint8_t { later, due, done, missed };
    std::string_view name;  // pre_dose, at_40_min, pre_discharge
    State state{State::later};
    std::optional<alerts::Millis> at;  // taken then; or (later, due) expected then
};
std::string_view to_string(RemsCheck::State s);

// The three checks (REMS applies to intranasal sessions only: empty otherwise), found among the
// session's cuff readings by report::rems_checkpoints, as of `now`.
std::vector<RemsCheck> rems_checks(const alerts::Profile& p, const alerts::Session& s,
                                   const ChairLive& live, alerts::Millis now);

}  // namespace chairwatch::board
