#include "drivers/recording/start_spec.hpp"

#include <charconv>

namespace chairwatch::drivers {

namespace {

bool number(std::string_view key, std::string_view text, double lo, double hi,
            std::optional<double>& out, std::string& error) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < lo || v > hi) {
        error = std::string(key) + " must be a number from " + std::to_string(int(lo)) + " to " +
                std::to_string(int(hi));
        return false;
    }
    out = v;
    return true;
}

bool part(std::string_view p, alerts::SessionInfo& info, std::string& error) {
    const auto eq = p.find('=');
    const auto key = p.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : p.substr(eq + 1);
    if (key == "age_65_plus" && eq == std::string_view::npos) return info.age_65_plus = true, true;
    if (key == "hypertension" && eq == std::string_view::npos)
        return info.hypertension = true, true;
    if (key == "sedatives" && eq == std::string_view::npos) return info.sedatives = true, true;
    if (key == "age" && eq != std::string_view::npos)
        return number(key, value, 0, 130, info.age, error);
    if (key == "session_number" && eq != std::string_view::npos)
        return number(key, value, 1, 10000, info.session_number, error);
    error = "unknown start flag '" + std::string(p) +
            "' (age_65_plus, hypertension, sedatives, age=N, session_number=N)";
    return false;
}

std::string whole(double v) {
    return std::to_string(static_cast<long long>(v));
}

}  // namespace

std::string format_start_spec(const alerts::SessionInfo& info) {
    std::string spec = info.profile;
    if (info.age_65_plus.value_or(false)) spec += ";age_65_plus";
    if (info.age) spec += ";age=" + whole(*info.age);
    if (info.hypertension.value_or(false)) spec += ";hypertension";
    if (info.session_number) spec += ";session_number=" + whole(*info.session_number);
    if (info.sedatives.value_or(false)) spec += ";sedatives";
    return spec;
}

bool parse_start_spec(std::string_view spec, alerts::SessionInfo& info, std::string& error) {
    auto semi = spec.find(';');
    info.profile = std::string(spec.substr(0, semi));
    while (semi != std::string_view::npos) {
        spec.remove_prefix(semi + 1);
        semi = spec.find(';');
        const auto p = spec.substr(0, semi);
        if (!p.empty() && !part(p, info, error)) return false;
    }
    return true;
}

}  // namespace chairwatch::drivers
