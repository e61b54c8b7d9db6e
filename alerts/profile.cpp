#include "alerts/profile.hpp"

namespace chairwatch::alerts {

Signal FeedRule::primary_signal() const {
    for (auto s : all_signals)
        if (fed_by(s)) return s;
    return Signal::hr;
}

}  // namespace chairwatch::alerts
