#include "daemon/ha/group.hpp"

#include <spdlog/spdlog.h>

namespace chairwatch::daemon::ha {

namespace {
// Connected this long, the retained leader and status messages have arrived.
constexpr alerts::Millis settle{1000};
// A standby's decision the active has not published within this is dropped (the take-over
// window is at most 15 s).
constexpr alerts::Millis keep_unconfirmed{60'000};
// What the active published this recently is notified again at a take-over: the active may
// have died before its receivers had it (REFERENCE §8's 15 s).
constexpr alerts::Millis keep_confirmed{15'000};
}  // namespace

Group::Group(const config::Config& cfg, std::string run, Hooks hooks)
    : prefix_(cfg.broker.topic_prefix),
      instance_(cfg.group.instance),
      topics_{cfg.broker.topic_prefix + "/_group/" + cfg.group.name},
      me_{cfg.group.instance, std::move(run), 0},
      hooks_(std::move(hooks)),
      leadership_(me_.instance, me_.run, settle) {}

std::string Group::will_payload() const {
    return encode_status(me_, false, "", 0, alerts::Millis{0}, "connection lost");
}

std::vector<std::string> Group::filters() const {
    return {topics_.leader(), topics_.status_filter(), prefix_ + "/+/alerts",
            topics_.actions_filter()};
}

void Group::on_connected(alerts::Instant t) {
    leadership_.on_connected(t.mono);
    connected_at_ = t.mono;
    reconfirm_ = true;
    announce_ = true;
}

std::optional<std::string_view> Group::alert_topic_chair(std::string_view topic) const {
    constexpr std::string_view leaf = "/alerts";
    if (topic.size() <= prefix_.size() + 1 + leaf.size() || !topic.starts_with(prefix_) ||
        topic[prefix_.size()] != '/' || !topic.ends_with(leaf))
        return std::nullopt;
    const auto chair =
        topic.substr(prefix_.size() + 1, topic.size() - prefix_.size() - 1 - leaf.size());
    if (chair.find('/') != std::string_view::npos) return std::nullopt;
    return chair;
}

bool Group::on_message(std::string_view topic, std::string_view payload, alerts::Instant t) {
    if (topic == topics_.leader()) {
        if (const auto c = decode_claim(payload)) leadership_.on_leader(*c);
    } else if (const auto who = status_instance(topics_, topic)) {
        if (const auto s = decode_status(payload)) leadership_.on_status(*who, s->online, s->run);
    } else if (const auto chair = alert_topic_chair(topic)) {
        if (active()) return true;  // our own, back from the broker
        if (const auto k = decode_alert_key(payload)) {
            if (unconfirmed_.confirm(k->alert_id, k->state, k->ts, t.mono)) ++confirmed_;
            if (k->onset) hooks_.adopt_onset(k->alert_id, *k->onset);
            if (k->state == "acknowledged" && !k->acknowledged_by.empty() && hooks_.adopt_ack)
                hooks_.adopt_ack(std::string(*chair), *k);
        }
        return true;
    } else if (const auto board_chair = action_chair(topics_, topic)) {
        // On the active: its own, back from the broker, taken already.
        if (!active() && hooks_.apply_action) hooks_.apply_action(*board_chair, payload);
        return true;
    } else {
        return false;
    }
    step(t);
    return true;
}

void Group::on_tick(alerts::Instant t) {
    if (!active())
        if (const auto n = unconfirmed_.expire(t.mono, keep_confirmed, keep_unconfirmed))
            spdlog::warn(
                "standby: {} alarm transition{} decided here were not published by the active "
                "within {} s (the pair disagrees, or the active is cut off); dropped",
                n, n == 1 ? "" : "s", keep_unconfirmed.count() / 1000);
    step(t);
}

void Group::step(alerts::Instant t) {
    // Settled: the subscriptions made before the group's (readings, sessions, acks) are in
    // place, since the broker answers a connection's subscriptions in order.
    const bool settled = t.mono - connected_at_ >= settle;
    if (announce_ && settled) {
        announce_ = false;
        publish_status(t);
    }
    if (const auto claim = leadership_.decide(t.mono)) {
        spdlog::warn("group: instance '{}' claims leadership (term {}); leader was '{}'", instance_,
                     claim->term, leadership_.leader().instance);
        hooks_.publish(topics_.leader(), encode_claim(*claim, t.wall), true);
    }
    if (active() == was_active_) {
        if (!active() || !reconfirm_ || !settled) return;
        reconfirm_ = false;  // still the leader after a reconnection
        hooks_.on_role(true);
        return;
    }
    reconfirm_ = false;
    was_active_ = active();
    spdlog::warn("group: instance '{}' is now {} (term {})", instance_,
                 was_active_ ? "ACTIVE" : "standby", term());
    publish_status(t);
    hooks_.on_role(was_active_);
}

void Group::publish_status(alerts::Instant t) {
    hooks_.publish(topics_.status(instance_),
                   encode_status(me_, true, active() ? "active" : "standby", term(), t.wall, ""),
                   true);
}

void Group::stop(alerts::Instant t) {
    hooks_.publish(topics_.status(instance_),
                   encode_status(me_, false, "", term(), t.wall, "stopped"), true);
}

}  // namespace chairwatch::daemon::ha
