#include "daemon/ha/unconfirmed.hpp"

#include <algorithm>

namespace chairwatch::daemon::ha {

bool Unconfirmed::confirm(const std::string& alert_id, const std::string& state) {
    const auto it = std::find_if(list_.begin(), list_.end(), [&](const UnconfirmedAlert& a) {
        return a.alert_id == alert_id && a.state == state;
    });
    if (it == list_.end()) return false;
    list_.erase(it);
    return true;
}

std::size_t Unconfirmed::expire(alerts::Millis now, alerts::Millis keep) {
    std::size_t n = 0;
    while (!list_.empty() && now - list_.front().at > keep) {
        list_.pop_front();
        ++n;
    }
    return n;
}

std::vector<UnconfirmedAlert> Unconfirmed::take() {
    std::vector<UnconfirmedAlert> out(std::make_move_iterator(list_.begin()),
                                      std::make_move_iterator(list_.end()));
    list_.clear();
    return out;
}

}  // namespace chairwatch::daemon::ha
