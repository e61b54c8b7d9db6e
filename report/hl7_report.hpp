// A session's vital signs as HL7 v2.6 ORU^R01 messages in the shape of IHE PCD-01 (Device to
// Enterprise Communication), for an interface engine or an EHR. Pure: the send time comes in.
//
// One message per measurement: the values the monitor stamped with the same time travel
// together (an NIBP's systolic, diastolic and mean), in time order. docs/records.md, "HL7 v2",
// maps every field; in short:
//   MSH   -9 ORU^R01^ORU_R01, -10 control id (the same for the same session and message
//         number), -15/-16 NE/AL, -21 IHE_PCD_001
//   PID   -3 <patient_ref>^^^<patient identifier system or app>^PI (no pseudonym: the session
//         id ^VN); -5 ^^^^^^U, never a name
//   PV1   -3 ^^<chair>^<facility>, -19 session id
//   OBR   -3 <session_id>.<n>^<app>, -4 182777000^monitoring of patient^SNOMED-CT,
//         -7 the measurement's device time
//   OBX   one per value: -2 NM, -3 IEEE 11073 metric (REFERENCE §4), -4 1.0.0.<n>, -5 value,
//         -6 MDC unit ^ UCUM unit, -11 F, -14 device time, -18 <chair>^<app>
#pragma once

#include <string>
#include <vector>

#include "drivers/codec/hl7_segments.hpp"
#include "report/session_record.hpp"

namespace chairwatch::report {

struct Hl7Options {
    drivers::hl7::Endpoints endpoints;
    // The system the pseudonym is an identifier in, for the EHR to match (PID-3.4); empty: the
    // sending application.
    std::string patient_identifier_system;
};

// The messages, each with its segments ending in CR (no MLLP framing).
std::vector<std::string> hl7_messages(const SessionRecord& rec, const Hl7Options& options,
                                      Millis now_wall);
// The same as a file: each message followed by a newline.
std::string render_hl7(const SessionRecord& rec, const Hl7Options& options, Millis now_wall);

}  // namespace chairwatch::report
