#include "drivers/notify/hl7_acm.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "drivers/codec/hl7_segments.hpp"
#include "drivers/codec/hl7_text.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::drivers::notify {

using alerts::AlarmKind;
using alerts::AlarmState;
using alerts::AlarmTransition;
using alerts::Signal;

namespace {

constexpr std::string_view profile_id = "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO";
constexpr std::string_view local_codes = "99CW";
constexpr std::string_view test_prefix = "TEST ALARM (not a patient alarm): ";

using hl7::coded;
using hl7::mdc_metric;
using Code = hl7::MdcCode;

Code unit_of(const AlarmTransition& t) {
    if (t.is_feed()) return {"264320", "MDC_DIM_SEC"};
    return hl7::mdc_unit(t.signal);
}

// A limit alarm on a measured value (not a feed, not a notice with its own text).
bool is_limit_alarm(const AlarmTransition& t) {
    return !t.is_feed() && t.text_hint.empty();
}

std::string_view priority_code(const AlarmTransition& t) {
    if (t.kind == AlarmKind::advisory) return "PN";
    switch (t.priority) {
        case alerts::Priority::high:
            return "PH";
        case alerts::Priority::medium:
            return "PM";
        case alerts::Priority::low:
            return "PL";
    }
    return "PN";
}

std::string_view type_code(AlarmKind k) {
    switch (k) {
        case AlarmKind::physiological:
            return "SP";
        case AlarmKind::technical:
            return "ST";
        case AlarmKind::advisory:
            return "SA";
    }
    return "SA";
}

std::string_view event_phase(const AlarmTransition& t) {
    switch (t.state) {
        case AlarmState::raised:
            return "start";
        case AlarmState::updated:
        case AlarmState::escalated:
            return "update";
        case AlarmState::acknowledged:
            return t.active || t.latched ? "update" : "end";
        case AlarmState::cleared:
            return t.latched ? "update" : "end";
    }
    return "update";
}

std::string_view alarm_state(const AlarmTransition& t) {
    if (t.active) return "active";
    if (t.latched) return "latched";
    return "inactive";
}

// One OBX facet of the alert.
struct Facet {
    std::string_view type{};  // OBX-2
    std::string id{};         // OBX-3
    std::string value{};      // OBX-5, already escaped
    std::string units{}, range{}, flags{}, observer{}, equipment{};
};

void put_obx(std::string& out, int set_id, int facet, const Facet& f, const std::string& ts) {
    out += "OBX|" + std::to_string(set_id) + "|" + std::string(f.type) + "|" + f.id + "|1.0.0.0." +
           std::to_string(facet) + "|" + f.value + "|" + f.units + "|" + f.range + "|" + f.flags +
           "|||R|||" + ts + "||" + f.observer + "||" + f.equipment + "\r";
}

std::string event_value(const AlarmTransition& t, const std::string& text) {
    const auto cond = hl7::escape(t.condition);
    const auto local = cond + "^" + cond + "^" + std::string(local_codes);
    if (is_limit_alarm(t) && t.kind == AlarmKind::physiological) {
        const Code evt = t.high ? Code{"196648", "MDC_EVT_HI"} : Code{"196670", "MDC_EVT_LO"};
        return coded(evt) + "^" + local + "^^^" + text;
    }
    return local + "^^^^^^" + text;
}

void put_facets(std::string& out, const AcmOptions& o, const Notification& n,
                const AlarmTransition& t, const std::string& text) {
    const auto ts = hl7::format_ts(t.at.wall);
    const auto app = hl7::escape(o.sending_application);
    // The daemon's own technical alarms measure nothing: their source is chairwatchd.
    const bool limit = is_limit_alarm(t) && n.chair != daemon_chair;
    Facet event{"CWE", "196616^MDC_EVT_ALARM^MDC", event_value(t, text)};
    event.flags = std::string(priority_code(t)) + "~" + std::string(type_code(t.kind));
    if (limit) event.flags += t.high ? "~H" : "~L";
    event.equipment = hl7::escape(n.chair) + "^" + app;
    int set_id = 0;
    put_obx(out, ++set_id, 1, event, ts);

    if (limit) {
        Facet value{"NM", coded(mdc_metric(t.signal)), hl7::format_number(t.value),
                    coded(unit_of(t))};
        value.range = std::string(t.high ? "<" : ">") + hl7::format_number(t.limit);
        value.flags = t.high ? "H" : "L";
        put_obx(out, ++set_id, 2, value, ts);
    } else if (t.is_feed()) {
        put_obx(out, ++set_id, 2,
                Facet{"CWE", "68480^MDC_ATTR_ALERT_SOURCE^MDC", coded(mdc_metric(t.signal))}, ts);
    } else {
        put_obx(out, ++set_id, 2, Facet{"ST", "68480^MDC_ATTR_ALERT_SOURCE^MDC", app}, ts);
    }
    auto attribute = [&](int facet, std::string_view id, std::string_view value) {
        Facet f{"ST", std::string(id), std::string(value)};
        if (facet == 5 && t.acknowledged) f.observer = hl7::escape(t.acknowledged_by);
        put_obx(out, ++set_id, facet, f, ts);
    };
    attribute(3, "68481^MDC_ATTR_EVENT_PHASE^MDC", event_phase(t));
    attribute(4, "68482^MDC_ATTR_ALARM_STATE^MDC", alarm_state(t));
    attribute(5, "68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC",
              t.acknowledged ? "alert-acknowledged" : "enabled");
    attribute(6, "68484^MDC_ATTR_ALARM_PRIORITY^MDC", priority_code(t));
    attribute(7, "68485^MDC_ATTR_ALERT_TYPE^MDC", type_code(t.kind));
    attribute(8, "68546^MDC_ATTR_ALERT_TEXT^MDC", text);
}

}  // namespace

