#include "alerts/checkpoints.hpp"

#include <algorithm>

namespace chairwatch::alerts {

std::vector<std::size_t> CheckpointWatch::on_cuff(const std::vector<Checkpoint>& list, Millis t) {
    std::vector<std::size_t> ended;
    if (!dose_) return ended;
    for (std::size_t i = 0; i < std::min(list.size(), state_.size()); ++i) {
        const Millis at = *dose_ + list[i].at;
        if (state_[i] == State::pending && t >= at - list[i].tolerance &&
            t <= at + list[i].tolerance)
            state_[i] = State::taken;
        if (state_[i] == State::noted) {
            state_[i] = State::ended;
            ended.push_back(i);
        }
    }
    return ended;
}

std::vector<std::size_t> CheckpointWatch::missed(const std::vector<Checkpoint>& list, Millis now) {
    std::vector<std::size_t> due;
    if (!dose_) return due;
    for (std::size_t i = 0; i < std::min(list.size(), state_.size()); ++i)
        if (state_[i] == State::pending && now > *dose_ + list[i].at + list[i].tolerance) {
            state_[i] = State::noted;
            due.push_back(i);
        }
    return due;
}

Millis CheckpointWatch::next_due(const std::vector<Checkpoint>& list) const {
    Millis next = Millis::max();
    if (!dose_) return next;
    for (std::size_t i = 0; i < std::min(list.size(), state_.size()); ++i)
        if (state_[i] == State::pending)
            next = std::min(next, *dose_ + list[i].at + list[i].tolerance + Millis(1));
    return next;
}

}  // namespace chairwatch::alerts
