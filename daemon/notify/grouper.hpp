// Grouping (docs/notifications.md, "Grouping"): the transitions of one chair for one receiver
// within the group window go out as one notification, so that one BP measurement raising
// sbp_high, dbp_high and bp_rise pages once. A group is due when its window, counted from its
// first transition, is over; a group holding a HIGH transition is due at once at the end of the
// call that brought it (the daemon calls take_due with end_of_call), so a HIGH never waits for
// the window. Receivers that take one transition per message (ACM) are not grouped. Pure: time
// is an argument.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"

namespace chairwatch::daemon::notify {

// One transition with what the notifier knows of it.
struct Item {
    std::string chair;
    std::string session_id;
    std::string patient_ref;
    alerts::AlarmTransition transition;
    std::string alert_id;
    std::string text;
    std::string site{};  // the instance's site; empty: none
};

struct Group {
    std::string receiver;
    std::string fallback;
    std::string chair;
    std::string session_id;
    std::string site{};
    std::string patient_ref;
    std::vector<alerts::AlarmTransition> transitions;  // in order
    std::vector<std::string> alert_ids;                // of each transition
    std::vector<std::string> texts;                    // of each transition
    bool urgent{false};                                // holds a HIGH transition
    alerts::Millis due{0};                             // mono
};

class Grouper {
  public:
    explicit Grouper(alerts::Millis window) : window_(window) {}
    void set_window(alerts::Millis window) { window_ = window; }

    // One transition for one receiver. `grouped` false: it is a group of its own, due now.
    void add(const std::string& receiver, const std::string& fallback, const Item& item,
             alerts::Millis now, bool grouped);
    // The groups due at `now`, in the order they were opened; `end_of_call` adds the urgent ones.
    std::vector<Group> take_due(alerts::Millis now, bool end_of_call);
    // Everything, due or not (stopping).
    std::vector<Group> take_all();
    // The earliest due time of a waiting group; nullopt when none waits.
    std::optional<alerts::Millis> next_due() const;
    std::size_t waiting() const { return open_.size(); }

  private:
    alerts::Millis window_;
    std::vector<Group> open_;  // few at a time: a linear search is the fastest
};

}  // namespace chairwatch::daemon::notify
