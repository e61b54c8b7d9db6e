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

// Digits written by hand: this runs for every line of every session log.
std::string format_iso8601(Millis wall) {
    const Civil c = to_civil(wall);
    if (c.year < 0 || c.year > 9999) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month,
                      c.day, c.hour, c.minute, c.second, c.milli);
        return buf;
    }
    std::string out(24, '0');
    auto put = [&](std::size_t at, unsigned v, int digits) {
        for (int i = digits - 1; i >= 0; --i, v /= 10)
            out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
    };
    put(0, static_cast<unsigned>(c.year), 4);
    out[4] = '-';
    put(5, c.month, 2);
    out[7] = '-';
    put(8, c.day, 2);
    out[10] = 'T';
    put(11, c.hour, 2);
    out[13] = ':';
    put(14, c.minute, 2);
    out[16] = ':';
    put(17, c.second, 2);
    out[19] = '.';
    put(20, c.milli, 3);
    out[23] = 'Z';
    return out;
}

std::string format_compact(Millis wall) {
    const Civil c = to_civil(wall);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
    return buf;
}

}  // namespace chairwatch::alerts
