// At most one warning per key (chair and reason) per interval; counts what it held back.
#pragma once

#include <string>
#include <unordered_map>

#include "alerts/types.hpp"

namespace chairwatch::daemon {

class WarnLimiter {
  public:
    explicit WarnLimiter(alerts::Millis interval, std::size_t max_keys = 4096)
        : interval_(interval), max_keys_(max_keys) {}

    // True if a warning for `key` may be logged now; `suppressed` is how many were held back.
    bool allow(const std::string& key, alerts::Millis now, std::size_t& suppressed) {
        auto it = last_.find(key);
        if (it == last_.end()) {
            if (last_.size() >= max_keys_) last_.clear();
            last_.emplace(key, Entry{now, 0});
            suppressed = 0;
            return true;
        }
        if (now - it->second.at < interval_) {
            ++it->second.suppressed;
            return false;
        }
        suppressed = it->second.suppressed;
        it->second = Entry{now, 0};
        return true;
    }
    void set_interval(alerts::Millis interval) { interval_ = interval; }

  private:
    struct Entry {
        alerts::Millis at;
        std::size_t suppressed;
    };
    alerts::Millis interval_;
    std::size_t max_keys_;
    std::unordered_map<std::string, Entry> last_;
};

}  // namespace chairwatch::daemon