std::string acm_control_id(std::string_view key, std::size_t index) {
    return hl7::control_id(key, index);
}

std::string encode_oru_r40(const AcmOptions& o, const Notification& n, std::size_t index,
                           alerts::Millis now_wall) {
    const AlarmTransition& t = n.transitions.at(index);
    const std::string raw_text = index < n.texts.size() ? n.texts[index] : t.condition;
    const auto text = hl7::escape(n.test ? std::string(test_prefix) + raw_text : raw_text);
    const auto app = hl7::escape(o.sending_application);
    std::string out;
    out.reserve(1600);
    const hl7::Endpoints ends{o.sending_application, o.sending_facility, o.receiving_application,
                              o.receiving_facility};
    out += hl7::msh(ends, {"ORU^R40^ORU_R40", acm_control_id(n.key, index), "AL", "NE", profile_id},
                    now_wall);
    const bool pseudonym = o.patient_id == PatientIdMode::pseudonym;
    out += hl7::pid(pseudonym ? n.patient_ref : std::string_view{}, n.session_id,
                    o.sending_application);
    out += hl7::pv1(n.chair, o.sending_facility, n.session_id);
    out += "OBR|1||" + hl7::escape(alert_id_of(n, t)) + "^" + app + "|196616^MDC_EVT_ALARM^MDC|||" +
           hl7::format_ts(t.onset.wall) + "\r";
    put_facets(out, o, n, t, text);
    return out;
}

std::optional<Ack> parse_ack(std::string_view message, std::string& error) {
    const auto m = hl7::Message::parse(message, error);
    if (!m) return std::nullopt;
    const auto* msa = m->find("MSA");
    if (!msa) {
        error = "no MSA segment";
        return std::nullopt;
    }
    Ack a;
    a.code = m->get(*msa, 1);
    a.control_id = m->get(*msa, 2);
    static constexpr std::string_view codes[] = {"AA", "AE", "AR", "CA", "CE", "CR"};
    if (std::find(std::begin(codes), std::end(codes), a.code) == std::end(codes)) {
        error = "MSA-1 is not an acknowledgement code: '" + a.code + "'";
        return std::nullopt;
    }
    a.text = m->get("ERR", 8);
    if (a.text.empty()) a.text = m->get(*msa, 3);
    if (a.text.empty()) a.text = m->get("ERR", 3, 2);
    return a;
}

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The status a value names, or "" if it names none we know.
std::string known_status(const std::string& value) {
    const auto v = lower(value);
    auto has = [&](std::string_view w) { return v.find(w) != std::string::npos; };
    if (has("reject") || has("declin")) return "rejected";
    if (has("cancel")) return "cancelled";
    if (has("accept")) return "accepted";
    if (has("read")) return "read";
    if (has("deliver") || has("receiv")) return "delivered";
    return "";
}

