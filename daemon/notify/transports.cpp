#include "daemon/notify/transports.hpp"

namespace chairwatch::daemon::notify {

drivers::notify::WebhookOptions webhook_options(const config::WebhookReceiver& w) {
    drivers::notify::WebhookOptions o;
    o.url = w.url;
    o.secret = w.secret;
    o.timeout = w.timeout;
    o.tls_verify = w.tls_verify;
    o.ca_file = w.ca_file;
    o.headers = w.headers;
    return o;
}

drivers::notify::AcmOptions acm_options(const config::AcmReceiver& a) {
    drivers::notify::AcmOptions o;
    o.host = a.host;
    o.port = static_cast<std::uint16_t>(a.port);
    o.tls = a.tls;
    o.tls_verify = a.tls_verify;
    o.ca_file = a.ca_file;
    o.timeout = a.timeout;
    o.sending_application = a.sending_application;
    o.sending_facility = a.sending_facility;
    o.receiving_application = a.receiving_application;
    o.receiving_facility = a.receiving_facility;
    o.patient_id = a.patient_pseudonym ? drivers::notify::PatientIdMode::pseudonym
                                       : drivers::notify::PatientIdMode::none;
    return o;
}

std::unique_ptr<drivers::notify::Transport> make_transport(boost::asio::io_context& io,
                                                           const config::Receiver& r) {
    if (r.type == config::Receiver::Type::acm)
        return drivers::notify::make_acm(io, acm_options(r.acm));
    return drivers::notify::make_webhook(io, webhook_options(r.webhook));
}

}  // namespace chairwatch::daemon::notify
