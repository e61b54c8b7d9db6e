// Fuzz target: what the notification transports read from the network. The input is a byte
// stream as the status listener receives it: framed by MLLP, each frame parsed as a dispatch
// status (ORU^R41) and answered with an ACK; each frame is also read as an ACK, as the ACM
// transport reads the alert manager's answers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/codec/hl7_text.hpp"
#include "drivers/codec/text_rules.hpp"
#include "drivers/notify/hl7_acm.hpp"
#include "drivers/notify/mllp.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace chairwatch;
using namespace chairwatch::drivers::notify;
namespace hl7 = chairwatch::drivers::hl7;

namespace {

void one_frame(const std::string& frame) {
    std::string error;
    const auto status = parse_dispatch_status(frame, error);
    if (status) {
        // Kept fields are short, clean text: they go to logs, the report and the board.
        for (const auto* f : {&status->alert_id, &status->status, &status->person, &status->device,
                              &status->control_id}) {
            FUZZ_CHECK(f->size() <= max_status_field);
            FUZZ_CHECK(!drivers::text_fault(*f));
        }
        FUZZ_CHECK(!status->alert_id.empty() && !status->status.empty());
    } else {
        FUZZ_CHECK(!error.empty());
    }
    // The answer is one well-formed frame that says back the inbound control id.
    const auto ack = encode_ack(frame, AckSender{}, status ? "AA" : "AE", "K1", alerts::Millis{0},
                                status ? "" : error, 101);
    FUZZ_CHECK(ack.find_first_of(std::string_view("\x0b\x1c\n", 3)) == std::string::npos);
    std::string ack_error;
    const auto back = parse_ack(ack, ack_error);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->code == (status ? "AA" : "AE"));
    std::string ignored;
    if (const auto inbound = hl7::Message::parse(frame, ignored)) {
        auto sent = inbound->get("MSH", 10);
        for (auto& c : sent)  // what escaping turns into spaces
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
        FUZZ_CHECK(back->control_id == sent);
    }
    // Read as an ACK from an alert manager: anything, as long as it does not crash.
    (void)parse_ack(frame, error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    MllpDeframer deframer(4096);
    std::vector<std::string> frames;
    const bool ok = deframer.feed(bytes, frames);
    // A stream without framing bytes is one bare message (the seeds are written that way).
    if (frames.empty() && bytes.find('\x0b') == std::string_view::npos) frames.emplace_back(bytes);
    for (const auto& f : frames) {
        FUZZ_CHECK(f.size() <= 4096 + 2);
        one_frame(f);
    }
    (void)ok;
    return 0;
}
