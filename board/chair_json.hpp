// The board's JSON of chairs and alarms: what GET /api/chairs, GET /api/alarms and the live
// event stream carry. Alarm objects have the fields of the MQTT alert messages.
#pragma once

#include <string>
#include <string_view>

#include "alerts/clinic.hpp"
#include "board/chair_live.hpp"
#include "board/station.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::board {

struct ViewOptions {
    bool show_patient_ref{false};
    bool with_trend{true};
};

// How long a signal's latest value may be shown as current: the profile's stream hold for
// HR and SpO2; for blood pressure the cuff feed's timeout in the session's phase, never longer
// than the profile's bp_current_for (REF §8: 15 min).
alerts::Millis stale_after(const alerts::Profile& p, alerts::Signal s, alerts::Phase phase);
alerts::Millis cuff_feed_timeout(const alerts::Profile& p, alerts::Signal s, alerts::Phase phase);

// The one state a listed alarm shows: acknowledged, escalated, latched or active.
std::string_view display_state(const alerts::AlarmTransition& a);

void write_chair(drivers::JsonWriter& w, const Station& station, std::string_view chair,
                 const ChairLive* live, alerts::Instant now, const ViewOptions& opt);
// Every listed alarm of every chair, highest priority first, then oldest.
void write_alarms(drivers::JsonWriter& w, const alerts::Clinic& clinic);

}  // namespace chairwatch::board
