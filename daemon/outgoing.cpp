#include "daemon/outgoing.hpp"

namespace chairwatch::daemon {

void Outgoing::send(std::string topic, std::string payload, int qos, bool retain, Lane lane) {
    if (muted_) return;
    auto& q = lane == Lane::urgent ? urgent_ : normal_;
    q.push_back({std::move(topic), std::move(payload), qos, retain});
    flush();
}

void Outgoing::flush() {
    if (flush(urgent_)) flush(normal_);
}

bool Outgoing::flush(std::deque<Message>& lane) {
    while (!lane.empty()) {
        auto& m = lane.front();
        if (!client_ || !client_->publish(m.topic, m.payload, m.qos, m.retain)) {
            ++counters_.publish_retries;
            warnings_.warn("publish", clock_(),
                           "outgoing message kept for a retry (" + std::to_string(waiting()) +
                               " waiting): " + (client_ ? client_->last_error() : "no client"));
            return false;
        }
        lane.pop_front();
    }
    return true;
}

}  // namespace chairwatch::daemon
