#include "daemon/ha/leadership.hpp"

namespace chairwatch::daemon::ha {

namespace {
// A claim not seen back on the leader topic (lost with a connection) is made again after this.
constexpr alerts::Millis claim_retry{3000};
}  // namespace

void Leadership::on_connected(alerts::Millis now) {
    connected_ = true;
    connected_at_ = now;
    claimed_.reset();
}

void Leadership::on_leader(const Claim& c) {
    if (c.term > leader_.term) {
        leader_ = c;
        reassert_ = false;
        return;
    }
    const bool same = c.instance == leader_.instance && c.run == leader_.run;
    if (!same && active()) reassert_ = true;  // the retained message is not ours any more
}

void Leadership::on_status(const std::string& instance, bool online, const std::string& run) {
    if (instance == me_.instance) return;  // our own (or a past run's last will)
    status_[instance] = {online, run};
}

bool Leadership::leader_alive() const {
    if (leader_.instance.empty()) return false;
    if (leader_.instance == me_.instance) return leader_.run == me_.run;
    const auto it = status_.find(leader_.instance);
    return it != status_.end() && it->second.first && it->second.second == leader_.run;
}

Claim Leadership::next_claim(alerts::Millis now) {
    Claim c = me_;
    c.term = leader_.term + 1;
    claimed_ = std::pair{c.term, now};
    return c;
}

std::optional<Claim> Leadership::decide(alerts::Millis now) {
    if (!connected_ || now - connected_at_ < settle_) return std::nullopt;
    if (active()) {
        if (!reassert_) return std::nullopt;
        reassert_ = false;
        return next_claim(now);
    }
    if (leader_alive()) return std::nullopt;
    if (claimed_ && claimed_->first > leader_.term && now - claimed_->second < claim_retry)
        return std::nullopt;  // ours is on its way
    return next_claim(now);
}

}  // namespace chairwatch::daemon::ha
