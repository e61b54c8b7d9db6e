// HL7 v2 text, the pieces both HL7 outputs share (the alarm path's IHE PCD ACM messages in
// drivers/notify, the report's IHE PCD DEC observations in report/): escaping, a read-only view
// of a message's segments and fields, TS (date/time) and NM values, and the IEEE 11073 (MDC)
// codes and UCUM units of the vital signs (REFERENCE §4). Pure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::drivers::hl7 {

// Escapes the delimiters of `|^~\&` (\F\ \S\ \R\ \E\ \T\) and turns control characters (CR, LF,
// the MLLP framing bytes) into spaces: the result is safe in any field or component.
std::string escape(std::string_view text);
// The reverse for \F\ \S\ \R\ \E\ \T\ and \X..\ (hex); other escape sequences are dropped.
std::string unescape(std::string_view text, char field_sep = '|', char component_sep = '^',
                     char repetition_sep = '~', char escape_char = '\\',
                     char subcomponent_sep = '&');

// "20261124184100.500+0000" (UTC, milliseconds).
std::string format_ts(alerts::Millis wall);
// YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ] to epoch milliseconds; nullopt if malformed.
std::optional<alerts::Millis> parse_ts(std::string_view ts);

// NM: at most three decimals, no trailing zeros ("120", "36.5").
std::string format_number(double v);

// An IEEE 11073-10101 code (REFERENCE §4: verify against the official registry).
struct MdcCode {
    std::string_view code, name;
};
// The signal's metric: 147842 heart rate, 150021/150022/150023 NIBP sys/dia/mean, 150456 SpO2,
// 151562 respiration rate; none (empty) for EtCO2.
MdcCode mdc_metric(alerts::Signal s);
// Its unit: 264864 beats/min, 266016 mmHg, 262688 percent.
MdcCode mdc_unit(alerts::Signal s);
// The same unit in UCUM: "/min", "mm[Hg]", "%".
std::string_view ucum_unit(alerts::Signal s);
// CWE "<code>^<name>^MDC".
std::string coded(MdcCode c);

// A message split at its delimiters, which it declares in MSH-1 and MSH-2. Fields are numbered
// as HL7 numbers them: for MSH, field(1) is the field separator and field(2) the encoding
// characters. Absent fields, components and segments read as empty.
class Message {
  public:
    // nullopt, with the reason in `error`, unless the text starts with a valid MSH segment.
    static std::optional<Message> parse(std::string_view text, std::string& error);

    struct Segment {
        std::string_view id;
        std::vector<std::string_view> fields;  // fields[0] is the segment id
    };

    const std::vector<Segment>& segments() const { return segments_; }
    // The first segment with this id, or null.
    const Segment* find(std::string_view id) const;
    std::vector<const Segment*> all(std::string_view id) const;

    // Raw (still escaped) text of field n (1-based), repetition 0.
    std::string_view field(const Segment& s, std::size_t n) const;
    // Component c (1-based) of field n, subcomponent s (1-based), unescaped.
    std::string get(const Segment& s, std::size_t n, std::size_t c = 1, std::size_t sub = 1) const;
    // Convenience on the first segment with this id ("" if it is absent).
    std::string get(std::string_view segment, std::size_t n, std::size_t c = 1,
                    std::size_t sub = 1) const;

  private:
    std::shared_ptr<const std::string> text_;  // the views point into it; copies share it
    std::vector<Segment> segments_;
    char field_sep_{'|'};
    char component_sep_{'^'};
    char repetition_sep_{'~'};
    char escape_{'\\'};
    char subcomponent_sep_{'&'};
};

}  // namespace chairwatch::drivers::hl7
