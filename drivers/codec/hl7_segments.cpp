#include "drivers/codec/hl7_segments.hpp"

#include <cstdint>
#include <cstdio>

#include "drivers/codec/hl7_text.hpp"

namespace chairwatch::drivers::hl7 {

std::string msh(const Endpoints& e, const MshFields& f, alerts::Millis now_wall) {
    return "MSH|^~\\&|" + escape(e.sending_application) + "|" + escape(e.sending_facility) + "|" +
           escape(e.receiving_application) + "|" + escape(e.receiving_facility) + "|" +
           format_ts(now_wall) + "||" + std::string(f.type) + "|" + escape(f.control_id) +
           "|P|2.6|||" + std::string(f.accept_ack) + "|" + std::string(f.app_ack) +
           "||UNICODE UTF-8|||" + std::string(f.profile) + "\r";
}

std::string control_id(std::string_view key, std::size_t index) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : key) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "CW%016llx.%zu", static_cast<unsigned long long>(h), index);
    return buf;
}

std::string pid(std::string_view patient_ref, std::string_view session_id,
                std::string_view authority) {
    const auto id = patient_ref.empty() ? escape(session_id) + "^^^" + escape(authority) + "^VN"
                                        : escape(patient_ref) + "^^^" + escape(authority) + "^PI";
    return "PID|||" + id + "||^^^^^^U\r";
}

std::string pv1(std::string_view chair, std::string_view facility, std::string_view session_id) {
    return "PV1||O|^^" + escape(chair) + "^" + escape(facility) + "||||||||||||||||" +
           escape(session_id) + "\r";
}

}  // namespace chairwatch::drivers::hl7
