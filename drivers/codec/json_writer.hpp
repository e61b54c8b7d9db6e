// Writes compact JSON into a string without building a tree: for the hot path (alerts, log
// lines) and for numbers a person reads (192, 116.4; never 1.164E2). Parsing is Boost.JSON's.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "alerts/time_format.hpp"

namespace chairwatch::drivers {

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view k) {
        comma();
        quote(k);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& value(std::string_view s) {
        comma();
        quote(s);
        return *this;
    }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b) {
        comma();
        out_ += b ? "true" : "false";
        return *this;
    }
    JsonWriter& value(std::int64_t n) {
        comma();
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, n);
        out_.append(buf, r.ptr);
        return *this;
    }
    JsonWriter& value(std::uint64_t n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    // Rounded to `decimals` places; whole numbers print without a point; NaN/inf as null.
    JsonWriter& number(double v, int decimals = 1) {
        comma();
        if (!std::isfinite(v)) {
            out_ += "null";
            return *this;
        }
        const double scale = std::pow(10.0, decimals);
        const double r = std::round(v * scale) / scale;
        char buf[40];
        auto res =
            (r == std::floor(r) && std::fabs(r) < 1e15)
                ? std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(r))
                : std::to_chars(buf, buf + sizeof buf, r, std::chars_format::fixed, decimals);
        out_.append(buf, res.ptr);
        return *this;
    }
    JsonWriter& null() {
        comma();
        out_ += "null";
        return *this;
    }
    JsonWriter& time(alerts::Millis wall) { return value(alerts::format_iso8601(wall)); }
    // Splices already-encoded JSON (e.g. an alert serialized once) as the next value.
    JsonWriter& raw(std::string_view json) {
        comma();
        out_ += json;
        return *this;
    }

  private:
    JsonWriter& open(char c) {
        comma();
        out_ += c;
        first_ = true;
        return *this;
    }
    JsonWriter& close(char c) {
        out_ += c;
        first_ = false;
        return *this;
    }
    void comma() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_) out_ += ',';
        first_ = false;
    }
    void quote(std::string_view s) {
        out_ += '"';
        for (char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                out_ += '\\';
                out_ += ch;
            } else if (c < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out_ += "\\u00";
                out_ += hex[c >> 4];
                out_ += hex[c & 15];
            } else {
                out_ += ch;
            }
        }
        out_ += '"';
    }

    std::string& out_;
    bool first_{true};
    bool after_key_{false};
};

}  // namespace chairwatch::drivers
