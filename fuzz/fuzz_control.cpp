// Fuzz target: a session control message (clinic/<chair>/session), as chairwatchd decodes it and
// answers it on .../session/result; and the same bytes as a monitor's link status
// (clinic/<chair>/monitor), which is read by the same JSON object reader.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/codec/control_codec.hpp"
#include "drivers/codec/monitor_codec.hpp"
#include "drivers/codec/text_rules.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/json_keys.hpp"
#include "fuzz/result_check.hpp"

namespace {

using namespace chairwatch;

void check_range(const std::optional<double>& v, double lo, double hi) {
    if (v) FUZZ_CHECK(*v >= lo && *v <= hi);
}

// A status is kept only with a checked device name; a refusal says why in shown text.
void check_monitor_status(std::string_view payload) {
    const auto decoded = drivers::decode_monitor_status(payload, 4096);
    if (const auto* s = std::get_if<drivers::MonitorStatus>(&decoded)) {
        FUZZ_CHECK(s->device.size() <= 64 && !drivers::text_fault(s->device));
        FUZZ_CHECK(!fuzz::repeats_a_key(payload).value_or(true));
    } else {
        const auto& error = std::get<std::string>(decoded);
        FUZZ_CHECK(!error.empty() && !drivers::text_fault(error));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    check_monitor_status(payload);
    const auto decoded = drivers::decode_control(payload, 4096);
    if (const auto* m = std::get_if<drivers::ControlMessage>(&decoded)) {
        const auto& i = m->info;
        FUZZ_CHECK(i.session_id.empty() || drivers::valid_chair_id(i.session_id));
        for (const auto* s : {&i.session_id, &i.profile, &i.route, &i.patient_ref})
            FUZZ_CHECK(s->size() <= 128 && !drivers::text_fault(*s));
        FUZZ_CHECK(!fuzz::repeats_a_key(payload).value_or(true));
        check_range(i.weight_kg, 1, 400);
        check_range(i.dose_mg_per_kg, 0, 10);
        check_range(i.planned_duration_min, 0, 1440);
        if (const auto& o = m->observation) {
            // What the session log and the report keep: a known kind, who, checked text.
            FUZZ_CHECK(o->kind == "sedation" || o->kind == "dissociation" ||
                       o->kind == "adverse_event" || o->kind == "note");
            FUZZ_CHECK(!o->by.empty() && o->by.size() <= 128 && !drivers::text_fault(o->by));
            FUZZ_CHECK(o->text.size() <= drivers::max_observation_text &&
                       !drivers::text_fault(o->text));
            FUZZ_CHECK(o->value.empty() || o->value == "none" || o->value == "present" ||
                       o->value == "resolved");
        }
        // A started session's id goes back in the result (with a suffix when it was taken).
        fuzz::check_result(true, "action", alerts::to_string(m->action), "",
                           i.session_id.empty() ? "" : i.session_id + "-1");
        // The daemon appends the profile name to an unknown-profile error.
        fuzz::check_result(false, "action", alerts::to_string(m->action),
                           "unknown_profile '" + i.profile + "'");
    } else {
        const auto& error = std::get<std::string>(decoded);
        // The error quotes parts of the payload: they come back shown, never raw.
        FUZZ_CHECK(!error.empty() && !drivers::text_fault(error));
        fuzz::check_result(false, "action", "?", error);
    }
    return 0;
}
