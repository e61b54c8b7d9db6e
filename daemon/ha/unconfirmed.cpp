#include "daemon/ha/unconfirmed.hpp"

#include <algorithm>

namespace chairwatch::daemon::ha {

void Unconfirmed::add(UnconfirmedAlert a) {
    const auto it = std::find_if(ahead_.begin(), ahead_.end(), [&](const Ahead& x) {
        return x.alert_id == a.alert_id && x.state == a.state;
    });
    if (it != ahead_.end()) {
        a.confirmed = true;
        if (it->ts) a.transition.at.wall = *it->ts;
        ahead_.erase(it);
    }
    list_.push_back(std::move(a));
}

bool Unconfirmed::confirm(const std::string& alert_id, const std::string& state,
                          std::optional<alerts::Millis> ts, alerts::Millis now) {
    const auto it = std::find_if(list_.begin(), list_.end(), [&](const UnconfirmedAlert& a) {
        return !a.confirmed && a.alert_id == alert_id && a.state == state;
    });
    if (it == list_.end()) {
        ahead_.push_back({alert_id, state, ts, now});
        return false;
    }
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
    while (!ahead_.empty() && now - ahead_.front().at > keep)
        ahead_.pop_front();
    return unconfirmed;
}

std::vector<UnconfirmedAlert> Unconfirmed::take() {
    std::vector<UnconfirmedAlert> out(std::make_move_iterator(list_.begin()),
                                      std::make_move_iterator(list_.end()));
    list_.clear();
    return out;
}

}  // namespace chairwatch::daemon::ha
