#include "drivers/notify/notification.hpp"

namespace chairwatch::drivers::notify {

std::string alert_id_of(const Notification& n, const alerts::AlarmTransition& t) {
    return (n.site.empty() ? "" : n.site + ":") + n.chair + ":" + n.session_id + ":a" +
           std::to_string(t.alarm_no);
}

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::delivered:
            return "delivered";
        case Outcome::failed:
            return "failed";
        case Outcome::rejected:
            return "rejected";
    }
    return "failed";
}

}  // namespace chairwatch::drivers::notify
