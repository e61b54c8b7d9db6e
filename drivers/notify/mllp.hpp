// MLLP (HL7 v2 over TCP): each message framed as <VT> message <FS><CR>.
//
// The ACM transport (make_acm) opens one connection per notification (TLS optional), sends one
// ORU^R40 per transition, in order, and waits up to `timeout` for each ACK: AA/CA go on to the
// next, AE/CE end the send as failed, AR/CR as rejected, silence as failed ("no ACK within
// 5 s"). A retry sends every transition again with the same control ids (MSH-10), so that the
// alert manager can recognise what it already has.
//
// The status listener (make_status_listener) accepts the alert manager's connections, answers
// every framed message with an ACK (AA, or AE with the reason: not ORU^R41, no alert id, no
// status, not HL7 at all) and hands each dispatch status to its callback. Frames above
// max_frame_bytes close the connection after an AE; connections beyond max_connections are
// closed at once; a connection silent for idle_timeout is closed.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/notify/notification.hpp"

namespace chairwatch::drivers::notify {

inline constexpr char mllp_start = 0x0B;
inline constexpr char mllp_end = 0x1C;
inline constexpr char mllp_cr = 0x0D;

std::string mllp_frame(std::string_view message);

// Splits a byte stream into MLLP frames. Bytes outside a frame are skipped; a start byte inside
// a frame starts it again (the sender gave up on the earlier one).
// Prepared HL7 messages to one peer (the session records' ORU^R01, report/hl7_report.hpp): one
// connection per send, each message in order waiting for its ACK, which must answer its MSH-10;
// outcomes as a Transport's (notification.hpp), `done` once, on the io_context's thread.
// Destroying the sender abandons what it has in flight (`done` is then never called).
class Hl7Sender {
  public:
    virtual ~Hl7Sender() = default;
    virtual void send(const std::vector<std::string>& messages,
                      std::function<void(Result)> done) = 0;
};
// Host, port, TLS and timeout from `options` (its HL7 header fields are not used: the messages
// carry their own). Throws std::invalid_argument as make_acm does.
std::unique_ptr<Hl7Sender> make_hl7_sender(boost::asio::io_context& io, AcmOptions options);

class MllpDeframer {
  public:
    explicit MllpDeframer(std::size_t max_frame_bytes) : max_(max_frame_bytes) {}
    // Appends complete frames (without the framing bytes) to `frames`; false once a frame grew
    // beyond the limit (the stream cannot be trusted after that).
    bool feed(std::string_view data, std::vector<std::string>& frames);

  private:
    std::size_t max_;
    std::string buf_;
    bool in_frame_{false};
};

}  // namespace chairwatch::drivers::notify
