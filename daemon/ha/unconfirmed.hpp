// What a standby has decided and not yet seen the active publish: each alarm transition, kept
// until the same alert_id and state come back on <prefix>/<chair>/alerts from the active (or
// until it is older than `keep`). At take-over, what is left is what the active never sent: the
// new active sends it. Pure.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"

namespace chairwatch::daemon::ha {

struct UnconfirmedAlert {
    std::string chair, session_id, alert_id, state;
    std::string json;  // as the active would have published it
    bool escalated{false};
    bool urgent{false};
    alerts::AlarmTransition transition;
    alerts::Millis at{0};  // mono
};

class Unconfirmed {
  public:
    void add(UnconfirmedAlert a) { list_.push_back(std::move(a)); }
    // The first one of this alert and state: the active published it. False if none.
    bool confirm(const std::string& alert_id, const std::string& state);
    // Drops those older than `keep`; returns how many.
    std::size_t expire(alerts::Millis now, alerts::Millis keep);
    std::vector<UnconfirmedAlert> take();
    std::size_t size() const { return list_.size(); }

  private:
    std::deque<UnconfirmedAlert> list_;
};

}  // namespace chairwatch::daemon::ha
