// Fuzz target: an acknowledgement (clinic/<chair>/alerts/ack), as chairwatchd decodes it and
// answers it on .../alerts/ack/result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/codec/control_codec.hpp"
#include "drivers/codec/text_rules.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/json_keys.hpp"
#include "fuzz/result_check.hpp"

using namespace chairwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    const auto decoded = drivers::decode_ack(payload, 4096);
    if (const auto* m = std::get_if<drivers::AckMessage>(&decoded)) {
        FUZZ_CHECK(!m->alert_id.empty() && m->alert_id.size() <= 128);
        FUZZ_CHECK(!m->by.empty() && m->by.size() <= 128);
        // Nothing that could forge a log line, drive a terminal or turn a name around.
        FUZZ_CHECK(!drivers::text_fault(m->alert_id) && !drivers::text_fault(m->by));
        FUZZ_CHECK(!fuzz::repeats_a_key(payload).value_or(true));
        fuzz::check_result(true, "alert_id", m->alert_id, "");
        fuzz::check_result(false, "alert_id", m->alert_id, "unknown_alert");
    } else {
        const auto& error = std::get<std::string>(decoded);
        FUZZ_CHECK(!error.empty() && !drivers::text_fault(error));
        fuzz::check_result(false, "alert_id", "", error);
    }
    return 0;
}
