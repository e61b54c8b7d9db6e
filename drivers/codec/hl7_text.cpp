#include "drivers/codec/hl7_text.hpp"

#include <chrono>
#include <cstdio>

namespace chairwatch::drivers::hl7 {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (const char ch : text) {
        switch (ch) {
            case '|':
                out += "\\F\\";
                break;
            case '^':
                out += "\\S\\";
                break;
            case '~':
                out += "\\R\\";
                break;
            case '\\':
                out += "\\E\\";
                break;
            case '&':
                out += "\\T\\";
                break;
            default:
                out += static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F ? ' ' : ch;
        }
    }
    return out;
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string unhex(std::string_view digits) {
    std::string out;
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
        const int hi = hex_digit(digits[i]);
        const int lo = hex_digit(digits[i + 1]);
        if (hi < 0 || lo < 0) break;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

}  // namespace

std::string unescape(std::string_view text, char field_sep, char component_sep, char repetition_sep,
                     char escape_char, char subcomponent_sep) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != escape_char) {
            out += text[i];
            continue;
        }
        const auto end = text.find(escape_char, i + 1);
        if (end == std::string_view::npos) {  // a lone escape character: keep it
            out += text.substr(i);
            break;
        }
        const auto seq = text.substr(i + 1, end - i - 1);
        if (seq == "F")
            out += field_sep;
        else if (seq == "S")
            out += component_sep;
        else if (seq == "R")
            out += repetition_sep;
        else if (seq == "E")
            out += escape_char;
        else if (seq == "T")
            out += subcomponent_sep;
        else if (!seq.empty() && seq[0] == 'X')
            out += unhex(seq.substr(1));
        i = end;
    }
    return out;
}

std::string format_ts(alerts::Millis wall) {
    using namespace std::chrono;
    const sys_time<milliseconds> tp{wall};
    const auto day_point = floor<days>(tp);
    const year_month_day ymd{day_point};
    const hh_mm_ss hms{tp - day_point};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02lld.%03lld+0000",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    return buf;
}

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

MdcCode mdc_metric(alerts::Signal s) {
    switch (s) {
        case alerts::Signal::hr:
            return {"147842", "MDC_ECG_HEART_RATE"};
        case alerts::Signal::sbp:
            return {"150021", "MDC_PRESS_BLD_NONINV_SYS"};
        case alerts::Signal::dbp:
            return {"150022", "MDC_PRESS_BLD_NONINV_DIA"};
        case alerts::Signal::map:
            return {"150023", "MDC_PRESS_BLD_NONINV_MEAN"};
        case alerts::Signal::spo2:
            return {"150456", "MDC_PULS_OXIM_SAT_O2"};
        case alerts::Signal::rr:
            return {"151562", "MDC_RESP_RATE"};
        case alerts::Signal::etco2:
            return {"", ""};  // REFERENCE section 4 gives no code: not sent (docs/records.md)
    }
    return {"", ""};
}

MdcCode mdc_unit(alerts::Signal s) {
    switch (s) {
        case alerts::Signal::hr:
            return {"264864", "MDC_DIM_BEAT_PER_MIN"};
        case alerts::Signal::spo2:
            return {"262688", "MDC_DIM_PERCENT"};
        case alerts::Signal::rr:  // not in REFERENCE section 4: verify against the registry
            return {"264928", "MDC_DIM_RESP_PER_MIN"};
        default:
            return {"266016", "MDC_DIM_MMHG"};
    }
}

std::string_view ucum_unit(alerts::Signal s) {
    switch (s) {
        case alerts::Signal::hr:
        case alerts::Signal::rr:
            return "/min";
        case alerts::Signal::spo2:
            return "%";
        default:
            return "mm[Hg]";
    }
}

std::string coded(MdcCode c) {
    return std::string(c.code) + "^" + std::string(c.name) + "^MDC";
}

