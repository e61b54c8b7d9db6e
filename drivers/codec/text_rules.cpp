#include "drivers/codec/text_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace chairwatch::drivers {

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` and its code point, or 0
// (overlong forms, surrogates, beyond U+10FFFF and cut sequences are not well-formed).
std::size_t decode_utf8(std::string_view s, char32_t& cp) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned lead = b(0);
    if (lead < 0x80) {
        cp = lead;
        return 1;
    }
    std::size_t n = 0;
    char32_t min = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2, cp = lead & 0x1FU, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3, cp = lead & 0x0FU, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4, cp = lead & 0x07U, min = 0x10000;
    } else {
        return 0;
    }
    if (s.size() < n) return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((b(i) & 0xC0U) != 0x80U) return 0;
        cp = (cp << 6) | (b(i) & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

bool is_control(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

// Unicode 15.0, general category Cf (format): invisible, and some reorder what follows them.
constexpr std::array<std::pair<char32_t, char32_t>, 21> format_ranges{{
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
}};

bool is_format(char32_t c) {
    return std::any_of(format_ranges.begin(), format_ranges.end(),
                       [c](const auto& r) { return c >= r.first && c <= r.second; });
}

void append_escaped(std::string& out, std::string_view bytes) {
    constexpr char hex[] = "0123456789abcdef";
    for (unsigned char c : bytes) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
}

}  // namespace

std::optional<std::string_view> text_fault(std::string_view s) {
    std::optional<std::string_view> fault;
    for (std::size_t i = 0; i < s.size();) {
        char32_t c = 0;
        const auto n = decode_utf8(s.substr(i), c);
        if (n == 0) return "must be valid UTF-8";
        if (is_control(c)) return "must not contain control characters";
        if (is_format(c))
            fault =
                "must not contain invisible formatting characters (such as bidirectional "
                "overrides)";
        i += n;
    }
    return fault;
}

std::string printable(std::string_view s, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(s.size(), max_bytes) + 3);
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t c = 0;
        const auto n = decode_utf8(s.substr(i), c);
        const auto take = n == 0 ? 1 : n;
        if (i + take > max_bytes) break;
        if (n == 0 || is_control(c) || is_format(c))
            append_escaped(out, s.substr(i, take));
        else
            out.append(s, i, take);
        i += take;
    }
    if (i < s.size()) out += "...";
    return out;
}

}  // namespace chairwatch::drivers
