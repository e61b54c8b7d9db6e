#include "daemon/ha/unconfirmed.hpp"

#include <algorithm>

namespace chairwatch::daemon::ha {

bool Unconfirmed::confirm(const std::string& alert_id, const std::string& state,
                          std::optional<alerts::Millis> ts) {
    const auto it = std::find_if(list_.begin(), list_.end(), [&](const UnconfirmedAlert& a) {
        return !a.confirmed && a.alert_id == alert_id && a.state == state;
    });
    if (it == list_.end()) return false;
    it->confirmed = true;
    if (ts) it->transition.at.wall = *ts;
    return true;
}

std::size_t Unconfirmed::expire(alerts::Millis now, alerts::Millis keep_confirmed,
                                alerts::Millis keep) {
    std::size_t unconfirmed = 0;
    const auto end = std::remove_if(list_.begin(), list_.end(), [&](const UnconfirmedAlert& a) {
        const auto age = now - a.at;
        if (age > keep && !a.confirmed) ++unconfirmed;
        return age > keep || (a.confirmed && age > keep_confirmed);
    });
    list_.erase(end, list_.end());
    return unconfirmed;
}

std::vector<UnconfirmedAlert> Unconfirmed::take() {
    std::vector<UnconfirmedAlert> out(std::make_move_iterator(list_.begin()),
                                      std::make_move_iterator(list_.end()));
    list_.clear();
    return out;
}

}  // namespace chairwatch::daemon::ha
