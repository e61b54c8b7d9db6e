#include "daemon/notify/grouper.hpp"

#include <algorithm>

namespace chairwatch::daemon::notify {

void Grouper::add(const std::string& receiver, const std::string& fallback, const Item& item,
                  alerts::Millis now, bool grouped) {
    const auto& chair = item.chair;
    const auto& session_id = item.session_id;
    const bool window = grouped && window_.count() > 0;
    Group* group = nullptr;
    for (auto& g : open_) {
        if (g.receiver != receiver || g.chair != chair) continue;
        if (window && g.session_id == session_id)
            group = &g;
        else
            g.due = std::min(g.due, now);  // a new session's alarm does not join the old one's
    }
    if (!group) {
        Group g;
        g.receiver = receiver;
        g.fallback = fallback;
        g.chair = chair;
        g.session_id = session_id;
        g.site = item.site;
        g.patient_ref = item.patient_ref;
        g.due = window ? now + window_ : now;
        open_.push_back(std::move(g));
        group = &open_.back();
    }
    auto copy = item.transition;
    copy.text_hint = {};  // it points into the clinic's state; the text is kept beside it
    group->transitions.push_back(std::move(copy));
    group->alert_ids.push_back(item.alert_id);
    group->texts.push_back(item.text);
    if (item.transition.priority == alerts::Priority::high) group->urgent = true;
}

std::vector<Group> Grouper::take_due(alerts::Millis now, bool end_of_call) {
    std::vector<Group> out, rest;
    for (auto& g : open_)
        (g.due <= now || (end_of_call && g.urgent) ? out : rest).push_back(std::move(g));
    open_ = std::move(rest);
    return out;
}

std::vector<Group> Grouper::take_all() {
    auto out = std::move(open_);
    open_.clear();
    return out;
}

std::optional<alerts::Millis> Grouper::next_due() const {
    std::optional<alerts::Millis> due;
    for (const auto& g : open_)
        if (!due || g.due < *due) due = g.due;
    return due;
}

}  // namespace chairwatch::daemon::notify
