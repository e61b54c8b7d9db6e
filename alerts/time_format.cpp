#include "alerts/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace chairwatch::alerts {

namespace {

struct Civil {
    int year;
    unsigned month, day, hour, minute, second, milli;
};

Civil to_civil(Millis wall) {
    using namespace std::chrono;
    const sys_time<milliseconds> tp{wall};
    const auto day_point = floor<days>(tp);
    const year_month_day ymd{day_point};
    const hh_mm_ss hms{tp - day_point};
    return Civil{static_cast<int>(ymd.year()),
                 static_cast<unsigned>(ymd.month()),
                 static_cast<unsigned>(ymd.day()),
                 static_cast<unsigned>(hms.hours().count()),
                 static_cast<unsigned>(hms.minutes().count()),
                 static_cast<unsigned>(hms.seconds().count()),
                 static_cast<unsigned>(hms.subseconds().count())};
}

}  // namespace

std::string format_iso8601(Millis wall) {
    const Civil c = to_civil(wall);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.milli);
    return buf;
}

std::string format_compact(Millis wall) {
    const Civil c = to_civil(wall);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
    return buf;
}

}  // namespace chairwatch::alerts
