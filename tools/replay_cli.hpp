// `chairwatch replay` and `chairwatch tune`: recordings through the daemon's rules, with no
// broker, for the medical director who tunes thresholds before they page anyone.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "drivers/recording/replay.hpp"

namespace chairwatch::tools {

// One alarm from raise to clear, as tune counts them.
struct Episode {
    std::string recording;
    std::string condition;
    std::string kind;
    alerts::Priority max_priority{alerts::Priority::low};
    alerts::Millis start{0}, end{0};
};

std::vector<Episode> episodes_of(const drivers::ReplayResult& r, const std::string& recording);

// What a config raised across recordings, and what a changed config raised differently.
struct TuneReport {
    double hours{0};
    std::map<std::string, std::array<int, 3>> per_condition_base,
        per_condition_changed;  // by priority
    double alarm_seconds_base{0}, alarm_seconds_changed{0};
    std::vector<Episode> lost, gained;
    // HIGH episodes of the current config that the changed one still raises, but never at HIGH:
    // the episode as the changed config has it (its highest priority).
    std::vector<Episode> demoted;
};

TuneReport compare(const std::vector<std::vector<Episode>>& base,
                   const std::vector<std::vector<Episode>>& changed, double hours);
std::string tune_json(const TuneReport& t);

// Applies `PATH=VALUE` edits (PATH like profiles.adult-default.rules.sbp_high.tiers[0].at_or_above)
// to a YAML text; returns the edited text, or an error sentence in `error`.
std::string apply_sets(const std::string& yaml, const std::vector<std::string>& sets,
                       std::string& error);

// A recording file (CSV or session log) through the rules; its chair is named after the file.
drivers::ReplayResult replay_path(const std::string& path, const alerts::ClinicProfiles& profiles);

}  // namespace chairwatch::tools
