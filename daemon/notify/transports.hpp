// A receiver's configuration into its transport (drivers/notify).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "config/config.hpp"
#include "drivers/notify/notification.hpp"

namespace chairwatch::daemon::notify {

drivers::notify::WebhookOptions webhook_options(const config::WebhookReceiver& w);
drivers::notify::AcmOptions acm_options(const config::AcmReceiver& a);
// Throws std::invalid_argument for an unusable URL or CA file.
std::unique_ptr<drivers::notify::Transport> make_transport(boost::asio::io_context& io,
                                                           const config::Receiver& r);

}  // namespace chairwatch::daemon::notify