namespace {

bool digits(std::string_view s) {
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int number(std::string_view s) {
    int v = 0;
    for (const char c : s)
        v = v * 10 + (c - '0');
    return v;
}

}  // namespace

std::optional<alerts::Millis> parse_ts(std::string_view ts) {
    using namespace std::chrono;
    // The zone offset, if any.
    int offset_min = 0;
    const auto sign = ts.find_first_of("+-");
    if (sign != std::string_view::npos) {
        const auto zone = ts.substr(sign + 1);
        if (zone.size() != 4 || !digits(zone)) return std::nullopt;
        offset_min = number(zone.substr(0, 2)) * 60 + number(zone.substr(2, 2));
        if (ts[sign] == '-') offset_min = -offset_min;
        ts = ts.substr(0, sign);
    }
    // The fraction of a second, if any.
    int millis = 0;
    if (const auto dot = ts.find('.'); dot != std::string_view::npos) {
        auto frac = ts.substr(dot + 1);
        if (frac.empty() || !digits(frac) || dot != 14) return std::nullopt;
        std::string ms(frac.substr(0, 3));
        ms.resize(3, '0');
        millis = number(ms);
        ts = ts.substr(0, dot);
    }
    if (ts.size() < 4 || ts.size() > 14 || ts.size() % 2 != 0 || !digits(ts)) return std::nullopt;
    auto part = [&](std::size_t at, int fallback) {
        return ts.size() > at ? number(ts.substr(at, 2)) : fallback;
    };
    const year_month_day ymd{year{number(ts.substr(0, 4))}, month{unsigned(part(4, 1))},
                             day{unsigned(part(6, 1))}};
    const int h = part(8, 0), m = part(10, 0), s = part(12, 0);
    if (!ymd.ok() || h > 23 || m > 59 || s > 60) return std::nullopt;
    const auto tp = sys_days{ymd} + hours{h} + minutes{m} + seconds{s} + milliseconds{millis} -
                    minutes{offset_min};
    return duration_cast<milliseconds>(tp.time_since_epoch());
}

std::optional<Message> Message::parse(std::string_view text, std::string& error) {
    // MLLP and files may end segments with CR, LF or CRLF.
    auto owned = std::make_shared<std::string>(text);
    for (auto& c : *owned)
        if (c == '\n') c = '\r';
    if (owned->size() < 8 || owned->compare(0, 3, "MSH") != 0) {
        error = "no MSH segment at the start";
        return std::nullopt;
    }
    Message m;
    m.field_sep_ = (*owned)[3];
    const std::string_view enc = std::string_view(*owned).substr(4, 4);
    if (enc.size() < 4 || enc.find(m.field_sep_) != std::string_view::npos) {
        error = "MSH-2 encoding characters missing";
        return std::nullopt;
    }
    m.component_sep_ = enc[0];
    m.repetition_sep_ = enc[1];
    m.escape_ = enc[2];
    m.subcomponent_sep_ = enc[3];
    m.text_ = owned;
    std::string_view rest = *owned;
    while (!rest.empty()) {
        const auto cr = rest.find('\r');
        const auto line = rest.substr(0, cr);
        rest = cr == std::string_view::npos ? std::string_view{} : rest.substr(cr + 1);
        if (line.empty()) continue;
        Segment seg;
        std::size_t start = 0;
        while (true) {
            const auto bar = line.find(m.field_sep_, start);
            seg.fields.push_back(line.substr(start, bar - start));
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
        seg.id = seg.fields[0];
        if (seg.id == "MSH") {
            // MSH-1 is the separator itself: shift so that field(n) is MSH-n.
            seg.fields.insert(seg.fields.begin() + 1, line.substr(3, 1));
        }
        m.segments_.push_back(std::move(seg));
    }
    return m;
}

const Message::Segment* Message::find(std::string_view id) const {
    for (const auto& s : segments_)
        if (s.id == id) return &s;
    return nullptr;
}

std::vector<const Message::Segment*> Message::all(std::string_view id) const {
    std::vector<const Segment*> out;
    for (const auto& s : segments_)
        if (s.id == id) out.push_back(&s);
    return out;
}

std::string_view Message::field(const Segment& s, std::size_t n) const {
    if (n >= s.fields.size()) return {};
    auto f = s.fields[n];
    if (s.id == "MSH" && n <= 2) return f;
    return f.substr(0, f.find(repetition_sep_));
}

namespace {

std::string_view nth(std::string_view text, char sep, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        const auto at = text.find(sep);
        if (at == std::string_view::npos) return {};
        text = text.substr(at + 1);
    }
    return text.substr(0, text.find(sep));
}

}  // namespace

std::string Message::get(const Segment& s, std::size_t n, std::size_t c, std::size_t sub) const {
    const auto f = field(s, n);
    if (s.id == "MSH" && n <= 2) return std::string(f);
    const auto comp = nth(nth(f, component_sep_, c), subcomponent_sep_, sub);
    return unescape(comp, field_sep_, component_sep_, repetition_sep_, escape_, subcomponent_sep_);
}

std::string Message::get(std::string_view segment, std::size_t n, std::size_t c,
                         std::size_t sub) const {
    const auto* s = find(segment);
    return s ? get(*s, n, c, sub) : std::string{};
}

}  // namespace chairwatch::drivers::hl7
