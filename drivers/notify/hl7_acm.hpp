// IHE PCD Alert Communication Management (ACM), HL7 v2.6: the Report Alert message (PCD-04,
// ORU^R40) for one alarm transition, the ACK that answers it, the dispatch status an alert
// manager sends back (ORU^R41) and the ACK we answer that with. Pure: time is an argument.
//
// ORU^R40 field mapping (one message per alarm transition; segments end with CR)
//
//  Alert field              Segment-field   Value
//  ----------------------   -------------   ----------------------------------------------------
//  (header)                 MSH-1/2         |  ^~\&
//  sending app/facility     MSH-3/4         acm.sending_application / sending_facility
//  receiving app/facility   MSH-5/6         acm.receiving_application / receiving_facility
//  message time             MSH-7           now, UTC: YYYYMMDDHHMMSS.sss+0000
//  message type             MSH-9           ORU^R40^ORU_R40
//  idempotency key          MSH-10          "CW" + 16 hex digits of FNV-1a(key) + "." + index:
//                                           the same on every retry of the same transition
//  processing / version     MSH-11/12       P / 2.6
//  acknowledgement types    MSH-15/16       AL / NE (as PCD-04 requires)
//  character set            MSH-18          UNICODE UTF-8
//  profile                  MSH-21          IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO
//  patient                  PID-3           patient_id: pseudonym -> <patient_ref>^^^<app>^PI
//                                           (the session id with ^VN when there is none);
//                                           none -> <session_id>^^^<app>^VN. Never a name:
//                           PID-5           ^^^^^^U (name type "unspecified")
//  patient class            PV1-2           O (outpatient)
//  location (chair)         PV1-3           ^^<chair>^<sending_facility>  (PL: bed = chair)
//  session                  PV1-19          <session_id> (visit number)
//  alert identity           OBR-3           <alert_id>^<app>  ("<chair>:<session>:a<n>", the same
//                                           in every message of the alert's life)
//  alert kind of message    OBR-4           196616^MDC_EVT_ALARM^MDC
//  onset                    OBR-7           onset wall time
//  Facets, one OBX each, OBX-4 sub-id 1.0.0.0.<facet>, OBX-11 R, OBX-14 transition time:
//  1 alert event            OBX-3           196616^MDC_EVT_ALARM^MDC
//                           OBX-5 (CWE)     limit alarms: 196648^MDC_EVT_HI^MDC or
//                                           196670^MDC_EVT_LO^MDC, then the condition as local
//                                           code (^<cond>^<cond>^99CW), then the text (CWE-9);
//                                           others: <cond>^<cond>^99CW^^^^^^<text>
//                           OBX-8           priority~type[~H|L]  e.g. PH~SP~H
//                           OBX-18          <chair>^<app> (equipment: the chair)
//  2 value and limit        OBX-2/3         NM, the signal's MDC metric (150021 NIBP sys, 150022
//                                           dia, 150023 mean, 147842 heart rate, 150456 SpO2);
//                           OBX-5/6/7       value, MDC unit (266016 mmHg, 264864 bpm, 262688 %),
//                                           limit as range "<180" (high) or ">90" (low)
//    or alert source        OBX-3/5         68480^MDC_ATTR_ALERT_SOURCE^MDC, CWE: the signal's
//                                           metric (feed alarms), or ST <app> for notices
//  3 event phase            68481^MDC_ATTR_EVENT_PHASE^MDC      raised -> start; updated,
//                                           escalated -> update; acknowledged -> update (end if
//                                           that ends a latched alarm); cleared -> end (update
//                                           while latched)
//  4 alarm state            68482^MDC_ATTR_ALARM_STATE^MDC      active | latched | inactive
//  5 inactivation state     68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC   enabled |
//                                           alert-acknowledged (OBX-16: who acknowledged)
//  6 priority               68484^MDC_ATTR_ALARM_PRIORITY^MDC   PH | PM | PL; PN for advisories
//  7 alert type             68485^MDC_ATTR_ALERT_TYPE^MDC       SP | ST | SA
//  8 alert text             68546^MDC_ATTR_ALERT_TEXT^MDC       the nurse's sentence; a test
//                                           alarm starts "TEST ALARM (not a patient alarm): "
//
// Every text is escaped (| ^ ~ \ & as \F\ \S\ \R\ \E\ \T\; control characters become spaces).
//
// ORU^R41 dispatch status, as read: MSH-9 ORU^R41; the alert id from OBR-3.1 (or the parent's
// filler id, OBR-29.2.1); the status from the first OBX whose OBX-5 says one (delivered /
// received -> delivered, read, accepted, rejected / declined, cancelled; otherwise OBX-5 as
// sent, lower case); the person from OBX-16 (XCN: given family, else the id), the device from
// OBX-18.1, the time from OBX-14 (else MSH-7).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/notify/notification.hpp"

namespace chairwatch::drivers::notify {

// MSH-10 of the ORU^R40 for transition `index` of the notification with this key.
std::string acm_control_id(std::string_view key, std::size_t index);

// The ORU^R40 for transition `index` of `n`, segments separated by CR (no MLLP framing).
std::string encode_oru_r40(const AcmOptions& options, const Notification& n, std::size_t index,
                           alerts::Millis now_wall);

// MSA-1: AA/AE/AR (original mode), CA/CE/CR (enhanced mode).
struct Ack {
    std::string code;
    std::string control_id;  // MSA-2: the message it answers
    std::string text;        // ERR-8, else MSA-3, else ERR-3.2
};
// nullopt, with the reason in `error`, unless it is an HL7 message with an MSA segment.
std::optional<Ack> parse_ack(std::string_view message, std::string& error);

// An alert manager's dispatch status (ORU^R41). nullopt with the reason if it is not one, or
// if a field it keeps is longer than max_status_field or holds control or invisible formatting
// characters (drivers::text_fault): those would go on to logs, the report and the board.
inline constexpr std::size_t max_status_field = 128;
std::optional<DispatchStatus> parse_dispatch_status(std::string_view message, std::string& error);

struct AckSender {
    std::string application{"CHAIRWATCH"};
    std::string facility;
};
// The ACK for an inbound message (its MSH read as far as it goes): MSA-1 `code`, MSA-2 its
// control id; for AE/AR also MSA-3 and an ERR segment with `error` and HL7 error code
// `hl7_error` (table 0357: 100 segment sequence, 101 required field missing, 200 unsupported
// message type, 207 application internal error).
std::string encode_ack(std::string_view inbound, const AckSender& sender, std::string_view code,
                       std::string_view control_id, alerts::Millis now_wall,
                       std::string_view error = {}, int hl7_error = 207);

}  // namespace chairwatch::drivers::notify
