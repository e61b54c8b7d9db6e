// The service log's warnings about outside input: at most one per key per interval (see
// warn_limiter.hpp), with anything that came from outside escaped.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "daemon/warn_limiter.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::daemon {

class Warnings {
  public:
    explicit Warnings(alerts::Millis interval) : limiter_(interval) {}

    void warn(const std::string& key, alerts::Instant t, const std::string& text) {
        const auto verdict = limiter_.check(key, t.mono);
        if (!verdict.allowed) return;
        spdlog::warn("{}{}", drivers::printable(text, 1024), WarnLimiter::note(verdict));
    }
    void set_interval(alerts::Millis interval) { limiter_.set_interval(interval); }

  private:
    WarnLimiter limiter_;
};

}  // namespace chairwatch::daemon
