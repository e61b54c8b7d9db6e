#include "report/report_format.hpp"

#include "report/report.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace chairwatch::report {

namespace {

struct Civil {
    int year;
    unsigned month, day, hour, minute, second;
};

Civil civil(Millis wall) {
    using namespace std::chrono;
    const sys_time<milliseconds> tp{wall};
    const auto day_point = floor<days>(tp);
    const year_month_day ymd{day_point};
    const hh_mm_ss hms{floor<seconds>(tp - day_point)};
    return {static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<unsigned>(hms.hours().count()),
            static_cast<unsigned>(hms.minutes().count()),
            static_cast<unsigned>(hms.seconds().count())};
}

}  // namespace

std::string fmt_number(double v, int decimals) {
    if (!std::isfinite(v)) return "–";
    const double scale = std::pow(10.0, decimals);
    double r = std::round(v * scale) / scale;
    if (r == 0) r = 0;  // no "-0"
    char buf[48];
    auto res = std::to_chars(buf, buf + sizeof buf, r, std::chars_format::fixed, decimals);
    std::string s(buf, res.ptr);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}

std::string fmt_exact(double v) {
    char buf[48];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string fmt_clock(Millis wall, Millis utc_offset) {
    const auto c = civil(wall + utc_offset);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u:%02u", c.hour, c.minute);
    return buf;
}

std::string fmt_clock_s(Millis wall, Millis utc_offset) {
    const auto c = civil(wall + utc_offset);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", c.hour, c.minute, c.second);
    return buf;
}

std::string fmt_date_time(Millis wall, Millis utc_offset) {
    const auto c = civil(wall + utc_offset);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u", c.year, c.month, c.day, c.hour,
                  c.minute);
    return buf;
}

std::string fmt_zone(Millis utc_offset) {
    const auto minutes = utc_offset.count() / 60000;
    if (minutes == 0) return "UTC";
    const auto a = std::llabs(minutes) % (24 * 60);
    char buf[48];
    std::snprintf(buf, sizeof buf, "UTC%c%02lld:%02lld", minutes < 0 ? '-' : '+', a / 60, a % 60);
    return buf;
}

std::string fmt_duration(Millis d) {
    const auto s = (d.count() + 500) / 1000;
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(s));
    else if (s < 3600 && s % 60 != 0)
        std::snprintf(buf, sizeof buf, "%lld min %lld s", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(s / 60));
    else
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>((s + 30) / 3600),
                      static_cast<long long>((s + 30) / 60 % 60));
    return buf;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string_view short_name(alerts::Signal s) {
    constexpr std::array<std::string_view, alerts::signal_count> names{"HR",   "SBP", "DBP",  "MAP",
                                                                       "SpO2", "RR",  "EtCO2"};
    return names[alerts::index_of(s)];
}

std::string_view phase_label(alerts::Phase p) {
    constexpr std::string_view names[] = {"Monitoring", "Baseline", "Dosing", "Observation"};
    return names[static_cast<std::size_t>(p)];
}

std::string_view priority_label(alerts::Priority p, alerts::AlarmKind k) {
    if (k == alerts::AlarmKind::advisory) return "Advisory";
    constexpr std::string_view names[] = {"Low", "Medium", "High"};
    return names[static_cast<std::size_t>(p)];
}

std::string cause_label(std::string_view cause) {
    if (cause.empty()) return "still active when the log ends";
    if (cause == "phase_changed") return "closed at phase change";
    if (cause == "acknowledged_after_latch") return "back in range, latched until acknowledged";
    if (cause == "acknowledged") return "acknowledged";
    std::string out(cause);
    for (auto& c : out)
        if (c == '_') c = ' ';
    return out;
}

std::string end_reason_label(std::string_view reason) {
    if (reason == "end") return "ended by staff";
    if (reason == "idle") return "no readings for the idle time (ended automatically)";
    if (reason == "shutdown") return "chairwatchd shut down";
    if (reason == "superseded") return "a new session started on this chair";
    return std::string(reason);
}

// The host's offset from UTC at `at` (its time zone's rules), for the times a report shows.
Millis local_utc_offset(Millis at) {
    const auto t = static_cast<std::time_t>(at.count() / 1000);
    std::tm local{};
    if (!localtime_r(&t, &local)) return Millis(0);
    return Millis(static_cast<std::int64_t>(local.tm_gmtoff) * 1000);
}

}  // namespace chairwatch::report
