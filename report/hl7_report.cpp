#include "report/hl7_report.hpp"

#include <algorithm>
#include <tuple>

#include "drivers/codec/hl7_text.hpp"

namespace chairwatch::report {

namespace hl7 = drivers::hl7;
using alerts::Signal;

namespace {

constexpr std::string_view profile_id = "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO";
constexpr std::string_view monitoring = "182777000^monitoring of patient^SNOMED-CT";

struct Value {
    Millis t;
    int line;
    Signal signal;
    double value;
};

// Every reading with an MDC code (EtCO2 has none in REFERENCE) in time order (the log's order
// among equal times).
std::vector<Value> values_of(const SessionRecord& rec) {
    std::vector<Value> out;
    for (const auto s : alerts::all_signals) {
        if (hl7::mdc_metric(s).code.empty()) continue;
        for (const auto& v : rec.of(s))
            out.push_back({v.t, v.line, s, v.value});
    }
    std::stable_sort(out.begin(), out.end(), [](const Value& a, const Value& b) {
        return std::tie(a.t, a.line) < std::tie(b.t, b.line);
    });
    return out;
}

std::string obx(int set_id, const Value& v, const std::string& equipment) {
    const auto unit = hl7::coded(hl7::mdc_unit(v.signal));
    const auto ucum = std::string(hl7::ucum_unit(v.signal));
    return "OBX|" + std::to_string(set_id) + "|NM|" + hl7::coded(hl7::mdc_metric(v.signal)) +
           "|1.0.0." + std::to_string(set_id) + "|" + hl7::format_number(v.value) + "|" + unit +
           "^" + hl7::escape(ucum) + "^" + hl7::escape(ucum) + "^UCUM|||||F|||" +
           hl7::format_ts(v.t) + "||||" + equipment + "\r";
}

}  // namespace

std::vector<std::string> hl7_messages(const SessionRecord& rec, const Hl7Options& o,
                                      Millis now_wall) {
    const auto& e = o.endpoints;
    const auto authority =
        o.patient_identifier_system.empty() ? e.sending_application : o.patient_identifier_system;
    const auto app = hl7::escape(e.sending_application);
    const auto header = hl7::pid(rec.patient_ref, rec.session_id, authority) +
                        hl7::pv1(rec.chair, e.sending_facility, rec.session_id);
    const auto equipment = hl7::escape(rec.site_chair()) + "^" + app;
    const auto key = rec.site_chair() + "/" + rec.session_id + "/ORU^R01";

    const auto values = values_of(rec);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < values.size();) {
        const auto n = out.size();
        std::string m = hl7::msh(
            e, {"ORU^R01^ORU_R01", hl7::control_id(key, n), "NE", "AL", profile_id}, now_wall);
        m += header;
        m += "OBR|1||" + hl7::escape(rec.session_id + "." + std::to_string(n + 1)) + "^" + app +
             "|" + std::string(monitoring) + "|||" + hl7::format_ts(values[i].t) + "\r";
        int set_id = 0;
        for (const auto t = values[i].t; i < values.size() && values[i].t == t; ++i)
            m += obx(++set_id, values[i], equipment);
        out.push_back(std::move(m));
    }
    return out;
}

std::string render_hl7(const SessionRecord& rec, const Hl7Options& options, Millis now_wall) {
    std::string out;
    for (const auto& m : hl7_messages(rec, options, now_wall))
        out += m + "\n";
    return out;
}

}  // namespace chairwatch::report
