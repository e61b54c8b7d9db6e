#include "drivers/notify/webhook_body.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alerts/monitor_link.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::drivers::notify {

namespace {

// What a transition's value and limit measure: a signal (a limit rule, or the silence of that
// signal's feed), the seconds a monitor's link has been lost, or nothing (a notice such as
// no_baseline, message_flood or discharge_ready, whose text says what it is; chairwatchd's own
// alarms).
enum class Measures : std::uint8_t { signal, seconds, nothing };
Measures measures_of(std::string_view chair, const alerts::AlarmTransition& t) {
    if (chair == daemon_chair) return Measures::nothing;
    if (t.condition == alerts::monitor_link_lost) return Measures::seconds;
    if (t.is_feed() || t.text_hint.empty()) return Measures::signal;
    return Measures::nothing;
}

}  // namespace

std::string webhook_body(const Notification& n) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("key").value(n.key);
    w.key("chair").value(n.chair);
    w.key("session_id").value(n.session_id);
    if (!n.site.empty()) w.key("site").value(n.site);
    w.key("test").value(n.test);
    std::string summary;
    for (std::size_t i = 0; i < n.texts.size(); ++i)
        summary += (i ? "\n" : "") + n.texts[i];
    w.key("summary").value(summary);
    w.key("transitions").begin_array();
    for (std::size_t i = 0; i < n.transitions.size(); ++i) {
        const auto& t = n.transitions[i];
        w.begin_object();
        w.key("alert_id").value(alert_id_of(n, t));
        w.key("condition").value(t.condition);
        w.key("state").value(alerts::to_string(t.state));
        w.key("priority").value(alerts::to_string(t.priority));
        w.key("kind").value(alerts::to_string(t.kind));
        const auto measures = measures_of(n.chair, t);
        if (measures == Measures::signal) w.key("signal").value(alerts::to_string(t.signal));
        if (measures != Measures::nothing) {
            w.key("value").number(t.value);
            w.key("limit").number(t.limit);
            w.key("unit").value(alert_unit(t));
        }
        w.key("active").value(t.active);
        w.key("latched").value(t.latched);
        w.key("acknowledged").value(t.acknowledged);
        if (t.acknowledged) w.key("acknowledged_by").value(t.acknowledged_by);
        w.key("escalation_level").value(t.escalation_level);
        w.key("onset").time(t.onset.wall);
        w.key("at").time(t.at.wall);
        w.key("text").value(i < n.texts.size() ? std::string_view(n.texts[i]) : "");
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex += digits[mac[i] >> 4];
        hex += digits[mac[i] & 0xF];
    }
    return hex;
}

}  // namespace chairwatch::drivers::notify
