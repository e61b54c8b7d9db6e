// At most one warning per key per interval; counts what it held back.
//
// A key is "<chair>/<reason>", or a name shared by all chairs ("topic", "max-chairs"). The table
// of keys is bounded, since anyone who can publish can invent chairs: once it holds `max_keys`
// keys, a new key shares one overflow entry with every other new key of its reason
// ("*/<reason>"), rate-limited the same way, whose warning says how many it held back from the
// other chairs. Once per interval a full table lets go of the keys whose interval is over;
// what they held back moves to their reason's overflow entry, so no count is lost.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "alerts/types.hpp"

namespace chairwatch::daemon {

class WarnLimiter {
  public:
    struct Verdict {
        bool allowed{false};
        bool overflow{false};       // the key shares its reason's overflow entry
        std::size_t suppressed{0};  // held back under this key since its last warning
        std::size_t others{0};      // held back from other chairs (the overflow entry)
    };

    explicit WarnLimiter(alerts::Millis interval, std::size_t max_keys = 4096)
        : interval_(interval), max_keys_(max_keys) {}

    Verdict check(const std::string& key, alerts::Millis now) {
        Verdict v;
        if (auto it = last_.find(key); it != last_.end()) {
            v.allowed = pass(it->second, now, v.suppressed);
        } else {
            if (last_.size() >= max_keys_ && (!swept_ || now - *swept_ >= interval_)) sweep(now);
            if (last_.size() < max_keys_) {
                last_.emplace(key, Entry{now, 0});
                v.allowed = true;
            } else {
                v.overflow = true;
                v.allowed = pass(bucket(key, now), now, v.others);
                return v;
            }
        }
        // A key's own warning also carries what the overflow of its reason held back, when due.
        if (!v.allowed) return v;
        auto it = overflow_.find(overflow_key(key));
        if (it != overflow_.end() && it->second.suppressed && now - it->second.at >= interval_) {
            v.others = it->second.suppressed;
            it->second = Entry{now, 0};
        }
        return v;
    }

    // True if a warning for `key` may be logged now; `suppressed` is how many were held back.
    bool allow(const std::string& key, alerts::Millis now, std::size_t& suppressed) {
        const auto v = check(key, now);
        suppressed = v.suppressed + v.others;
        return v.allowed;
    }

    // What an allowed warning says about the ones held back: "" or " (N more ...)".
    static std::string note(const Verdict& v) {
        std::string out;
        if (v.suppressed) out += " (" + std::to_string(v.suppressed) + " more like it suppressed)";
        if (v.others)
            out += " (" + std::to_string(v.others) + " more like it from other chairs suppressed)";
        return out;
    }

    void set_interval(alerts::Millis interval) { interval_ = interval; }

  private:
    struct Entry {
        alerts::Millis at;
        std::size_t suppressed;
    };
    static constexpr std::size_t max_overflow = 64;  // reasons are few; beyond them, one "*"

    static std::string overflow_key(std::string_view key) {
        const auto slash = key.rfind('/');
        return "*/" + std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
    }

    // The overflow entry of `key`'s reason; a new one is due at once.
    Entry& bucket(std::string_view key, alerts::Millis now) {
        auto name = overflow_key(key);
        if (overflow_.size() >= max_overflow && !overflow_.count(name)) name = "*";
        return overflow_.try_emplace(std::move(name), Entry{now - interval_, 0}).first->second;
    }

    // True if the interval of `e` is over: restarts it and hands over what it held back.
    bool pass(Entry& e, alerts::Millis now, std::size_t& suppressed) {
        if (now - e.at < interval_) {
            ++e.suppressed;
            return false;
        }
        suppressed = e.suppressed;
        e = Entry{now, 0};
        return true;
    }

    // Lets go of the keys whose interval is over; their counts move to their reason's overflow.
    void sweep(alerts::Millis now) {
        swept_ = now;
        for (auto it = last_.begin(); it != last_.end();) {
            if (now - it->second.at < interval_) {
                ++it;
                continue;
            }
            if (it->second.suppressed) bucket(it->first, now).suppressed += it->second.suppressed;
            it = last_.erase(it);
        }
    }

    alerts::Millis interval_;
    std::size_t max_keys_;
    std::optional<alerts::Millis> swept_;
    std::unordered_map<std::string, Entry> last_;
    std::unordered_map<std::string, Entry> overflow_;
};

}  // namespace chairwatch::daemon
