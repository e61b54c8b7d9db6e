// Which receivers an alarm transition goes to (docs/notifications.md, "Routes"). Pure: the
// configuration and one transition in, the receivers out.
//
// Routes are tried in order; the first that matches decides, unless it says `continue`, when
// the next matching ones add theirs. No route matched: the default route. An `escalated`
// transition goes to the route's receivers and its `escalate_to` receivers; so do the
// transitions that end an escalated alarm (acknowledged, cleared), so that every pager that
// rang can retract.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/alarm.hpp"
#include "config/config.hpp"

namespace chairwatch::daemon::notify {

struct Target {
    std::string receiver;
    std::string fallback;  // the matching route's; empty: none
    std::string route;     // its name, for the log
};

class Router {
  public:
    explicit Router(const config::NotifyConfig& cfg) : cfg_(cfg) {}

    // Each receiver once, in route order.
    std::vector<Target> route(std::string_view chair, const alerts::AlarmTransition& t) const;
    bool matches(const config::Route& r, std::string_view chair,
                 const alerts::AlarmTransition& t) const;

  private:
    bool in_groups(const std::vector<std::string>& groups, std::string_view chair) const;
    static void add(const config::Route& r, const alerts::AlarmTransition& t,
                    std::vector<Target>& out);

    const config::NotifyConfig& cfg_;
};

// The idempotency key of a notification: "<alert_id>/<state>/<ts ms>" of its first transition,
// "+<n-1>" when it carries n > 1 of them. Stable across retries and restarts.
std::string notification_key(std::string_view alert_id, const alerts::AlarmTransition& first,
                             std::size_t count);

}  // namespace chairwatch::daemon::notify
