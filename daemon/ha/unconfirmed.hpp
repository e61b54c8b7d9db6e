// What a standby has decided lately: each alarm transition, matched with the same alert_id and
// state when they come back from the active on <prefix>/<chair>/alerts (confirmed: it then
// takes the active's time, which keys the active's notification). At take-over, the new active
// publishes the unconfirmed ones (the active never did) and notifies all of them again: the
// confirmed ones under the active's idempotency keys, since the active may have died before its
// receivers had them. Pure.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"

namespace chairwatch::daemon::ha {

struct UnconfirmedAlert {
    std::string chair, session_id, alert_id, state;
    std::string json;  // as the active would have published it
    bool escalated{false};
    bool urgent{false};
    bool confirmed{false};
    alerts::AlarmTransition transition;
    alerts::Millis at{0};  // mono
};

class Unconfirmed {
  public:
    // Confirmed at once if the active published it first (its clock ran ahead: an escalation).
    void add(UnconfirmedAlert a);
    // The first unconfirmed one of this alert and state: the active published it at `ts`
    // (wall). False if none: then kept until this standby decides it too, as of `now` (mono).
    bool confirm(const std::string& alert_id, const std::string& state,
                 std::optional<alerts::Millis> ts, alerts::Millis now);
    // Drops the confirmed ones older than `keep_confirmed` and all older than `keep`; returns
    // how many unconfirmed ones went.
    std::size_t expire(alerts::Millis now, alerts::Millis keep_confirmed, alerts::Millis keep);
    std::vector<UnconfirmedAlert> take();
    std::size_t size() const { return list_.size(); }

  private:
    struct Ahead {
        std::string alert_id, state;
        std::optional<alerts::Millis> ts;
        alerts::Millis at;
    };
    std::deque<UnconfirmedAlert> list_;
    std::deque<Ahead> ahead_;  // published by the active before this standby decided them
};

}  // namespace chairwatch::daemon::ha
