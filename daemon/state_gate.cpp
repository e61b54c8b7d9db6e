#include "daemon/state_gate.hpp"

namespace chairwatch::daemon {

void StateGate::deliver(std::string_view topic, std::string_view payload) {
    if (closed_) return;
    std::unique_lock state(state_, std::try_to_lock);
    if (!state) {
        bool was_empty = false;
        {
            std::lock_guard lock(inbox_mutex_);
            was_empty = inbox_.empty();
            inbox_.push_back({std::string(topic), std::string(payload)});
        }
        if (was_empty) post([] {});  // post() drains the inbox first
        return;
    }
    drain();
    handle(topic, payload);
}

void StateGate::drain() {
    {
        std::lock_guard lock(inbox_mutex_);
        if (inbox_.empty()) return;
        draining_.swap(inbox_);
    }
    for (const auto& m : draining_)
        handle(m.topic, m.payload);
    draining_.clear();
}

void StateGate::handle(std::string_view topic, std::string_view payload) {
    auto f = [&] { handler_(topic, payload); };
    guarded("a message", f);
}

}  // namespace chairwatch::daemon