std::string person_of(const hl7::Message& m, const hl7::Message::Segment& obx) {
    const auto family = m.get(obx, 16, 2);
    const auto given = m.get(obx, 16, 3);
    if (!family.empty() || !given.empty())
        return given.empty() ? family : family.empty() ? given : given + " " + family;
    return m.get(obx, 16, 1);
}

}  // namespace

std::optional<DispatchStatus> parse_dispatch_status(std::string_view message, std::string& error) {
    const auto m = hl7::Message::parse(message, error);
    if (!m) return std::nullopt;
    const auto type = m->get("MSH", 9, 1) + "^" + m->get("MSH", 9, 2);
    if (type != "ORU^R41") {
        error = "not a dispatch status: MSH-9 is " + type + ", expected ORU^R41";
        return std::nullopt;
    }
    DispatchStatus st;
    st.control_id = m->get("MSH", 10);
    st.alert_id = m->get("OBR", 3);
    if (st.alert_id.empty()) st.alert_id = m->get("OBR", 29, 2, 1);
    if (st.alert_id.empty()) {
        error = "no alert id in OBR-3";
        return std::nullopt;
    }
    const hl7::Message::Segment* chosen = nullptr;
    for (const auto* obx : m->all("OBX")) {
        const auto value = m->get(*obx, 5);
        if (value.empty()) continue;
        if (!chosen) chosen = obx;
        if (!known_status(value).empty()) {
            chosen = obx;
            break;
        }
    }
    if (!chosen) {
        error = "no status in any OBX-5";
        return std::nullopt;
    }
    const auto value = m->get(*chosen, 5);
    st.status = known_status(value);
    if (st.status.empty()) st.status = lower(value);
    st.person = person_of(*m, *chosen);
    st.device = m->get(*chosen, 18);
    st.at = hl7::parse_ts(m->get(*chosen, 14));
    if (!st.at) st.at = hl7::parse_ts(m->get("MSH", 7));
    // What is kept goes to the session log, the report and the board.
    const std::pair<std::string_view, const std::string*> kept[] = {
        {"OBR-3 alert id", &st.alert_id},
        {"OBX-5 status", &st.status},
        {"OBX-16 person", &st.person},
        {"OBX-18 device", &st.device},
        {"MSH-10 control id", &st.control_id}};
    for (const auto& [name, field] : kept) {
        if (field->size() > max_status_field) {
            error = std::string(name) + " is longer than " + std::to_string(max_status_field) +
                    " bytes";
            return std::nullopt;
        }
        if (const auto fault = text_fault(*field)) {
            error = std::string(name) + " " + std::string(*fault);
            return std::nullopt;
        }
    }
    return st;
}

std::string encode_ack(std::string_view inbound, const AckSender& sender, std::string_view code,
                       std::string_view control_id, alerts::Millis now_wall, std::string_view error,
                       int hl7_error) {
    std::string ignored;
    const auto m = hl7::Message::parse(inbound, ignored);
    auto get = [&](std::size_t n, std::size_t c = 1) {
        return m ? hl7::escape(m->get("MSH", n, c)) : std::string{};
    };
    const auto trigger = get(9, 2);
    std::string out = "MSH|^~\\&|" + hl7::escape(sender.application) + "|" +
                      hl7::escape(sender.facility) + "|" + get(3) + "|" + get(4) + "|" +
                      hl7::format_ts(now_wall) + "||ACK^" + trigger + "^ACK|" +
                      hl7::escape(control_id) + "|P|2.6\r";
    out += "MSA|" + std::string(code) + "|" + get(10);
    if (!error.empty()) out += "|" + hl7::escape(error);
    out += "\r";
    if (!error.empty()) {
        static constexpr std::string_view names[] = {
            "Segment sequence error", "Required field missing", "Unsupported message type",
            "Application internal error"};
        const std::string_view name = hl7_error == 100   ? names[0]
                                      : hl7_error == 101 ? names[1]
                                      : hl7_error == 200 ? names[2]
                                                         : names[3];
        out += "ERR|||" + std::to_string(hl7_error) + "^" + std::string(name) + "^HL70357|E||||" +
               hl7::escape(error) + "\r";
    }
    return out;
}

}  // namespace chairwatch::drivers::notify
