// Typed access to the fields of one session-log line, for LogReader. A missing or mistyped
// required field is remembered as the line's problem (the first one wins) and a neutral value
// returned, so a decoder can ask for every field and then check `problem()` once.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::drivers {

class LogFields {
  public:
    explicit LogFields(const boost::json::object& o) : o_(o) {}

    std::string text(std::string_view key);
    std::string opt_text(std::string_view key) const;
    // null (what the writer puts for a number that is not finite) is no number.
    double number(std::string_view key);
    std::optional<double> opt_number(std::string_view key);
    std::optional<std::int64_t> opt_integer(std::string_view key);
    alerts::Millis time(std::string_view key);
    std::optional<alerts::Millis> opt_time(std::string_view key);
    bool flag(std::string_view key, bool fallback);
    std::optional<bool> opt_flag(std::string_view key);
    const boost::json::object* object(std::string_view key) const;

    void fail(std::string what) {
        if (problem_.empty()) problem_ = std::move(what);
    }
    const std::string& problem() const { return problem_; }
    bool ok() const { return problem_.empty(); }

  private:
    const boost::json::object& o_;
    std::string problem_;
};

}  // namespace chairwatch::drivers
