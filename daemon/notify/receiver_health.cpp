#include "daemon/notify/receiver_health.hpp"

#include <algorithm>

namespace chairwatch::daemon::notify {

alerts::Millis retry_delay(int attempt, alerts::Millis first, alerts::Millis max) {
    auto d = first;
    for (int i = 1; i < attempt && d < max; ++i)
        d *= 2;
    return std::min(d, max);
}

bool ReceiverHealth::on_result(const std::string& receiver, bool delivered, alerts::Millis now) {
    const auto it = state_.find(receiver);
    if (delivered) {
        if (it == state_.end()) return false;
        const bool was_failed = it->second.failed;
        state_.erase(it);
        return was_failed;
    }
    if (it == state_.end()) state_.emplace(receiver, Failing{now, false});
    return false;
}

std::vector<std::string> ReceiverHealth::newly_failed(alerts::Millis now) {
    std::vector<std::string> out;
    for (auto& [name, f] : state_)
        if (!f.failed && now - f.since >= fail_after_) {
            f.failed = true;
            out.push_back(name);
        }
    return out;
}

bool ReceiverHealth::failed(const std::string& receiver) const {
    const auto it = state_.find(receiver);
    return it != state_.end() && it->second.failed;
}

std::vector<std::string> ReceiverHealth::failed_receivers() const {
    std::vector<std::string> out;
    for (const auto& [name, f] : state_)
        if (f.failed) out.push_back(name);
    return out;
}

std::optional<alerts::Millis> ReceiverHealth::next_due() const {
    std::optional<alerts::Millis> due;
    for (const auto& [name, f] : state_)
        if (!f.failed && (!due || f.since + fail_after_ < *due)) due = f.since + fail_after_;
    return due;
}

}  // namespace chairwatch::daemon::notify
